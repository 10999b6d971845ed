// How large a resource's inputs may be. Adobe documents no request size limit for Flow Service; the
// gateway answers 413 to large bodies, and the emulator (docs/emulator.md) refuses bodies over
// 1 MiB, the common API-gateway default. The provider takes that as the limit of what it sends: the
// inputs of one resource, as JSON, must fit in 1 MiB, or `check` (preview, no request) names the
// largest value and its size. Values that pass may still meet a smaller limit at `up` (HTTP 413,
// a clear error; nothing applied).
import type { CheckFailure } from "./unknown";

export const MAX_BODY_BYTES = 1024 * 1024;

const bytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v) ?? "", "utf8");
const size = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`);

/** Every leaf of `value` with its dotted path. */
function leaves(value: unknown, path: string, out: Array<[string, unknown]>): void {
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) leaves(v, path ? `${path}.${k}` : k, out);
  } else out.push([path, value]);
}

/** A failure naming the largest value when the inputs (internal `__` members aside) exceed what Flow Service accepts. */
export function sizeRule(raw: Record<string, unknown>): CheckFailure[] {
  const inputs = Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith("__")));
  const total = bytes(inputs);
  if (total <= MAX_BODY_BYTES) return [];
  const all: Array<[string, unknown]> = [];
  leaves(inputs, "", all);
  const [property, largest] = all.map(([p, v]) => [p, bytes(v)] as const).reduce((a, b) => (b[1] > a[1] ? b : a));
  return [
    {
      property,
      reason: `is ${size(largest)}: the inputs of one resource (${size(total)} in all) must fit in one Flow Service request of at most 1 MiB (see docs/inputs.md). Store large data elsewhere and pass a reference`,
    },
  ];
}
