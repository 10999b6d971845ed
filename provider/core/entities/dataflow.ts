// A dataflow: reads its source connections on a schedule, maps the data, writes its target connections.
// POST /flows {name, description?, flowSpec, sourceConnectionIds, targetConnectionIds,
// transformations, scheduleParams} (flow-service.yaml CreateFlowRequest).
//
// Patchable (update-dataflows.md): name, description, scheduleParams (per field, as in
// "/scheduleParams/frequency") and transformations (a mapping change replaces "/transformations/0"
// whole). Replaced: flowSpec (what kind of flow this is), and sourceConnectionIds and
// targetConnectionIds: no Adobe document patches them, and update-dataflows.md says that new source
// and target connections need "a new dataflow" (the emulator refuses those paths likewise). So a
// source or target connection that is replaced, or recreated after it was deleted, gives a new
// dataflow reading from it: created first, then the old one deleted. `enabled` is no PATCH: it is
// POST /flows/{id}/action?op=ENABLE|DISABLE.
import { z } from "zod";
import { CheckFailure, UNKNOWN } from "../unknown";
import { Json, JsonObject, jsonEqual } from "../docPlanner";
import { CommonInputs, inputKeysOf, EntityDescription, FlowId, LiveObject, LiveStamps, OutputStamps, SpecRef } from "../entity";
import { LastRun } from "../runs";

/** Flow Service's frequencies (ScheduleSpecDTO). */
export const FREQUENCIES = ["once", "minute", "hour", "day", "week"] as const;
/** A minute-based flow runs at most every 15 minutes (ScheduleSpecDTO.interval). */
const MIN_MINUTE_INTERVAL = 15;

// Flow Service documents startTime and interval as numbers, and returns them as strings in GET
// replies (update-dataflows.md): either is accepted, and stored as a number.
const WholeNumber = z.union([z.number().int(), z.string().regex(/^\d+$/, { message: "must be a whole number" }).transform(Number)]);
const Flag = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]);

const scheduleShape = {
  /** Epoch seconds. */
  startTime: WholeNumber.optional(),
  frequency: z.enum(FREQUENCIES, { message: `must be one of ${FREQUENCIES.join(", ")}` }),
  /** Units of `frequency` between two runs. */
  interval: WholeNumber.optional(),
  backfill: Flag.optional(),
};
// A misspelt member ("intervall") is named, not silently dropped.
const ScheduleParams = z.object(scheduleShape).strict();
/** A live schedule, read leniently (members Flow Service adds are left out). */
const LiveSchedule = z.object(scheduleShape).partial();

export const Transformation = z
  .object({
    name: z.string().min(1, { message: 'must name the transformation, e.g. "Mapping"' }),
    params: z.record(z.string(), z.json()),
  })
  .strict();

const DataflowInputs = CommonInputs.extend({
  flowSpec: SpecRef,
  sourceConnectionIds: z.array(FlowId).min(1, { message: "must list at least one source connection id (e.g. [source.id])" }),
  targetConnectionIds: z.array(FlowId).min(1, { message: "must list at least one target connection id (e.g. [target.id])" }),
  transformations: z.array(Transformation).optional(),
  scheduleParams: ScheduleParams.optional(),
  /** Default true. */
  enabled: z.boolean().optional(),
});
type DataflowInputs = z.infer<typeof DataflowInputs>;

const LiveDataflow = LiveStamps.extend({
  flowSpec: z.object({ id: z.string(), version: z.string().optional() }).passthrough(),
  sourceConnectionIds: z.array(z.string()).optional(),
  targetConnectionIds: z.array(z.string()).optional(),
  transformations: z.array(z.object({ name: z.string(), params: z.record(z.string(), z.unknown()).optional() }).passthrough()).optional(),
  scheduleParams: z.record(z.string(), z.unknown()).optional(),
});
type LiveDataflow = z.infer<typeof LiveDataflow>;

function defined(o: Record<string, unknown>): JsonObject {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as JsonObject;
}

function schedule(s: DataflowInputs["scheduleParams"]): JsonObject | undefined {
  return s && defined({ startTime: s.startTime, frequency: s.frequency, interval: s.interval, backfill: s.backfill });
}

/**
 * A live schedule as inputs: numbers and booleans, whichever way Flow Service spelled them. Only
 * the members a program can declare: anything Flow Service adds is neither drift nor patched away.
 */
function liveSchedule(raw: Record<string, unknown> | undefined): JsonObject | undefined {
  if (!raw) return undefined;
  const parsed = LiveSchedule.safeParse(raw);
  return parsed.success ? defined(parsed.data) : (raw as JsonObject);
}

const known = (v: unknown) => v !== undefined && v !== UNKNOWN;

/** The schedule rules Flow Service enforces, checked in preview. */
function scheduleRules(raw: Record<string, unknown>, olds: Record<string, unknown>, now: number): CheckFailure[] {
  const s = raw.scheduleParams as Record<string, unknown> | undefined;
  if (!s || s === (UNKNOWN as unknown) || typeof s !== "object") return [];
  const failures: CheckFailure[] = [];
  const num = (v: unknown) => (typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : undefined);
  const { frequency } = s;
  const interval = num(s.interval);
  if (typeof frequency === "string" && frequency !== "once" && known(frequency)) {
    if (s.interval === undefined) {
      failures.push({
        property: "scheduleParams.interval",
        reason: `is required when frequency is "${frequency}": the number of ${frequency}s between two runs`,
      });
    } else if (interval !== undefined && interval < 1) {
      failures.push({
        property: "scheduleParams.interval",
        reason: `must be a whole number of at least 1, got ${JSON.stringify(s.interval)}`,
      });
    } else if (frequency === "minute" && interval !== undefined && interval < MIN_MINUTE_INTERVAL) {
      failures.push({
        property: "scheduleParams.interval",
        reason: `must be at least ${MIN_MINUTE_INTERVAL} when frequency is "minute" (Flow Service runs a minute-based flow at most every ${MIN_MINUTE_INTERVAL} minutes), got ${interval}; use ${MIN_MINUTE_INTERVAL} or more, or frequency "hour"`,
      });
    }
  }
  if (frequency === "once" && s.interval !== undefined) {
    failures.push({ property: "scheduleParams.interval", reason: 'is not used when frequency is "once" (a single run): remove it' });
  }
  const start = num(s.startTime);
  if (start !== undefined && start > 100_000_000_000) {
    failures.push({
      property: "scheduleParams.startTime",
      reason: `must be in epoch seconds, got ${start}, which looks like milliseconds: use Math.floor(ms / 1000)`,
    });
  }
  const oldStart = num((olds.scheduleParams as Record<string, unknown> | undefined)?.startTime);
  if (oldStart !== undefined && known(s.startTime) && start !== oldStart && oldStart * 1000 <= now) {
    failures.push({
      property: "scheduleParams.startTime",
      reason:
        `cannot change once the scheduled start has passed (it was ${new Date(oldStart * 1000).toISOString()}; Flow Service refuses it, see update-dataflows): ` +
        `keep startTime ${oldStart}, or replace the dataflow (e.g. the replaceOnChanges resource option)`,
    });
  }
  return failures;
}

const ENABLED = {
  field: "enabled",
  desired: (i: DataflowInputs): Json => i.enabled ?? true,
  op: (v: Json) => (v === false ? "DISABLE" : "ENABLE"),
  stateAfter: (v: Json) => (v === false ? "disabled" : "enabled"),
};

export const dataflow: EntityDescription<DataflowInputs> = {
  kind: "Dataflow",
  label: "Dataflow",
  collection: "flows",
  inputs: DataflowInputs,
  inputKeys: inputKeysOf(DataflowInputs),
  live: LiveDataflow,
  document: (i) =>
    defined({
      name: i.name,
      description: i.description,
      // No transformations and an empty list are the same (Flow Service's default is []).
      transformations: i.transformations?.length ? (i.transformations as Json) : undefined,
      scheduleParams: schedule(i.scheduleParams),
    }),
  atomic: ["/transformations/*"],
  replaceOn: ["flowSpec", "sourceConnectionIds", "targetConnectionIds"],
  createBody: (i) =>
    defined({
      name: i.name,
      description: i.description,
      flowSpec: defined(i.flowSpec),
      sourceConnectionIds: i.sourceConnectionIds,
      targetConnectionIds: i.targetConnectionIds,
      transformations: i.transformations as Json,
      scheduleParams: schedule(i.scheduleParams),
    }),
  fromLive: (live: LiveObject) => {
    const l = live as LiveDataflow;
    return defined({
      flowSpec: defined({ id: l.flowSpec.id, version: l.flowSpec.version }),
      sourceConnectionIds: l.sourceConnectionIds,
      targetConnectionIds: l.targetConnectionIds,
      transformations: l.transformations?.length ? l.transformations.map((t) => defined({ name: t.name, params: t.params })) : undefined,
      scheduleParams: liveSchedule(l.scheduleParams),
      enabled: l.state !== "disabled",
    });
  },
  actions: [ENABLED],
  validate: scheduleRules,
  searchFilters: (body) => [`flowSpec.id==${(body.flowSpec as { id: string }).id}`],
  // The ids too: a replacement's old flow (same name and spec, created minutes ago) is never taken for the new one.
  sameCreate: (candidate, body) => {
    const c = candidate as LiveDataflow;
    return (
      c.name === body.name &&
      c.flowSpec?.id === (body.flowSpec as { id: string }).id &&
      jsonEqual(c.sourceConnectionIds, body.sourceConnectionIds) &&
      jsonEqual(c.targetConnectionIds, body.targetConnectionIds)
    );
  },
  inUseHint: "Flow Service refuses to delete it in its current state",
  // The latest run, absent until a first run (contract.md, "Dataflow runs").
  readOutputs: { lastRun: LastRun },
  carriedOutputs: ["lastRun"],
  outputs: DataflowInputs.extend(OutputStamps.shape).extend({ lastRun: LastRun.optional() }),
};
