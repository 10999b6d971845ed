// The benchmark's plugin door: the same N connections as bench/program, declared by a
// YAML program that the engine serves through the provider plugin (bin/pulumi-resource-flowservice,
// named by path). Pulumi YAML has no loops, so the program is generated from the same spec
// (n, version, overrides) and rewritten on each rotation; each connection's inputs are
// connectionArgs(i), the two secret params wrapped in `fn::secret` as the JavaScript programs wrap
// them in pulumi.secret. Properties are written as JSON, which YAML reads as flow style.
import { connection } from "../../provider/core/entities/connection";
import { pluginToken } from "../../provider/core/registry";
import { connectionArgs } from "./benchConnection";

/** The plugin door's connections are "bench connection plugin <i>". */
export const PLUGIN_TAG = "plugin ";

export interface BenchSpec {
  n: number;
  version: string;
  overrides: Record<number, string>;
}

/** The Pulumi.yaml of the plugin door's project: runtime yaml, the plugin from `pluginDir`, N connections. */
export function pluginProgramYaml(project: string, pluginDir: string, spec: BenchSpec): string {
  const lines = [
    `name: ${project}`,
    "runtime: yaml",
    "plugins:",
    "  providers:",
    "    - name: flowservice",
    `      path: ${JSON.stringify(pluginDir)}`,
    "resources:",
  ];
  for (let i = 0; i < spec.n; i++) {
    const version = spec.overrides[i] || spec.version;
    // Named apart ("bench connection plugin i") as well as kept in a sandbox of their own: never a
    // look-alike of the dynamic stack's connections for the duplicate check.
    const args = connectionArgs(i, version, PLUGIN_TAG, (v) => ({ "fn::secret": v }));
    lines.push(`  conn-${i}:`, `    type: ${pluginToken(connection.kind)}`, `    properties: ${JSON.stringify(args)}`);
  }
  return lines.join("\n") + "\n";
}
