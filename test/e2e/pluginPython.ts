// The Python half of plugin.test.ts (same emulator, its own stack): examples/python through the
// provider plugin installed from its tarball with `pulumi plugin install`.
import assert from "node:assert";
import fs from "node:fs";
import path from "node:path";
import type { EmulatorControl, LoggedRequest } from "../helpers/emulatorControl";
import { sha256 } from "../helpers/emulatorControl";
import { REPO } from "./harness";
import { CONNECTIONS, isSecretInState, isWrite, PluginStack } from "./pluginStack";

const VERSION = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")).version as string;

/** What the suite shares with plugin.test.ts (set in its before hook: read through getters). */
export interface PluginSuite {
  control(): EmulatorControl;
  emulatorUrl(): string;
  hostPath(): string[];
  tarball(): string;
  /** Records a secret value for the final scan, and returns it. */
  secret(v: string): string;
  track(stack: PluginStack): void;
  upAndLog(stack: PluginStack): Promise<LoggedRequest[]>;
  tag: string;
}

export function pythonProgramSuite(s: PluginSuite): void {
  describe("a Python program (examples/python), the plugin installed from its tarball", () => {
    let stack: PluginStack;
    let id: string;

    before(async () => {
      stack = new PluginStack("python", "python", s.hostPath());
      s.track(stack);
      await stack.ok(["plugin", "install", "resource", "flowservice", VERSION, "--file", s.tarball()]);
      await stack.init(s.emulatorUrl());
      await stack.ok(["config", "set", "s3AccessKey", "AKIAEXAMPLE"]);
      await stack.ok(["config", "set", "--secret", "s3SecretKey", s.secret(`py-key-${s.tag}-1`)]);
    });

    it("creates the connection with one POST, the connector's secret param encrypted in state", async () => {
      const sent = await s.upAndLog(stack);
      assert.deepStrictEqual(
        sent.filter(isWrite).map((r) => `${r.method} ${r.path}`),
        [`POST ${CONNECTIONS}`],
      );
      const s3 = (await stack.resources()).s3;
      id = s3.id;
      assert.ok(isSecretInState(s3.outputs.auth.params.s3SecretKey));
      assert.strictEqual(s3.outputs.auth.params.s3AccessKey, "AKIAEXAMPLE");
      const outputs = JSON.parse((await stack.ok(["stack", "output", "--json"])).stdout);
      assert.strictEqual(outputs.connectionId, id, "the Python class exposes the schema's outputs");
      assert.strictEqual(outputs.state, "enabled");
      assert.ok(stack.pluginCalls().includes("Create flowservice:index:Connection::s3 ok"), "the installed plugin served it");
    });

    it("a rotation: preview --diff names the changed secret param; up sends one PATCH with If-Match from state", async () => {
      const etag = (await stack.resources()).s3.outputs.etag;
      await stack.ok(["config", "set", "--secret", "s3SecretKey", s.secret(`py-key-${s.tag}-2`)]);
      const preview = await stack.ok(["preview", "--diff"]);
      assert.match(preview.stdout, /~ s3SecretKey\s*: \[secret\] => \[secret\]/);
      const writes = (await s.upAndLog(stack)).filter(isWrite);
      assert.deepStrictEqual(
        writes.map((r) => `${r.method} ${r.path}`),
        [`PATCH ${CONNECTIONS}/${id}`],
      );
      assert.strictEqual(writes[0].headers["if-match"], etag);
      assert.deepStrictEqual(writes[0].body, [{ op: "replace", path: "/auth/params/s3SecretKey", value: "[redacted]" }]);
      assert.strictEqual((await s.control().stored(id)).auth.params.s3SecretKey, sha256(`py-key-${s.tag}-2`));
    });

    it("an up with no change sends no request, refresh only reads, destroy deletes", async () => {
      assert.deepStrictEqual(await s.upAndLog(stack), []);
      await s.control().clearRequests();
      await stack.ok(["refresh", "--yes", "--skip-preview"]);
      assert.deepStrictEqual((await s.control().apiRequests()).filter(isWrite), []);
      await s.control().clearRequests();
      await stack.ok(["destroy", "--yes", "--skip-preview"]);
      assert.deepStrictEqual(
        (await s.control().apiRequests()).filter(isWrite).map((r) => `${r.method} ${r.path}`),
        [`DELETE ${CONNECTIONS}/${id}`],
      );
    });
  });
}
