// `flowservice-plugin` (commands/plugin): its command line, and the tarball it builds from the
// package for `pulumi plugin install` (test/integration/pluginCommand.test.ts, which needs dist/).
// Installing it through the engine: test/e2e/sdkPython.test.ts.
import assert from "node:assert";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { main } from "../../commands/plugin/cli";

const VERSION = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../package.json"), "utf8")).version as string;

function capture(argv: string[]): { code: number; out: string; err: string } {
  let out = "";
  let err = "";
  const code = main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe("flowservice-plugin", () => {
  it("--help names both commands and the package's version", () => {
    const r = capture(["--help"]);
    assert.strictEqual(r.code, 0);
    assert.match(r.out, /flowservice-plugin install/);
    assert.match(r.out, new RegExp(`pulumi plugin install resource flowservice ${VERSION.replace(/\./g, "\\.")} --file`));
  });

  it("refuses an unknown command or option with exit 1 and the usage", () => {
    for (const argv of [[], ["instal"], ["install", "extra"], ["package", "--outdir", "x"]]) {
      const r = capture(argv);
      assert.strictEqual(r.code, 1, argv.join(" "));
      assert.match(r.err, /^flowservice-plugin: .*\n\nUsage: flowservice-plugin install/s, argv.join(" "));
    }
  });

  it("`install` without a pulumi CLI says how to install the tarball by hand", () => {
    const r = capture(["install", "--pulumi", path.join(os.tmpdir(), "no-such-pulumi")]);
    assert.strictEqual(r.code, 1);
    assert.match(r.err, /was not found: put the pulumi CLI on PATH .*flowservice-plugin package/);
  });
});
