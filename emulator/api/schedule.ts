// A flow's scheduleParams, checked as the batch flow specs' PeriodicSchedule describes them:
// startTime (epoch seconds) and frequency required; no interval or backfill for "once"; an interval
// for every other frequency. Numbers may arrive as digit strings, as in the tutorials ("15").

export const FREQUENCIES = ["once", "minute", "hour", "day", "week"] as const;

/** The smallest interval the tutorials allow for any repeating frequency. */
const MIN_INTERVAL = 15;

interface ScheduleRules {
  /**
   * false (default): interval ≥ 15 for every frequency but once, as the sources tutorials say.
   * true: ≥ 15 for minute only and ≥ 1 otherwise, as the flow spec's own schema says.
   */
  lenientScheduleIntervals: boolean;
}

function asInteger(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && /^-?\d+$/.test(v)) return Number(v);
  return undefined;
}

/** startTime in epoch seconds, if the params have a valid one. */
export function startTimeOf(s: Record<string, unknown>): number | undefined {
  return asInteger(s.startTime);
}

/** One message per problem, each naming the field and what would be valid; empty when valid. */
export function scheduleProblems(s: Record<string, unknown>, rules: ScheduleRules): string[] {
  const problems: string[] = [];
  if (!Object.hasOwn(s, "startTime")) problems.push("scheduleParams.startTime is required (epoch seconds)");
  else if (startTimeOf(s) === undefined || (startTimeOf(s) as number) < 0) {
    problems.push(`scheduleParams.startTime must be epoch seconds, an integer (got ${JSON.stringify(s.startTime)})`);
  }
  const frequency = s.frequency;
  if (frequency === undefined) {
    problems.push(`scheduleParams.frequency is required: one of ${FREQUENCIES.join(", ")}`);
    return problems;
  }
  if (typeof frequency !== "string" || !(FREQUENCIES as readonly string[]).includes(frequency)) {
    problems.push(`scheduleParams.frequency must be one of ${FREQUENCIES.join(", ")} (got ${JSON.stringify(frequency)})`);
    return problems;
  }
  if (frequency === "once") {
    if (Object.hasOwn(s, "interval")) problems.push("scheduleParams.interval must not be given when frequency is once");
    if (Object.hasOwn(s, "backfill")) problems.push("scheduleParams.backfill must not be given when frequency is once");
    return problems;
  }
  const min = rules.lenientScheduleIntervals && frequency !== "minute" ? 1 : MIN_INTERVAL;
  const interval = asInteger(s.interval);
  if (!Object.hasOwn(s, "interval")) problems.push(`scheduleParams.interval is required when frequency is ${frequency} (at least ${min})`);
  else if (interval === undefined) problems.push(`scheduleParams.interval must be an integer (got ${JSON.stringify(s.interval)})`);
  else if (interval < min) {
    problems.push(
      `scheduleParams.interval must be at least ${min} when frequency is ${frequency} (got ${interval}); only frequency once takes no interval`,
    );
  }
  if (Object.hasOwn(s, "backfill") && typeof s.backfill !== "boolean" && s.backfill !== "true" && s.backfill !== "false") {
    problems.push(`scheduleParams.backfill must be true or false (got ${JSON.stringify(s.backfill)})`);
  }
  return problems;
}
