// The runs API: GET /runs (filters, order, pages, count), GET /runs/{id}, POST /runs (an on-demand
// run of a flow scheduled once) and POST /runs/{id}/action?op=re-trigger, plus a flow's
// lastRunDetails. Facts: flow-service-api.md, "Dataflow runs"; the emulator's own choices are in
// docs/emulator.md ("Dataflow runs").
import { z } from "zod";
import { readJson, zodProblems } from "./body";
import { type CollectionSpec, listCollection, NEWEST_FIRST } from "./collection";
import type { ApiRequest, Reply } from "../data/context";
import { errors } from "./errors";
import type { Fields } from "./listing";
import { FlowError } from "./problem";
import type { Flow } from "../data/records";
import { RECORDS_PER_RUN, type Run, type Runs, statusAt } from "./runs";
import type { Store } from "../data/store";

const INVALID = "Invalid request";
const runErrors = {
  notFound: (id: string) => errors.entityNotFound(id, "runs"),
  invalidState: (id: string, status: string) =>
    new FlowError(
      "1387",
      400,
      INVALID,
      `The run ${id} is in an invalid state (${status}) for re-trigger: only failed runs, and successful runs that ingested no records, can be re-triggered.`,
      { id, type: "runs" },
    ),
  flowNotEnabled: (runId: string, flowId: string) =>
    new FlowError(
      "1388",
      400,
      INVALID,
      `The flow ${flowId} of run ${runId} is not enabled: enable it (POST /flows/${flowId}/action?op=ENABLE) before re-triggering its runs.`,
      { id: flowId, type: "flows" },
    ),
  // Adobe documents 1380–1386 for on-demand runs without saying which is which here: one code, the reason in the message.
  onDemand: (message: string) => new FlowError("1380", 400, INVALID, message, { id: "runs", type: "runs" }),
};

function runFields(now: number): Fields<Run> {
  return {
    id: { kind: "string", get: (r) => r.id, sortable: true },
    flowId: { kind: "string", get: (r) => r.flowId },
    "flowSpec.id": { kind: "string", get: (r) => r.flowSpec.id },
    createdAt: { kind: "number", get: (r) => r.startedAt, sortable: true },
    updatedAt: { kind: "number", get: (r) => Math.min(now, r.completedAt), sortable: true },
    "metrics.statusSummary.status": { kind: "string", get: (r) => statusAt(r, now).toLowerCase() },
    "metrics.durationSummary.startedAtUTC": { kind: "number", get: (r) => r.startedAt, sortable: true },
    "metrics.durationSummary.completedAtUTC": { kind: "number", get: (r) => (now < r.completedAt ? undefined : r.completedAt) },
    sandboxName: { kind: "string", get: (r) => r.sandboxName },
  };
}

function activity(r: Run, id: "copyActivity" | "promotionActivity", now: number): Record<string, unknown> {
  const status = statusAt(r, now);
  const failedHere = status !== "inProgress" && r.failedActivity === id;
  // A run that failed while copying never promoted anything.
  const skipped = status !== "inProgress" && r.failedActivity === "copyActivity" && id === "promotionActivity";
  const input = r.failedActivity === "copyActivity" ? 0 : RECORDS_PER_RUN;
  const failed = id === "promotionActivity" ? r.failedRecords : 0;
  return {
    id,
    updatedAtUTC: Math.min(now, r.completedAt),
    durationSummary: { startedAtUTC: r.startedAt, ...(status !== "inProgress" ? { completedAtUTC: r.completedAt } : {}) },
    recordSummary: { inputRecordCount: input, outputRecordCount: input - failed, failedRecordCount: failed },
    statusSummary: {
      status: skipped ? "cancelled" : failedHere ? r.outcome : status === "inProgress" ? "inProgress" : "success",
      ...(failedHere ? { errors: r.errors } : {}),
    },
  };
}

function runView(r: Run, now: number): Record<string, unknown> {
  const status = statusAt(r, now);
  const done = status !== "inProgress";
  const input = r.failedActivity === "copyActivity" ? 0 : RECORDS_PER_RUN;
  return {
    id: r.id,
    createdAt: r.startedAt,
    updatedAt: Math.min(now, r.completedAt),
    sandboxId: r.sandboxId,
    sandboxName: r.sandboxName,
    imsOrgId: r.imsOrgId,
    flowId: r.flowId,
    flowSpec: r.flowSpec,
    etag: r.etag,
    metrics: {
      durationSummary: { startedAtUTC: r.startedAt, ...(done ? { completedAtUTC: r.completedAt } : {}) },
      recordSummary: done
        ? { inputRecordCount: input, outputRecordCount: input - r.failedRecords, failedRecordCount: r.failedRecords }
        : { inputRecordCount: 0, outputRecordCount: 0, failedRecordCount: 0 },
      statusSummary: { status, ...(done && r.errors.length > 0 ? { errors: r.errors } : {}) },
    },
    activities: [activity(r, "copyActivity", now), activity(r, "promotionActivity", now)],
  };
}

/** The `lastRunDetails` of a flow's GET: absent before its first run. */
export function lastRunDetails(runs: Runs, flowId: string): Record<string, unknown> | undefined {
  const r = runs.latest(flowId);
  if (!r) return undefined;
  const now = runs.clock.now();
  const state = statusAt(r, now);
  return { id: r.id, state, startedAtUTC: r.startedAt, ...(state !== "inProgress" ? { completedAtUTC: r.completedAt } : {}) };
}

/** Status filter values are compared without case: the docs filter on "Failed", runs show "failed". */
function withStatusLowercased(req: ApiRequest): ApiRequest {
  const query = new URLSearchParams();
  for (const [k, v] of req.query) {
    const m = k === "property" ? /^(metrics\.statusSummary\.status(?:==|!=))(.*)$/.exec(v) : null;
    query.append(k, m ? m[1] + m[2].toLowerCase() : v);
  }
  return { ...req, query };
}

function findRun(runs: Runs, req: ApiRequest, id: string): Run {
  const r = runs.get(id);
  if (!r || r.imsOrgId !== req.caller.orgId || r.sandboxName !== req.caller.sandboxName) throw runErrors.notFound(id);
  return r;
}

function findFlow(store: Store, req: ApiRequest, id: string): Flow | undefined {
  return store.flows.find(req.caller.orgId, req.caller.sandboxName, id)?.record;
}

const OnDemandBody = z.object({
  flowId: z.string().min(1),
  params: z.object({
    startTime: z.coerce.number().int(),
    windowStartTime: z.coerce.number().int(),
    windowEndTime: z.coerce.number().int(),
    deltaColumn: z
      .object({ name: z.string().min(1) })
      .passthrough()
      .optional(),
  }),
});

/** The runs routes; `kind` as routes.ts classified the request. */
export function handleRuns(kind: string, req: ApiRequest, runs: Runs, store: Store, id: string): Reply {
  const now = runs.clock.now();
  switch (kind) {
    case "list": {
      const spec: CollectionSpec<Run> = { path: "/runs", fields: runFields(now), defaultOrder: NEWEST_FIRST };
      const rows = runs.list(req.caller.orgId, req.caller.sandboxName).map((r) => ({ item: r, seq: r.seq }));
      return listCollection(withStatusLowercased(req), rows, spec, (r) => runView(r, now));
    }
    case "get":
      return { status: 200, body: { items: [runView(findRun(runs, req, id), now)] } };
    case "action": {
      const ops = [...new Set(req.query.getAll("op"))];
      if (ops.length !== 1 || ops[0] !== "re-trigger") throw errors.badQueryParam("op", "the only run action is op=re-trigger.");
      const run = findRun(runs, req, id);
      const status = statusAt(run, now);
      // Emulated successful runs always ingest records, so only failed runs qualify here.
      if (status !== "failed") throw runErrors.invalidState(id, status);
      const flow = findFlow(store, req, run.flowId);
      if (!flow) throw errors.flowNotFound(run.flowId);
      if (flow.state !== "enabled") throw runErrors.flowNotEnabled(id, flow.id);
      // It re-reads the original run's window only (retry-flows.md).
      const next = runs.start(flow, "re-trigger", run.windowStartTime, run.windowEndTime, now);
      return { status: 200, body: { id: next.id, etag: next.etag } };
    }
    case "post": {
      const body = readJson(req, false);
      if (body === undefined) throw errors.emptyBody();
      const parsed = OnDemandBody.safeParse(body);
      if (!parsed.success) throw errors.validation(zodProblems(parsed.error));
      const { flowId, params } = parsed.data;
      const flow = findFlow(store, req, flowId);
      if (!flow) throw errors.flowNotFound(flowId);
      if (flow.scheduleParams.frequency !== "once") {
        throw runErrors.onDemand(
          `Flow ${flowId} is scheduled '${String(flow.scheduleParams.frequency)}': on-demand runs are for flows scheduled once.`,
        );
      }
      if (flow.state !== "enabled") throw runErrors.onDemand(`Flow ${flowId} is not enabled.`);
      if (params.windowStartTime > params.windowEndTime) {
        throw runErrors.onDemand("params.windowStartTime must not be after params.windowEndTime.");
      }
      const run = runs.start(flow, "on-demand", params.windowStartTime, params.windowEndTime, Math.max(now, params.startTime * 1000));
      return { status: 201, body: { id: run.id, etag: run.etag } };
    }
  }
  throw errors.routeNotFound(req.method, `/runs${id ? `/${id}` : ""}`);
}
