// Re-triggering the failed runs of the dataflows that read through a base connection, after a
// credential write that passed its test (Connection `retriggerFailedRuns`). Per dataflow, the runs
// that failed on credentials since its last run that did not fail: a run already re-triggered (in
// progress or succeeded) ends the list, so a repeated `up` re-triggers nothing twice. Processing
// failures are left alone (the same data would fail again); a disabled flow is never re-triggered.
// Requests: the source connections of the base connection, their flows, the flows' runs (newest
// first, `flowId==…` per 50 flows, pages only until each flow's last non-failed run), one POST per run.
import { z } from "zod";
import { ApiError } from "../core/errors";
import { LiveStamps } from "../core/entity";
import { LiveFlowSummary, LiveRun, type RetriggerOutcome, failureCause, runStatus } from "../core/runs";
import type { CallOptions, FlowServiceClient, ListCursor } from "./client";
import { RUNS_PER_REQUEST } from "./runs";

const SourceRef = LiveStamps.extend({ baseConnectionId: z.string().optional() });
/** Pages of runs read per 50 flows before giving up on finding each flow's last non-failed run. */
const MAX_RUN_PAGES = 20;

type Client = Pick<FlowServiceClient, "list" | "listPage" | "retriggerRun">;

/** Per flow, the runs that failed on credentials since its last run that did not fail (oldest first). */
async function failedSinceLastGood(client: Client, flowIds: string[], o: CallOptions): Promise<Map<string, LiveRun[]>> {
  const found = new Map<string, LiveRun[]>(flowIds.map((id) => [id, []]));
  const settled = new Set<string>();
  let cursor: readonly string[] | ListCursor | undefined = [`flowId==${flowIds.join(",")}`];
  for (let pages = 0; cursor !== undefined && settled.size < flowIds.length && pages < MAX_RUN_PAGES; pages++) {
    const page: Awaited<ReturnType<Client["listPage"]>> = await client.listPage("runs", LiveRun, cursor, o);
    const runs = (page.items as LiveRun[]).sort(
      (a, b) => (b.metrics?.durationSummary?.startedAtUTC ?? 0) - (a.metrics?.durationSummary?.startedAtUTC ?? 0),
    );
    for (const r of runs) {
      if (settled.has(r.flowId) || !found.has(r.flowId)) continue;
      if (runStatus(r).toLowerCase() !== "failed") settled.add(r.flowId);
      else if (failureCause(r) === "credentials") found.get(r.flowId)?.unshift(r);
    }
    cursor = page.next;
  }
  return found;
}

export async function retriggerThrough(client: Client, connectionId: string, o: CallOptions, now = Date.now()): Promise<RetriggerOutcome> {
  const outcome: RetriggerOutcome = { at: new Date(now).toISOString(), runs: [], skipped: [] };
  const sources = await client.list("sourceConnections", SourceRef, [`baseConnectionId==${connectionId}`], o);
  if (sources.length === 0) return outcome;
  const flows = await client.list("flows", LiveFlowSummary, [`sourceConnectionIds==${sources.map((s) => s.id).join(",")}`], o);
  for (let i = 0; i < flows.length; i += RUNS_PER_REQUEST) {
    const batch = flows.slice(i, i + RUNS_PER_REQUEST);
    const failed = await failedSinceLastGood(
      client,
      batch.map((f) => f.id),
      o,
    );
    for (const flow of batch) {
      const runs = failed.get(flow.id) ?? [];
      if (runs.length === 0) continue;
      if (flow.state === "disabled") {
        outcome.skipped.push({
          flowId: flow.id,
          reason: `the flow is disabled: ${runs.length} failed run(s) not re-triggered; enable it first`,
        });
        continue;
      }
      for (const r of runs) {
        try {
          outcome.runs.push({ flowId: flow.id, runId: r.id, newRunId: (await client.retriggerRun(r.id, o)).id });
        } catch (e) {
          if (!(e instanceof ApiError) || e.status < 400 || e.status >= 500) throw e;
          outcome.skipped.push({ flowId: flow.id, runId: r.id, reason: `${e.apiCode ?? e.status}: ${e.detail ?? e.title ?? e.message}` });
        }
      }
    }
  }
  return outcome;
}
