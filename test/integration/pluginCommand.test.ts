// `flowservice-plugin package`: the tarball it builds from the package's dist/ (built by
// `npm run test:integration` and `npm test`) for `pulumi plugin install resource flowservice ... --file`.
import assert from "node:assert";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { main } from "../../commands/plugin/cli";

const VERSION = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../package.json"), "utf8")).version as string;

describe("flowservice-plugin package", () => {
  it("`package` writes the plugin tarball: its launcher, the built provider and its runtime packages", function () {
    this.timeout(60_000);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "flowservice-plugin-cmd-"));
    try {
      let stdout = "";
      let stderr = "";
      const code = main(["package", "--out", out], { out: (x) => (stdout += x), err: (x) => (stderr += x) });
      const r = { code, out: stdout, err: stderr };
      assert.strictEqual(r.code, 0, r.err);
      const tarball = path.join(out, `pulumi-resource-flowservice-v${VERSION}.tgz`);
      assert.match(r.out, new RegExp(`pulumi plugin install resource flowservice ${VERSION.replace(/\./g, "\\.")} --file ${tarball}`));
      const files = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n");
      for (const f of [
        "./pulumi-resource-flowservice",
        "./package.json",
        "./dist/provider/plugin/main.js",
        "./node_modules/zod/package.json",
        "./node_modules/@grpc/grpc-js/package.json",
      ])
        assert.ok(files.includes(f), `${f} is in the tarball`);
      assert.ok(!files.some((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")), "no TypeScript sources");
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
