// Flows (dataflows): source connections → target connections under a flow spec, on a schedule.
// Created enabled; the state changes only through POST /flows/{id}/action?op=ENABLE|DISABLE.
import { z } from "zod";
import { zodProblems } from "./body";
import { type CollectionSpec, NEWEST_FIRST, recordFields, stampFields } from "./collection";
import { type ApiRequest, type Reply, header } from "../data/context";
import { type EntityKind, type Services, checkIfMatch, findOr404 } from "./entity";
import { errors } from "./errors";
import { type FlowSpec, findFlowSpec } from "../data/flowSpecs";
import { isPlainObject } from "./patch";
import { type PointerOp, applyPointerPatch, parsePointerPatch } from "./pointerPatch";
import type { DataConnection, Flow, Stamp } from "../data/records";
import { named } from "../data/records";
import { lastRunDetails } from "./runRoutes";
import { scheduleProblems, startTimeOf } from "./schedule";
import { actorOf, touched, auditView } from "../data/stamp";
import type { Row } from "../data/store";
import { specAt } from "./catalog";

type FlowRow = Row<Flow>;
const FLOWS_TYPE = "flows";

const Json = z.record(z.string(), z.unknown());
const NonEmpty = z.string().refine((s) => s.trim() !== "", "must not be empty");
const Transformations = z.array(z.object({ name: z.string().min(1), params: Json }));
const CreateBody = z.object({
  name: NonEmpty,
  description: z.string().optional(),
  flowSpec: z.object({ id: z.string().min(1), version: z.string().min(1).optional() }),
  sourceConnectionIds: z.array(z.string().min(1)).min(1),
  targetConnectionIds: z.array(z.string().min(1)).min(1),
  transformations: Transformations.optional(),
  scheduleParams: Json,
});
const Patched = z.object({ name: NonEmpty, description: z.string().optional(), scheduleParams: Json, transformations: Transformations });

/** Every connection id must be a connection of the right kind in the flow's sandbox, of a connector the flow spec supports. */
function referenceProblems(svc: Services, stamp: Stamp, spec: FlowSpec, sourceIds: string[], targetIds: string[]): string[] {
  const problems: string[] = [];
  const check = (field: string, ids: string[], rows: (id: string) => Row<DataConnection> | undefined, allowed: string[], what: string) =>
    ids.forEach((id, i) => {
      const row = rows(id);
      if (!row) problems.push(`${field}[${i}] '${id}' is not a ${what} in this organization and sandbox`);
      else if (!allowed.includes(row.record.connectionSpec.id)) {
        problems.push(
          `${field}[${i}] '${id}' uses connector ${row.record.connectionSpec.id}, which flow spec ${spec.name} does not support (supported: ${allowed.join(", ")})`,
        );
      }
    });
  const { imsOrgId: org, sandboxName: sb } = stamp;
  check(
    "sourceConnectionIds",
    sourceIds,
    (id) => svc.store.sourceConnections.find(org, sb, id),
    spec.sourceConnectionSpecIds,
    "source connection",
  );
  check(
    "targetConnectionIds",
    targetIds,
    (id) => svc.store.targetConnections.find(org, sb, id),
    spec.targetConnectionSpecIds,
    "target connection",
  );
  return problems;
}

function transformationProblems(spec: FlowSpec, transformations: Flow["transformations"]): string[] {
  const names = spec.transformationSpecs.map((t) => t.name);
  return transformations
    .map((t, i) =>
      names.includes(t.name)
        ? undefined
        : `transformations[${i}].name '${t.name}' is not a transformation of flow spec ${spec.name} (its transformations: ${names.join(", ")})`,
    )
    .filter((p): p is string => p !== undefined);
}

function create(raw: unknown, stamp: Stamp, svc: Services): Omit<FlowRow, "seq"> {
  if (isPlainObject(raw) && Object.hasOwn(raw, "state")) throw errors.stateInCreate();
  const parsed = CreateBody.safeParse(raw);
  if (!parsed.success) throw errors.validation(zodProblems(parsed.error));
  const body = parsed.data;
  const { spec, version } = specAt("flow spec", findFlowSpec, body.flowSpec);
  const transformations = body.transformations ?? [];
  const problems = [
    ...referenceProblems(svc, stamp, spec, body.sourceConnectionIds, body.targetConnectionIds),
    ...transformationProblems(spec, transformations),
    ...scheduleProblems(body.scheduleParams, svc.config),
  ];
  if (problems.length > 0) throw errors.validation(problems);
  const record: Flow = {
    ...stamp,
    ...named(body),
    flowSpec: { id: spec.id, version },
    state: "enabled",
    sourceConnectionIds: body.sourceConnectionIds,
    targetConnectionIds: body.targetConnectionIds,
    transformations,
    scheduleParams: body.scheduleParams,
    lastOperation: { started: stamp.createdAt, updated: 0, operation: "create" },
  };
  return { record };
}

function inherited(svc: Services, ids: string[], rows: (id: string) => Row<DataConnection> | undefined): unknown[] {
  return ids.map((id) => {
    const c = rows(id)?.record;
    const base = c?.baseConnectionId !== undefined ? svc.store.connections.get(c.baseConnectionId)?.record : undefined;
    return {
      id,
      ...(c ? { connectionSpec: c.connectionSpec } : {}),
      ...(base ? { baseConnection: { id: base.id, connectionSpec: base.connectionSpec } } : {}),
    };
  });
}

function lastRun(f: Flow, svc: Services): { lastRunDetails?: Record<string, unknown> } {
  const details = svc.runs ? lastRunDetails(svc.runs, f.id) : undefined;
  return details ? { lastRunDetails: details } : {};
}

function view(f: Flow, svc: Services): Record<string, unknown> {
  return {
    id: f.id,
    ...auditView(f),
    ...named(f),
    flowSpec: f.flowSpec,
    state: f.state,
    version: f.version,
    etag: f.etag,
    sourceConnectionIds: f.sourceConnectionIds,
    targetConnectionIds: f.targetConnectionIds,
    inheritedAttributes: {
      sourceConnections: inherited(svc, f.sourceConnectionIds, (id) => svc.store.sourceConnections.get(id)),
      targetConnections: inherited(svc, f.targetConnectionIds, (id) => svc.store.targetConnections.get(id)),
    },
    scheduleParams: f.scheduleParams,
    transformations: f.transformations,
    runs: `/runs?property=flowId==${f.id}`,
    lastOperation: f.lastOperation,
    ...lastRun(f, svc),
  };
}

const FLOWS_LIST: CollectionSpec<Flow> = {
  path: "/flows",
  defaultOrder: NEWEST_FIRST,
  fields: {
    ...recordFields(),
    "flowSpec.id": { kind: "string", get: (f) => f.flowSpec.id, sortable: true },
    "flowSpec.version": { kind: "string", get: (f) => f.flowSpec.version },
    sourceConnectionIds: { kind: "string", get: (f) => f.sourceConnectionIds },
    targetConnectionIds: { kind: "string", get: (f) => f.targetConnectionIds },
    "scheduleParams.frequency": {
      kind: "string",
      get: (f) => (typeof f.scheduleParams.frequency === "string" ? f.scheduleParams.frequency : undefined),
    },
    ...stampFields(),
  },
};

function parseFlowPatch(body: unknown, id: string): PointerOp[] {
  const about = { id, type: FLOWS_TYPE };
  const refuse = (why: string) => (path: string) => errors.patchValidation([`path '${path}' cannot be patched: ${why}`], about);
  return parsePointerPatch(body, about, {
    roots: ["name", "description", "scheduleParams", "transformations"],
    frozen: {
      flowSpec: (path) => errors.specNotUpdatable(path, about, "flow spec of a flow"),
      state: refuse("use POST /flows/{id}/action?op=ENABLE or op=DISABLE"),
      sourceConnectionIds: refuse("the connections of a flow cannot be changed; create a new flow"),
      targetConnectionIds: refuse("the connections of a flow cannot be changed; create a new flow"),
    },
  });
}

function applyFlowPatch(entry: FlowRow, ops: PointerOp[], svc: Services): Flow {
  const f = entry.record;
  const about = { id: f.id, type: FLOWS_TYPE };
  const doc: Record<string, unknown> = { name: f.name, scheduleParams: f.scheduleParams, transformations: f.transformations };
  if (f.description !== undefined) doc.description = f.description;
  const parsed = Patched.safeParse(applyPointerPatch(doc, ops, about));
  if (!parsed.success) throw errors.patchValidation(zodProblems(parsed.error), about);
  const next = parsed.data;
  const spec = findFlowSpec(f.flowSpec.id);
  if (!spec) throw errors.internal(`flow ${f.id} refers to an unknown flow spec ${f.flowSpec.id}`);
  const problems = [...transformationProblems(spec, next.transformations), ...scheduleProblems(next.scheduleParams, svc.config)];
  const [before, after] = [startTimeOf(f.scheduleParams), startTimeOf(next.scheduleParams)];
  if (before !== undefined && after !== before && before * 1000 <= Date.now()) {
    problems.push(
      `scheduleParams.startTime cannot be changed once the flow's scheduled start (${new Date(before * 1000).toISOString()}) has passed`,
    );
  }
  if (problems.length > 0) throw errors.patchValidation(problems, about);
  const { description: _d, ...rest } = f;
  return { ...rest, ...next, lastOperation: { started: Date.now(), updated: 0, operation: "update" } };
}

export const FLOWS: EntityKind<FlowRow, PointerOp> = {
  collection: "flows",
  table: (store) => store.flows,
  notFound: (id) => errors.flowNotFound(id),
  list: FLOWS_LIST,
  view,
  create: (body, stamp, _req, svc) => create(body, stamp, svc),
  parsePatch: parseFlowPatch,
  applyPatch: applyFlowPatch,
  checkDeletable: () => undefined, // nothing refers to a flow
};

const PROVIDER_ONLY = ["FINALIZE", "FINALIZE_UPDATE", "PUBLISH"];

/** POST /flows/{id}/action?op=ENABLE|DISABLE; If-Match is optional (checked when sent). */
export function flowAction(req: ApiRequest, svc: Services, id: string): Reply {
  const entry = findOr404(FLOWS, req, svc, id);
  const ops = [...new Set(req.query.getAll("op"))];
  if (ops.length !== 1 || ops[0] === "") throw errors.badQueryParam("op", "give op once: ENABLE or DISABLE.");
  const op = ops[0];
  if (PROVIDER_ONLY.includes(op)) throw errors.providerOnlyAction(op, id);
  if (op !== "ENABLE" && op !== "DISABLE") throw errors.unsupportedAction(op, id);
  const target = op === "ENABLE" ? "enabled" : "disabled";
  if (entry.record.state === target) throw errors.actionNotApplicable(op, entry.record.state, id);
  const ifMatch = header(req.headers, "if-match")?.trim();
  if (ifMatch) checkIfMatch(FLOWS, entry.record, ifMatch, svc);
  const stamp = touched(entry.record, actorOf(req));
  const record: Flow = {
    ...entry.record,
    ...stamp,
    state: target,
    lastOperation: { started: stamp.updatedAt, updated: 0, operation: op.toLowerCase() },
  };
  svc.store.flows.replace({ ...entry, record });
  return { status: 200, body: { id, etag: stamp.etag } };
}
