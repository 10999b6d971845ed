// What the benchmark declares for connection i, shared by its two Pulumi programs (ours and the
// no-request floor, through the built package) and the wire-floor script, so all three send the
// same thing. `secret` wraps the two secret params (pulumi.secret in the programs).
import { SALESFORCE } from "./demo";

export function connectionArgs<S = string>(i: number, version: string, tag = "", secret: (v: string) => S | string = (v) => v) {
  return {
    name: `bench connection ${tag}${i}`,
    description: "benchmark",
    connectionSpec: { id: SALESFORCE, version: "1.0" },
    auth: {
      specName: "Basic Authentication",
      params: {
        environmentUrl: "login.salesforce.com",
        username: `bench-user-${i}`,
        password: secret(`pw-${version}-${i}`),
        securityToken: secret(`token-${i}`),
      },
    },
  };
}
