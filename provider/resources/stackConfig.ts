// The program side of the configuration check, for the dynamic resources. A dynamic provider's
// `configure` is handed the stack configuration as a getter (it cannot list keys), so a misspelt
// `flowservice:*` key would be silently ignored there and its setting fall back to the default
// (the endpoint: Adobe production). The program can list every key of the stack: each resource
// constructor checks them before registering anything, so a misspelt key fails the program (and
// the preview) before any request. The plugin door checks the same keys in CheckConfig.
import * as pulumi from "@pulumi/pulumi";
import { unknownConfigKeys } from "../core/config";

let verdict: Error | null | undefined;

/** A clean program failure naming each unknown `flowservice:*` key and the known ones; null when there is none. */
export function stackConfigProblem(keys: readonly string[]): Error | null {
  const unknown = unknownConfigKeys(keys);
  return unknown.length === 0 ? null : new pulumi.RunError(unknown.map((u) => u.reason).join("\n"));
}

/** Throws stackConfigProblem's error for this program's stack (checked once per program). */
export function assertKnownStackConfig(): void {
  verdict ??= stackConfigProblem(Object.keys(pulumi.runtime.allConfig()));
  if (verdict) throw verdict;
}
