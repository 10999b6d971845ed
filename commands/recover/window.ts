// When the interrupted run began (the earliest an object of its can have been created), and
// until when its provider may still be sending requests. Pure: the evidence is passed in.

/** Flow Service's clock may differ from this machine's: candidates may predate the bound by this much. */
export const CLOCK_SKEW_MS = 60_000;

export interface LockInfo {
  /** When the run that holds the lock took it: the start of that run. */
  timestamp: number;
  pid: number;
  hostname: string;
  /** Where a file backend keeps it: what is removed once the run that took it is known to be gone. */
  file?: string;
}

/** One entry of `pulumi stack history --json` (times as the CLI prints them, RFC 3339). */
export interface HistoryEntry {
  kind?: string;
  result?: string;
  startTime?: string;
  endTime?: string;
}

export interface RunStart {
  at: number;
  source: string;
}

/**
 * The latest moment that is certainly not after the interrupted run began:
 * --since when given; else the stack's lock (taken by the run when it began; a self-managed backend
 * keeps it after a kill); else the update history — the end of the last update if it succeeded (the
 * interrupted run came after it; a killed run is not recorded by a self-managed backend), or the
 * start of the last one if it did not (it may be the interrupted run itself, as Pulumi Cloud
 * records it). A string says why there is no such moment: no evidence at all, or a completed
 * update wrote the state after the interruption (Pulumi carries pending creates over), so the
 * history cannot tell which update came before the interrupted one.
 */
export function runStart(e: {
  since?: number;
  locks: readonly LockInfo[];
  history: readonly HistoryEntry[];
  /** The state's checkpoint time (ms). */
  checkpoint: number;
  /**
   * When the provider resource the pending creates used was created (its `created` in state, ms):
   * before any of their requests, so a lower bound when the history cannot tell.
   */
  providerCreated?: number;
}): RunStart | string {
  if (e.since !== undefined) return { at: e.since, source: "--since" };
  if (e.locks.length > 0) {
    const lock = [...e.locks].sort((a, b) => a.timestamp - b.timestamp)[0];
    return { at: lock.timestamp, source: `the stack's lock, taken by the interrupted run (pid ${lock.pid} on ${lock.hostname})` };
  }
  const newest = [...e.history]
    .filter((h) => h.startTime)
    .sort((a, b) => Date.parse(b.startTime as string) - Date.parse(a.startTime as string))[0];
  if (!newest) return "the stack has no lock and no update history";
  // The history's times are whole seconds, rounded down; the checkpoint is saved before the end.
  // An update that wrote the current state (succeeded, or failed as an `up` after `pulumi cancel`
  // does when a create is refused) ran after the interruption, carrying the pending creates over.
  // (A failed update that ended later without writing the state may be the interrupted run itself, as Pulumi Cloud records it.)
  const end = newest.endTime ? Date.parse(newest.endTime) : undefined;
  const wroteState = end !== undefined && end > e.checkpoint - 1500 && (newest.result === "succeeded" || end < e.checkpoint + 3000);
  if (wroteState) {
    const why = `the update that ended at ${newest.endTime} ran after the interruption (it wrote the current state, keeping the pending creates), so the history cannot tell when the interrupted run began`;
    if (e.providerCreated === undefined) return why;
    return { at: e.providerCreated, source: `the creation of the provider the pending creates used (its time in the state), as ${why}` };
  }
  if (newest.result === "succeeded" && newest.endTime) {
    return { at: Date.parse(newest.endTime), source: "the end of the stack's last completed update (pulumi stack history)" };
  }
  return {
    at: Date.parse(newest.startTime as string),
    source: `the start of the stack's last update, which ${newest.result ?? "did not finish"} (pulumi stack history)`,
  };
}

/**
 * Until when the interrupted run's provider may still send a POST: its host is not in the CLI's
 * process group, so it outlives a kill and finishes what it was given, within the retry budget and
 * one request timeout after the last create began (no later than the last checkpoint).
 */
export function settledAt(checkpointTime: number, config: { retryBudgetMs: number; requestTimeoutMs: number }): number {
  return checkpointTime + config.retryBudgetMs + config.requestTimeoutMs;
}

/** --since: an RFC 3339 time or milliseconds since the epoch. */
export function parseTime(text: string): number | undefined {
  const t = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  return Number.isFinite(t) ? t : undefined;
}

/** A stale lock: taken on this machine by a process that no longer exists. */
export function isStale(lock: LockInfo, hostname: string, alive: (pid: number) => boolean): boolean {
  return lock.hostname === hostname && !alive(lock.pid);
}
