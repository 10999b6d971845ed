// Dataflow runs: every enabled flow produces runs on its schedule, by the emulator's clock (see
// clock.ts). A run appears RUN_DELAY_S after its scheduled time (Adobe: "about 2–3 minutes after
// startTime"), is inProgress for RUN_DURATION_MS, then shows its outcome. The outcome is fixed when
// the run starts: the credentials refused by the source system (the same rule as GET
// /connections/{id}/test) fail it with CONNECTOR-1001-500 on copyActivity; injected failures
// (runFailures.ts) give processing errors or partial success. Runs live in memory only.
import { randomUUID } from "node:crypto";
import type { Clock } from "../data/clock";
import type { Flow, Stamp } from "../data/records";
import { type InjectedFailure, RunFailures } from "../data/runFailures";
import { startTimeOf } from "./schedule";
import type { SourceSystem } from "../data/sourceSystem";
import { newEtag } from "../data/stamp";
import type { Row, Store } from "../data/store";

/** Seconds between a run's scheduled time and its start (Adobe: about 2–3 minutes). */
const RUN_DELAY_S = 150;
/** How long a run is inProgress. */
const RUN_DURATION_MS = 60_000;
/** Records each run reads (the emulator has no data; counts are what monitoring shows). */
export const RECORDS_PER_RUN = 1000;
/** When the clock jumps past more runs of one flow than this, only the latest ones are produced. */
const MAX_CATCH_UP_RUNS = 100;

const PERIOD_S: Record<string, number> = { minute: 60, hour: 3600, day: 86_400, week: 604_800 };

export type Outcome = "success" | "failed" | "partialSuccess";
type RunTrigger = "schedule" | "re-trigger" | "on-demand";

export interface RunError {
  code: string;
  message: string;
  extensions?: { errorDetail: string; errors?: Array<{ code: string; message: string }> };
}

export interface Run {
  id: string;
  seq: number;
  flowId: string;
  flowSpec: { id: string; version: string };
  imsOrgId: string;
  sandboxName: string;
  sandboxId: string;
  etag: string;
  trigger: RunTrigger;
  /** Epoch seconds: the data window the run reads. */
  windowStartTime: number;
  windowEndTime: number;
  /** Epoch ms, by the emulator's clock. */
  startedAt: number;
  completedAt: number;
  outcome: Outcome;
  /** The activity that failed or partly failed, with its errors. */
  failedActivity?: "copyActivity" | "promotionActivity";
  errors: RunError[];
  failedRecords: number;
}

/** A run's status at `now`: inProgress until it completes. */
export function statusAt(r: Run, now: number): Outcome | "inProgress" {
  return now < r.completedAt ? "inProgress" : r.outcome;
}

function periodOf(flow: Flow): number | undefined {
  const f = flow.scheduleParams.frequency;
  if (f === "once" || typeof f !== "string" || PERIOD_S[f] === undefined) return undefined;
  const interval = Number(flow.scheduleParams.interval);
  return PERIOD_S[f] * (Number.isInteger(interval) && interval > 0 ? interval : 1);
}

export class Runs {
  private runs = new Map<string, Run>();
  /** Per flow: the next scheduled time (epoch s) not yet turned into a run; null when a once flow has run. */
  private cursors = new Map<string, number | null>();
  private nextSeq = 1;
  readonly failures = new RunFailures();

  constructor(
    private readonly store: Store,
    private readonly sourceSystem: SourceSystem,
    readonly clock: Clock,
  ) {}

  reset(): void {
    this.runs.clear();
    this.cursors.clear();
    this.failures.clear();
    this.nextSeq = 1;
  }

  get(id: string): Run | undefined {
    return this.runs.get(id);
  }

  all(): Run[] {
    return [...this.runs.values()];
  }

  list(orgId: string, sandboxName: string): Run[] {
    return this.all().filter((r) => r.imsOrgId === orgId && r.sandboxName === sandboxName);
  }

  /** The flow's latest run (by creation), if any. */
  latest(flowId: string): Run | undefined {
    let last: Run | undefined;
    for (const r of this.runs.values()) if (r.flowId === flowId && (!last || r.seq > last.seq)) last = r;
    return last;
  }

  /**
   * Produces every run due by now. Called before each Flow Service request and after each clock
   * advance, so a flow disabled at some moment produces no run due after that moment.
   */
  catchUp(): void {
    const now = this.clock.now();
    for (const row of this.store.flows.all()) this.catchUpFlow(row, now);
  }

  private catchUpFlow({ record: flow }: Row<Flow>, now: number): void {
    const start = startTimeOf(flow.scheduleParams);
    if (start === undefined) return;
    const period = periodOf(flow);
    let cursor = this.cursors.get(flow.id);
    // A flow whose startTime had passed when it was created starts at its creation.
    if (cursor === undefined) cursor = Math.max(start, Math.floor(flow.createdAt / 1000));
    if (cursor === null) return;
    const dueBy = Math.floor(now / 1000) - RUN_DELAY_S;
    if (period !== undefined && cursor + MAX_CATCH_UP_RUNS * period <= dueBy) {
      cursor += Math.floor((dueBy - cursor) / period - MAX_CATCH_UP_RUNS + 1) * period;
    }
    while (cursor !== null && cursor <= dueBy) {
      if (flow.state === "enabled") {
        const windowStart = period !== undefined ? cursor - period : start;
        this.start(flow, "schedule", windowStart, cursor, (cursor + RUN_DELAY_S) * 1000);
      }
      cursor = period !== undefined ? cursor + period : null;
    }
    this.cursors.set(flow.id, cursor);
  }

  /** Starts a run of `flow` at `startedAt` (epoch ms); its outcome is decided now. */
  start(flow: Flow, trigger: RunTrigger, windowStartTime: number, windowEndTime: number, startedAt: number): Run {
    const run: Run = {
      id: randomUUID(),
      seq: this.nextSeq++,
      flowId: flow.id,
      flowSpec: flow.flowSpec,
      imsOrgId: flow.imsOrgId,
      sandboxName: flow.sandboxName,
      sandboxId: flow.sandboxId,
      etag: newEtag(),
      trigger,
      windowStartTime,
      windowEndTime,
      startedAt,
      completedAt: startedAt + RUN_DURATION_MS,
      ...this.outcomeOf(flow),
    };
    this.runs.set(run.id, run);
    return run;
  }

  private outcomeOf(flow: Flow): Pick<Run, "outcome" | "failedActivity" | "errors" | "failedRecords"> {
    const refused = this.refusedSource(flow);
    if (refused) {
      return {
        outcome: "failed",
        failedActivity: "copyActivity",
        failedRecords: 0,
        errors: [credentialsError(refused)],
      };
    }
    const injected = this.failures.take(flow.id);
    return injected ? injectedOutcome(injected) : { outcome: "success", errors: [], failedRecords: 0 };
  }

  /** The base connection behind one of the flow's sources whose credentials the source system refuses. */
  private refusedSource(flow: Flow): (Stamp & { connectionSpec: { id: string } }) | undefined {
    for (const id of flow.sourceConnectionIds) {
      const base = this.store.sourceConnections.get(id)?.record.baseConnectionId;
      const connection = base !== undefined ? this.store.connections.get(base)?.record : undefined;
      if (connection && this.sourceSystem.refuses(connection)) return connection;
    }
    return undefined;
  }
}

/** The shape sources/notifications.md shows for a run that could not read its source. */
function credentialsError(connection: Stamp): RunError {
  return {
    code: "CONNECTOR-1001-500",
    message: "Error in copying the data from Source.",
    extensions: {
      errorDetail:
        `The source system refused the credentials of connection ${connection.id}: ` +
        "401 Unauthorized: invalid_client (the password, token or client secret keys are invalid or expired).",
      errors: [{ code: "2200", message: "Failure happened on 'Source' side. 401 Unauthorized." }],
    },
  };
}

function injectedOutcome(f: InjectedFailure): Pick<Run, "outcome" | "failedActivity" | "errors" | "failedRecords"> {
  if (f.kind === "processing") {
    return {
      outcome: "failed",
      failedActivity: "promotionActivity",
      failedRecords: RECORDS_PER_RUN,
      errors: [
        {
          code: "CONNECTOR-2001-500",
          message: "Error in processing the data.",
          extensions: { errorDetail: f.detail ?? "Mapping failed: the source field 'email' is missing in every record (injected)." },
        },
      ],
    };
  }
  const failed = Math.min(f.failedRecords ?? 100, RECORDS_PER_RUN);
  return {
    outcome: "partialSuccess",
    failedActivity: "promotionActivity",
    failedRecords: failed,
    errors: [
      {
        code: "CONNECTOR-2001-500",
        message: `Error in processing the data: ${failed} of ${RECORDS_PER_RUN} records failed validation.`,
        extensions: { errorDetail: f.detail ?? `${failed} records failed XDM validation (injected).` },
      },
    ],
  };
}
