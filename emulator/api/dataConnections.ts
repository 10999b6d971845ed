// Source connections (what a flow reads: a base connection's connector plus a path or table) and
// target connections (where it writes: the Data Lake and a dataset), as two kinds of one shape.
import { z } from "zod";
import { zodProblems } from "./body";
import { type CollectionSpec, NEWEST_FIRST, recordFields, stampFields } from "./collection";
import type { EntityKind, Services } from "./entity";
import { type Resource, errors } from "./errors";
import { type PatchRules, type PointerOp, applyPointerPatch, parsePointerPatch } from "./pointerPatch";
import type { DataConnection, Stamp } from "../data/records";
import { named } from "../data/records";
import { DATA_LAKE_SPEC_ID, findSpec } from "../data/specs";
import type { Row } from "../data/store";
import { auditView } from "../data/stamp";
import { specAt } from "./catalog";

type Role = "source" | "target";
type DataRow = Row<DataConnection>;

const Json = z.record(z.string(), z.unknown());
const NonEmpty = z.string().refine((s) => s.trim() !== "", "must not be empty");
const SpecRef = z.object({ id: z.string().min(1), version: z.string().min(1).optional() });
// Adobe's CreateSourceConnectionRequest requires name, connectionSpec and data; a target's name is optional.
const CreateBody = {
  source: z.object({
    name: NonEmpty,
    description: z.string().optional(),
    baseConnectionId: z.string().min(1).optional(),
    connectionSpec: SpecRef,
    data: Json,
    params: Json.optional(),
  }),
  target: z.object({
    name: NonEmpty.optional(),
    description: z.string().optional(),
    baseConnectionId: z.string().min(1).optional(),
    connectionSpec: SpecRef,
    data: Json,
    params: Json.optional(),
  }),
};
// What a PATCH leaves must still be a valid entity.
const Patched = {
  source: z.object({ name: NonEmpty, description: z.string().optional(), data: Json, params: Json.optional() }),
  target: z.object({ name: NonEmpty.optional(), description: z.string().optional(), data: Json, params: Json.optional() }),
};

const label = (role: Role) => `${role} connection`;

/** Checks that depend on the connector: the Data Lake target needs a dataset. */
function connectorProblems(specId: string, params: Record<string, unknown> | undefined): string[] {
  if (specId === DATA_LAKE_SPEC_ID && typeof params?.dataSetId !== "string") {
    return ["params.dataSetId is required by the Data Lake target: the id of the dataset the flow writes to"];
  }
  return [];
}

function create(role: Role, raw: unknown, stamp: Stamp, svc: Services): Omit<DataRow, "seq"> {
  const parsed = CreateBody[role].safeParse(raw);
  if (!parsed.success) throw errors.validation(zodProblems(parsed.error));
  const body = parsed.data;
  const { spec, version } = specAt("connection spec", findSpec, body.connectionSpec);
  const usable = role === "source" ? spec.attributes.isSource === true : spec.attributes.isDestination === true;
  if (!usable)
    throw errors.badSpecId(
      `The spec ID provided is invalid: connection spec ${spec.id} (${spec.name}) cannot be used for a ${label(role)}.`,
    );

  const problems: string[] = [];
  if (body.baseConnectionId !== undefined) {
    const base = svc.store.connections.find(stamp.imsOrgId, stamp.sandboxName, body.baseConnectionId);
    if (!base) problems.push(`baseConnectionId '${body.baseConnectionId}' is not a base connection in this organization and sandbox`);
    else if (base.record.connectionSpec.id !== spec.id) {
      problems.push(
        `baseConnectionId '${body.baseConnectionId}' is a connection of connector ${base.record.connectionSpec.id}; a ${label(role)} of ${spec.name} (${spec.id}) needs a base connection of the same connector`,
      );
    }
  } else if (spec.authSpec.length > 0) {
    problems.push(`baseConnectionId is required: ${spec.name} reads with the credentials of a base connection of the same connector`);
  }
  problems.push(...connectorProblems(spec.id, body.params));
  if (problems.length > 0) throw errors.validation(problems);

  const record: DataConnection = {
    ...stamp,
    ...named(body),
    ...(body.baseConnectionId !== undefined ? { baseConnectionId: body.baseConnectionId } : {}),
    connectionSpec: { id: spec.id, version },
    state: "enabled",
    data: body.data,
    ...(body.params !== undefined ? { params: body.params } : {}),
  };
  return { record };
}

function view(c: DataConnection, svc: Services): Record<string, unknown> {
  const base = c.baseConnectionId !== undefined ? svc.store.connections.get(c.baseConnectionId)?.record : undefined;
  return {
    ...auditView(c),
    id: c.id,
    ...named(c),
    ...(c.baseConnectionId !== undefined ? { baseConnectionId: c.baseConnectionId } : {}),
    state: c.state,
    data: c.data,
    connectionSpec: c.connectionSpec,
    ...(c.params !== undefined ? { params: c.params } : {}),
    version: c.version,
    etag: c.etag,
    ...(base ? { inheritedAttributes: { baseConnection: { id: base.id, connectionSpec: base.connectionSpec } } } : {}),
  };
}

function listSpec(role: Role): CollectionSpec<DataConnection> {
  return {
    path: role === "source" ? "/sourceConnections" : "/targetConnections",
    defaultOrder: NEWEST_FIRST,
    fields: {
      ...recordFields(),
      baseConnectionId: { kind: "string", get: (c) => c.baseConnectionId },
      "connectionSpec.id": { kind: "string", get: (c) => c.connectionSpec.id, sortable: true },
      "connectionSpec.version": { kind: "string", get: (c) => c.connectionSpec.version },
      "data.format": { kind: "string", get: (c) => (typeof c.data.format === "string" ? c.data.format : undefined) },
      "params.dataSetId": { kind: "string", get: (c) => (typeof c.params?.dataSetId === "string" ? c.params.dataSetId : undefined) },
      ...stampFields(),
    },
  };
}

function rules(role: Role, about: Resource): PatchRules {
  return {
    roots: ["name", "description", "data", "params"],
    frozen: {
      connectionSpec: (path) => errors.specNotUpdatable(path, about, `connection spec of a ${label(role)}`),
      baseConnectionId: (path) =>
        errors.patchValidation(
          [`path '${path}' cannot be patched: the base connection of a ${label(role)} cannot be changed; create a new ${label(role)}`],
          about,
        ),
    },
  };
}

function applyPatch(role: Role, collection: string, entry: DataRow, ops: PointerOp[]): DataConnection {
  const c = entry.record;
  const about = { id: c.id, type: collection };
  const doc: Record<string, unknown> = { data: c.data };
  for (const k of ["name", "description", "params"] as const) if (c[k] !== undefined) doc[k] = c[k];
  const parsed = Patched[role].safeParse(applyPointerPatch(doc, ops, about));
  if (!parsed.success) throw errors.patchValidation(zodProblems(parsed.error), about);
  const problems = connectorProblems(c.connectionSpec.id, parsed.data.params);
  if (problems.length > 0) throw errors.patchValidation(problems, about);
  const { name: _n, description: _d, params: _p, ...rest } = c;
  return { ...rest, ...parsed.data };
}

function dataConnectionKind(role: Role): EntityKind<DataRow, PointerOp> {
  const collection = role === "source" ? "sourceConnections" : "targetConnections";
  return {
    collection,
    table: (store) => store[collection],
    notFound: (id) => errors.entityNotFound(id, collection),
    list: listSpec(role),
    view,
    create: (body, stamp, _req, svc) => create(role, body, stamp, svc),
    parsePatch: (body, id) => parsePointerPatch(body, { id, type: collection }, rules(role, { id, type: collection })),
    applyPatch: (entry, ops) => applyPatch(role, collection, entry, ops),
    checkDeletable: (entry, svc) => {
      const c = entry.record;
      const key = role === "source" ? "sourceConnectionIds" : "targetConnectionIds";
      const flows = svc.store.flows.list(c.imsOrgId, c.sandboxName).filter((f) => f.record[key].includes(c.id));
      if (flows.length > 0)
        throw errors.usedByFlow(
          c.id,
          collection,
          flows.map((f) => f.record.id),
        );
    },
  };
}

export const SOURCE_CONNECTIONS = dataConnectionKind("source");
export const TARGET_CONNECTIONS = dataConnectionKind("target");
