// Dataflow runs as the provider and flowservice-health read them: the run shape Flow Service
// documents (monitor.md), a flow's `lastRun` output, and what a failed run's errors say about its
// cause. Pure: no requests here (provider/api/runs.ts makes them).
import { z } from "zod";
import { LiveStamps } from "./entity";

const RunErrorShape = z
  .object({
    code: z.string().optional(),
    message: z.string().optional(),
    extensions: z.object({ errorDetail: z.unknown().optional() }).passthrough().optional(),
  })
  .passthrough();
type RunErrorShape = z.infer<typeof RunErrorShape>;

const StatusSummary = z.object({ status: z.string().optional(), errors: z.array(RunErrorShape).optional() }).passthrough();

/** One run, read leniently: only what the provider uses is checked, the rest is kept. */
export const LiveRun = LiveStamps.extend({
  flowId: z.string(),
  metrics: z
    .object({
      durationSummary: z.object({ startedAtUTC: z.number().optional(), completedAtUTC: z.number().optional() }).passthrough().optional(),
      recordSummary: z
        .object({
          inputRecordCount: z.number().optional(),
          outputRecordCount: z.number().optional(),
          failedRecordCount: z.number().optional(),
        })
        .passthrough()
        .optional(),
      statusSummary: StatusSummary.optional(),
    })
    .passthrough()
    .optional(),
  activities: z.array(z.object({ id: z.string().optional(), statusSummary: StatusSummary.optional() }).passthrough()).optional(),
});
export type LiveRun = z.infer<typeof LiveRun>;

/** A flow as listed, with the summary of its latest run (absent before the first). */
export const LiveFlowSummary = LiveStamps.extend({
  sourceConnectionIds: z.array(z.string()).optional(),
  lastRunDetails: z.object({ id: z.string(), state: z.string().optional() }).passthrough().optional(),
  inheritedAttributes: z
    .object({
      sourceConnections: z
        .array(z.object({ id: z.string(), baseConnection: z.object({ id: z.string() }).passthrough().optional() }).passthrough())
        .optional(),
    })
    .passthrough()
    .optional(),
});
export type LiveFlowSummary = z.infer<typeof LiveFlowSummary>;

/** The `lastRun` output of a Dataflow (contract.md, "Dataflow runs"). Times are ISO 8601. */
export const LastRun = z.object({
  id: z.string(),
  status: z.string(),
  startedAt: z.string().optional(),
  completedAt: z.string().optional(),
  errors: z.array(z.object({ code: z.string(), message: z.string() })),
});
export type LastRun = z.infer<typeof LastRun>;

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function runStatus(run: LiveRun): string {
  return run.metrics?.statusSummary?.status ?? "unknown";
}

/** A run's errors with the source's own words: Adobe's message, then the activity's errorDetail. */
export function runErrors(run: LiveRun): Array<{ code: string; message: string; detail?: string }> {
  const fromActivities = (run.activities ?? []).flatMap((a) => a.statusSummary?.errors ?? []);
  const errors: RunErrorShape[] = run.metrics?.statusSummary?.errors?.length ? run.metrics.statusSummary.errors : fromActivities;
  const detailOf = (e: RunErrorShape) => {
    const own = e.extensions?.errorDetail;
    const fromActivity = fromActivities.find((a) => a.code === e.code)?.extensions?.errorDetail;
    const d = own ?? fromActivity;
    return typeof d === "string" ? d : d === undefined ? undefined : JSON.stringify(d);
  };
  return errors.map((e) => ({ code: e.code ?? "unknown", message: e.message ?? "", detail: detailOf(e) }));
}

export function lastRunOf(run: LiveRun): LastRun {
  const d = run.metrics?.durationSummary;
  const out: LastRun = {
    id: run.id,
    status: runStatus(run),
    errors: runErrors(run).map((e) => ({ code: e.code, message: e.detail ? `${e.message} ${e.detail}`.trim() : e.message })),
  };
  const startedAt = iso(d?.startedAtUTC);
  const completedAt = iso(d?.completedAtUTC);
  if (startedAt) out.startedAt = startedAt;
  if (completedAt) out.completedAt = completedAt;
  return out;
}

export type FailureCause = "credentials" | "processing" | "partialSuccess" | "other";

/**
 * Why a run failed. Flow Service has no credentials code: a source read failure
 * (CONNECTOR-1001-500) whose detail is the source's 401 / invalid_client / expired-credential text,
 * or nested code 2200 with such text, is a credentials failure (sources/notifications.md; the
 * sources FAQ). Other CONNECTOR-1001 failures (the source unreachable, a missing file) are "other".
 */
export function failureCause(run: LiveRun): FailureCause {
  const status = runStatus(run).toLowerCase();
  const errors = runErrors(run);
  const credentialsText = /\b401\b|unauthori[sz]ed|invalid_client|invalid[_ ]grant|expired|credential|authenticat|INVALID_LOGIN/i;
  if (errors.some((e) => e.code.startsWith("CONNECTOR-1001") && credentialsText.test(`${e.message} ${e.detail ?? ""}`)))
    return "credentials";
  if (status === "partialsuccess") return "partialSuccess";
  if (errors.some((e) => e.code.startsWith("CONNECTOR-2001"))) return "processing";
  return "other";
}

/** What a Connection's outputs record of the runs re-triggered after its last credential write (`retriggeredRuns`). */
export const RetriggerOutcome = z.object({
  /** When (ISO 8601). */
  at: z.string(),
  runs: z.array(z.object({ flowId: z.string(), runId: z.string(), newRunId: z.string() })),
  skipped: z.array(z.object({ flowId: z.string(), runId: z.string().optional(), reason: z.string() })),
  /** The step could not finish (the credential write itself stands). */
  error: z.string().optional(),
});
export type RetriggerOutcome = z.infer<typeof RetriggerOutcome>;

/** The share of a run's records that failed (0 when it read none). */
export function failedRecordShare(run: LiveRun): number {
  const r = run.metrics?.recordSummary;
  const input = r?.inputRecordCount ?? 0;
  return input > 0 ? (r?.failedRecordCount ?? 0) / input : 0;
}
