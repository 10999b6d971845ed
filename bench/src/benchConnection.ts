// What the benchmark declares for connection i, shared by its two Pulumi programs (ours and the
// no-request floor, through the built package) and the wire-floor script, so all three send the
// same thing. `secret` wraps the two secret params (pulumi.secret in the programs).
import { salesforceConnection, salesforceParams } from "../../tools/demo";

export function connectionArgs<S = string>(i: number, version: string, tag = "", secret: (v: string) => S | string = (v) => v) {
  return salesforceConnection(
    `bench connection ${tag}${i}`,
    salesforceParams(`bench-user-${i}`, secret(`pw-${version}-${i}`), secret(`token-${i}`)),
    "benchmark",
  );
}
