// What every entity's `check` shares: the engine's stand-in for values not known until `up`, and
// the shape of a check's result. Its own module, so entity descriptions and check.ts can both use it.

/** What the engine sends for a value not known until `up` (an output of another resource). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

export interface CheckFailure {
  property: string;
  reason: string;
  /** A doubt rather than a refusal (e.g. a param the offline catalog does not know): shown as a warning, the inputs pass. */
  warning?: boolean;
}

export interface CheckOutcome {
  inputs: Record<string, unknown>;
  /** Refusals: the engine shows them and stops. */
  failures: CheckFailure[];
  /** Doubts the glue shows as Pulumi warnings (resources/warnings.ts); the engine never sees them. */
  warnings?: CheckFailure[];
}

/** Adds rule results to `failures` (one per property) and `warnings`. */
export function addRuleResults(results: CheckFailure[], failures: CheckFailure[], warnings: CheckFailure[]): void {
  for (const f of results) {
    if (f.warning) warnings.push(f);
    else if (!failures.some((g) => g.property === f.property)) failures.push(f);
  }
}
