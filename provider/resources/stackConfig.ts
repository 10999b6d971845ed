// The program side of the configuration check, for the dynamic resources. A dynamic provider's
// `configure` is handed the stack configuration as a getter (it cannot list keys), so a misspelt
// `flowservice:*` key would be silently ignored there and its setting fall back to the default
// (the endpoint: Adobe production). The program can list every key of the stack: each resource
// constructor checks them before registering anything, so a misspelt key fails the program (and
// the preview) before any request. The plugin door checks the same keys in CheckConfig.
import * as pulumi from "@pulumi/pulumi";
import { unknownConfigKeys } from "../core/config";

let verdict: Error | null | undefined;

/** Throws (a clean program failure naming each key and the known ones) if the stack sets an unknown `flowservice:*` key. */
export function assertKnownStackConfig(keys: () => readonly string[] = () => Object.keys(pulumi.runtime.allConfig())): void {
  if (verdict === undefined) {
    const unknown = unknownConfigKeys(keys());
    verdict = unknown.length === 0 ? null : new pulumi.RunError(unknown.map((u) => u.reason).join("\n"));
  }
  if (verdict) throw verdict;
}
