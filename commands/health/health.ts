// flowservice-health: the health of a stack's (or a sandbox's) dataflows from their runs. Per flow:
// its state, its last run (lastRunDetails), the failed or partly failed runs since a time, why they
// failed, and for a credentials failure the connection to fix (flow → source connection → base
// connection, from the flow's inheritedAttributes) and whether its test passes now. With
// `retrigger`, the runs that failed on credentials since the flow's last run that did not fail are
// re-triggered once their connection passes its test.
//
// Requests: the flows (a listing page per 100, or `id==` per 100 for a stack), the failed and
// partial runs since the time (one listing for a sandbox; `flowId==` per 50 flows for a stack), a
// run read per 50 last runs older than the window, and one test per connection named. --retrigger
// adds, for the flows to re-trigger, their runs since the time (`flowId==` per 50) and one POST per run.
import { ApiError } from "../../provider/core/errors";
import {
  type FailureCause,
  type LiveFlowSummary,
  LiveRun,
  failedRecordShare,
  failureCause,
  lastRunOf,
  runStatus,
} from "../../provider/core/runs";
import type { FlowServiceClient } from "../../provider/api/client";
import { RUNS_PER_REQUEST, flowSummaries, runsOfFlows } from "../../provider/api/runs";

type Cause = FailureCause | "disabled" | "no-run" | "missing";

export interface FlowRef {
  id: string;
  /** The stack's resource name, when the flow comes from a stack. */
  resource?: string;
  sandbox: string;
}

interface ConnectionCheck {
  id: string;
  /** The stack's resource name or the connection's name, when known. */
  name?: string;
  /** Whether GET /connections/{id}/test passes now; undefined when it could not be run. */
  testPasses?: boolean;
  testError?: string;
}

interface RetriggerResult {
  /** Absent when the flow's runs were skipped as a whole. */
  runId?: string;
  newRunId?: string;
  /** Why it was not re-triggered (the API's code and message, or the reason it was skipped). */
  skipped?: string;
}

export interface FlowHealth {
  id: string;
  name?: string;
  resource?: string;
  sandbox: string;
  state?: string;
  healthy: boolean;
  cause?: Cause;
  /** What a person reads: the cause in words. */
  summary: string;
  lastRun?: ReturnType<typeof lastRunOf>;
  failedRuns: Array<ReturnType<typeof lastRunOf> & { cause: FailureCause }>;
  connections: ConnectionCheck[];
  retriggered: RetriggerResult[];
}

export interface HealthReport {
  since: string;
  partialThreshold: number;
  flows: FlowHealth[];
  healthy: boolean;
}

export interface HealthOptions {
  since: number;
  /** A partial success is unhealthy above this share of failed records (0–1). */
  partialThreshold: number;
  retrigger: boolean;
}

type Client = Pick<FlowServiceClient, "list" | "listPage" | "get" | "testConnection" | "retriggerRun" | "sandboxOf">;

const FAILED_OR_PARTIAL = "metrics.statusSummary.status==failed,partialSuccess";

function byId<T extends { id: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((i) => [i.id, i]));
}

function baseConnectionsOf(flow: LiveFlowSummary): string[] {
  const ids = (flow.inheritedAttributes?.sourceConnections ?? []).map((s) => s.baseConnection?.id).filter((x): x is string => !!x);
  return [...new Set(ids)];
}

function describe(cause: Cause | undefined, run?: ReturnType<typeof lastRunOf>, share?: number): string {
  const error = run?.errors[0];
  const said = error ? `: ${error.code} ${error.message}` : "";
  switch (cause) {
    case "credentials":
      return `last run failed on the source's credentials${said}`;
    case "processing":
      return `last run failed processing the data${said}`;
    case "partialSuccess":
      return `last run partly failed: ${Math.round((share ?? 0) * 1000) / 10}% of records failed${said}`;
    case "other":
      return `last run failed${said}`;
    case "disabled":
      return "the flow is disabled: it does not run";
    case "no-run":
      return "no run yet";
    case "missing":
      return "the flow is not in Flow Service (deleted outside the stack?)";
    default:
      return run ? `last run ${run.status}` : "healthy";
  }
}

/** The health of the flows of one sandbox (`refs` undefined: every flow of it). */
export async function sandboxHealth(
  client: Client,
  sandbox: string,
  refs: readonly FlowRef[] | undefined,
  opts: HealthOptions,
  names: ReadonlyMap<string, string> = new Map(),
): Promise<FlowHealth[]> {
  const o = { sandbox };
  const ids = refs?.map((r) => r.id);
  const flows = await flowSummaries(client as FlowServiceClient, ids, o);
  const window = [FAILED_OR_PARTIAL, `metrics.durationSummary.startedAtUTC>=${opts.since}`];
  const failing = await runsOfFlows(client as FlowServiceClient, ids, window, o);
  const runs = byId(failing);
  // Last runs that failed before the window: read by id, 50 per request.
  const older = flows.map((f) => f.lastRunDetails).filter((d) => d && /failed|partial/i.test(d.state ?? "") && !runs.has(d.id));
  for (let i = 0; i < older.length; i += RUNS_PER_REQUEST) {
    const batch = older.slice(i, i + RUNS_PER_REQUEST).map((d) => d?.id);
    for (const r of await client.list("runs", LiveRun, [`id==${batch.join(",")}`], o)) runs.set(r.id, r);
  }
  const live = byId(flows);
  const report: FlowHealth[] = [];
  const tests = new Map<string, Promise<ConnectionCheck>>();
  const test = (id: string) => {
    let t = tests.get(id);
    if (!t) {
      t = client.testConnection(id, o).then(
        (passes) => ({ id, name: names.get(id), testPasses: passes }),
        (e: Error) => ({ id, name: names.get(id), testError: e.message }),
      );
      tests.set(id, t);
    }
    return t;
  };
  for (const ref of refs ?? flows.map((f): FlowRef => ({ id: f.id, sandbox }))) {
    const flow = live.get(ref.id);
    const base = { id: ref.id, resource: ref.resource, sandbox, retriggered: [] as RetriggerResult[] };
    if (!flow) {
      report.push({ ...base, healthy: false, cause: "missing", summary: describe("missing"), failedRuns: [], connections: [] });
      continue;
    }
    const failedRuns = failing
      .filter((r) => r.flowId === flow.id)
      .map((r) => ({ ...lastRunOf(r), cause: failureCause(r) }))
      .sort((a, b) => (b.startedAt ?? "").localeCompare(a.startedAt ?? ""));
    const last = flow.lastRunDetails ? runs.get(flow.lastRunDetails.id) : undefined;
    const lastRun = last
      ? lastRunOf(last)
      : flow.lastRunDetails
        ? { id: flow.lastRunDetails.id, status: flow.lastRunDetails.state ?? "unknown", errors: [] }
        : undefined;
    let cause: Cause | undefined;
    const share = last ? failedRecordShare(last) : undefined;
    if (flow.state === "disabled") cause = "disabled";
    else if (!flow.lastRunDetails) cause = "no-run";
    else if (last && runStatus(last).toLowerCase() === "failed") cause = failureCause(last);
    else if (share !== undefined && share > opts.partialThreshold) cause = "partialSuccess";
    const credentialRuns = failedRuns.some((r) => r.cause === "credentials") || cause === "credentials";
    const connections = credentialRuns ? await Promise.all(baseConnectionsOf(flow).map(test)) : [];
    report.push({
      ...base,
      name: flow.name,
      state: flow.state,
      healthy: cause === undefined,
      cause,
      summary: describe(cause, lastRun, share),
      lastRun,
      failedRuns,
      connections,
    });
  }
  if (opts.retrigger) await retriggerAll(client, report, o, opts.since);
  return report;
}

/**
 * Re-triggers, per flow, the runs that failed on credentials since its last run that did not fail
 * (so a run already re-triggered, in progress or succeeded, stops the list), when every connection
 * named passes its test now and the flow is enabled. A refusal (1387, 1388) is reported, not thrown.
 */
async function retriggerAll(client: Client, report: FlowHealth[], o: { sandbox: string }, since: number): Promise<void> {
  const candidates = report.filter(
    (f) =>
      f.failedRuns.some((r) => r.cause === "credentials") && f.connections.length > 0 && f.connections.every((c) => c.testPasses === true),
  );
  for (const f of report) {
    if (f.failedRuns.some((r) => r.cause === "credentials") && !candidates.includes(f)) {
      const failingTest = f.connections.find((c) => c.testPasses !== true);
      f.retriggered.push({
        skipped: failingTest
          ? `connection ${failingTest.id} does not pass its test yet: fix its credentials first`
          : "no connection to test",
      });
    }
  }
  const enabled = candidates.filter((f) => {
    if (f.state !== "disabled") return true;
    f.retriggered.push({ skipped: "the flow is disabled: enable it first (Flow Service refuses, FLOW-1388-400)" });
    return false;
  });
  if (enabled.length === 0) return;
  const recent = await runsOfFlows(
    client as FlowServiceClient,
    enabled.map((f) => f.id),
    [`metrics.durationSummary.startedAtUTC>=${since}`],
    o,
  );
  for (const f of enabled) {
    const mine = recent
      .filter((r) => r.flowId === f.id)
      .sort((a, b) => (b.metrics?.durationSummary?.startedAtUTC ?? 0) - (a.metrics?.durationSummary?.startedAtUTC ?? 0));
    const toRetrigger: LiveRun[] = [];
    for (const r of mine) {
      if (runStatus(r).toLowerCase() !== "failed") break;
      if (failureCause(r) === "credentials") toRetrigger.push(r);
    }
    for (const r of toRetrigger.reverse()) f.retriggered.push(await retriggerOne(client, r.id, o));
  }
}

/** One re-trigger; the documented refusals (1387 invalid state, 1388 flow not enabled) are reported, not thrown. */
export async function retriggerOne(client: Pick<Client, "retriggerRun">, runId: string, o: { sandbox: string }): Promise<RetriggerResult> {
  try {
    return { runId, newRunId: (await client.retriggerRun(runId, o)).id };
  } catch (e) {
    if (e instanceof ApiError && e.status >= 400 && e.status < 500) {
      const why = e.apiCode?.includes("1388")
        ? "the flow is not enabled (FLOW-1388-400): enable it, then re-trigger"
        : e.apiCode?.includes("1387")
          ? "the run is not in a state that can be re-triggered (FLOW-1387-400)"
          : `${e.apiCode ?? e.status} ${e.detail ?? e.title ?? ""}`.trim();
      return { runId, skipped: why };
    }
    throw e;
  }
}

export function summarize(flows: FlowHealth[], opts: HealthOptions): HealthReport {
  return {
    since: new Date(opts.since).toISOString(),
    partialThreshold: opts.partialThreshold,
    flows,
    healthy: flows.every((f) => f.healthy),
  };
}
