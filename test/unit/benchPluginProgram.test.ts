// The plugin door's YAML program (bench/src/benchPluginProgram.ts): the same N connections, with the
// same inputs, as the dynamic program, through the provider plugin named by path.
import assert from "node:assert";
import { connectionArgs } from "../../bench/src/benchConnection";
import { PLUGIN_TAG, pluginProgramYaml } from "../../bench/src/benchPluginProgram";

/** The resources of a generated program: name → type and properties (each properties line is JSON). */
function resources(yaml: string): Record<string, { type: string; properties: any }> {
  const out: Record<string, { type: string; properties: any }> = {};
  const lines = yaml.split("\n");
  for (let i = lines.indexOf("resources:") + 1; i < lines.length; i++) {
    const m = /^ {2}(\S+):$/.exec(lines[i]);
    if (!m) continue;
    const type = /^ {4}type: (\S+)$/.exec(lines[i + 1])?.[1] as string;
    const properties = JSON.parse((/^ {4}properties: (.*)$/.exec(lines[i + 2]) as RegExpExecArray)[1]);
    out[m[1]] = { type, properties };
  }
  return out;
}

describe("benchmark: the plugin door's YAML program", () => {
  const yaml = pluginProgramYaml("flowservice-bench-plugin", "/repo/bin", { n: 3, version: "v2", overrides: { 1: "v2-one1" } });

  it("is a YAML project that loads the provider plugin from the given folder", () => {
    assert.deepStrictEqual(yaml.split("\n").slice(0, 7), [
      "name: flowservice-bench-plugin",
      "runtime: yaml",
      "plugins:",
      "  providers:",
      "    - name: flowservice",
      '      path: "/repo/bin"',
      "resources:",
    ]);
  });

  it("declares N plugin Connections with the dynamic program's inputs but a name of their own, the two secret params wrapped in fn::secret", () => {
    const r = resources(yaml);
    assert.deepStrictEqual(Object.keys(r), ["conn-0", "conn-1", "conn-2"]);
    for (const x of Object.values(r)) assert.strictEqual(x.type, "flowservice:index:Connection");
    const plain = (p: any) => ({
      ...p,
      auth: {
        ...p.auth,
        params: {
          ...p.auth.params,
          password: p.auth.params.password["fn::secret"],
          securityToken: p.auth.params.securityToken["fn::secret"],
        },
      },
    });
    assert.deepStrictEqual(plain(r["conn-0"].properties), connectionArgs(0, "v2", PLUGIN_TAG));
    // Not the dynamic stack's name: both live in one sandbox at once, and look-alikes are refused.
    assert.strictEqual(r["conn-0"].properties.name, "bench connection plugin 0");
    assert.deepStrictEqual(r["conn-2"].properties.auth.params.password, { "fn::secret": "pw-v2-2" });
    assert.deepStrictEqual(r["conn-0"].properties.auth.params.securityToken, { "fn::secret": "token-0" });
  });

  it("rotates one password through an override and leaves the others as they were", () => {
    const r = resources(yaml);
    assert.deepStrictEqual(
      Object.values(r).map((x) => x.properties.auth.params.password["fn::secret"]),
      ["pw-v2-0", "pw-v2-one1-1", "pw-v2-2"],
    );
  });
});
