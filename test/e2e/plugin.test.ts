// The provider plugin (bin/pulumi-resource-flowservice) through the real engine, from programs in
// other languages than the package's own: examples/yaml (the plugin named by path in Pulumi.yaml).
// examples/python, on the generated SDK with the plugin installed from the npm package, is
// test/e2e/sdkPython.test.ts.
// One emulator, one stack per language. Each stack: create, a rotation whose preview names the
// changed secret and whose up sends one PATCH, a no-change up that sends nothing, refresh, destroy;
// the YAML stack also imports a connection made out of band and takes its provider config from
// stack config. Last, everything the runs left behind is scanned for secrets.
import assert from "node:assert";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { assertCredentials, resolveConfig } from "../../provider/core/config";
import { FLOW_BASE_PATH } from "../../tools/demo";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { ensureHosts } from "../../tools/languageHosts";
import { flowConfig } from "../../tools/pulumiCli";
import { recordCase } from "../../tools/reliabilityReport";
import { EmulatorApi } from "../helpers/emulatorApi";
import { EmulatorControl, LoggedRequest, sha256 } from "../helpers/emulatorControl";
import { DEMO, ensureEngine, REPO } from "./harness";
import {
  ACCOUNTS_SOURCE_YAML,
  CONNECTIONS,
  firstStdoutLine,
  importedConnectionYaml,
  isSecretInState,
  isWrite,
  PluginStack,
} from "./pluginStack";

const TEST = "test/e2e/plugin.test.ts";
const tag = randomBytes(4).toString("hex");

describe("the provider plugin through the real engine: a YAML program", function () {
  this.timeout(180_000);
  let emulator: EmulatorProcess;
  let control: EmulatorControl;
  let api: EmulatorApi;
  let hostPath: string[];
  const stacks: PluginStack[] = [];
  /** Every secret value the runs use: none may appear in anything they leave behind. */
  const secrets = new Set<string>([DEMO.clientSecret]);
  const secret = (v: string) => {
    secrets.add(v);
    return v;
  };
  const leftovers: string[] = [];

  before(async function () {
    this.timeout(45 * 60_000);
    ensureEngine();
    hostPath = ensureHosts();
    emulator = await startEmulatorProcess();
    control = new EmulatorControl(emulator.url);
    api = new EmulatorApi(emulator.url);
  });
  after(async () => {
    await emulator?.stop();
    for (const s of stacks) s.cleanup();
  });

  /** `up`, recording exactly which Flow Service requests it made. */
  async function upAndLog(stack: PluginStack): Promise<LoggedRequest[]> {
    await control.clearRequests();
    await stack.ok(["up", "--yes", "--skip-preview"]);
    return control.apiRequests();
  }

  it("bin/pulumi-resource-flowservice starts with only node on PATH and writes its port, and nothing else, to stdout", async () => {
    const stdout = await firstStdoutLine(path.join(REPO, "bin", "pulumi-resource-flowservice"), ["127.0.0.1:1"], {
      PATH: path.dirname(process.execPath),
    });
    assert.match(stdout, /^\d+\n$/);
  });

  describe("a YAML program (examples/yaml), the plugin named by path", () => {
    let stack: PluginStack;
    let id: string;
    let sourceId: string;

    before(async () => {
      stack = new PluginStack("yaml", "yaml", hostPath);
      stacks.push(stack);
      // The provider config comes from stack config only (the harness drops AEP_* variables).
      await stack.init(emulator.url);
      await stack.ok(["config", "set", "--secret", "salesforcePassword", secret(`yaml-pass-${tag}-1`)]);
      await stack.ok(["config", "set", "--secret", "salesforceSecurityToken", secret(`yaml-tok-${tag}`)]);
    });

    it("creates the connection with one POST, its secrets encrypted in state, the credentials from stack config", async () => {
      const sent = await upAndLog(stack);
      const token = sent.find((r) => r.path.startsWith("/ims/"));
      assert.match(
        String(token?.body),
        new RegExp(`client_id=${DEMO.clientId}&client_secret=\\[redacted\\]`),
        "the token request used flowservice:clientId and the secret flowservice:clientSecret",
      );
      assert.deepStrictEqual(
        sent.filter(isWrite).map((r) => `${r.method} ${r.path}`),
        [`POST ${CONNECTIONS}`],
      );
      const res = await stack.resources();
      id = res.salesforce.id;
      assert.strictEqual(res.salesforce.type, "flowservice:index:Connection");
      const params = res.salesforce.outputs.auth.params;
      assert.ok(isSecretInState(params.password) && isSecretInState(params.securityToken), "both secret params are ciphertext in state");
      assert.strictEqual(params.username, "integration@example.com");
      assert.deepStrictEqual(res.salesforce.outputs.secretKeys, ["password", "securityToken"]);
      assert.ok(isSecretInState(res.default.inputs.clientSecret), "the provider's client secret is ciphertext in state");
      assert.strictEqual((await control.stored(id)).auth.params.password, sha256(`yaml-pass-${tag}-1`));
    });

    it("a rotation: preview --diff names the changed secret param; up sends one PATCH with If-Match from state", async () => {
      const etag = (await stack.resources()).salesforce.outputs.etag;
      await stack.ok(["config", "set", "--secret", "salesforcePassword", secret(`yaml-pass-${tag}-2`)]);
      const preview = await stack.ok(["preview", "--diff"]);
      assert.match(preview.stdout, /~ password\s*: \[secret\] => \[secret\]/);
      assert.doesNotMatch(preview.stdout, /securityToken\s*:|username\s*:/, "only the changed param is listed");
      const sent = await upAndLog(stack);
      const writes = sent.filter(isWrite);
      assert.deepStrictEqual(
        writes.map((r) => `${r.method} ${r.path}`),
        [`PATCH ${CONNECTIONS}/${id}`],
      );
      assert.strictEqual(writes[0].headers["if-match"], etag);
      assert.deepStrictEqual(writes[0].body, [{ op: "replace", path: "/auth/params/password", value: "[redacted]" }]);
      // Then the credential test of the new password (credential verification), nothing else.
      assert.deepStrictEqual(
        sent.filter((r) => r.method === "GET").map((r) => r.path),
        [`${CONNECTIONS}/${id}/test`],
      );
      assert.strictEqual((await stack.resources()).salesforce.outputs.verification, "passed");
      assert.strictEqual((await control.stored(id)).auth.params.password, sha256(`yaml-pass-${tag}-2`));
    });

    it("an up with no change sends no request at all", async () => {
      assert.deepStrictEqual(await upAndLog(stack), []);
    });

    it("refresh reads the connection and changes nothing", async () => {
      const before = (await stack.resources()).salesforce.outputs.etag;
      await control.clearRequests();
      await stack.ok(["refresh", "--yes", "--skip-preview"]);
      const sent = await control.apiRequests();
      // One GET of the connection, or of a listing that holds it (batched reads).
      assert.ok(
        sent.some((r) => r.method === "GET" && r.path.startsWith(CONNECTIONS)),
        "refresh read Flow Service",
      );
      assert.deepStrictEqual(sent.filter(isWrite), []);
      assert.strictEqual((await stack.resources()).salesforce.outputs.etag, before);
    });

    it("pulumi import adopts a connection made out of band; the next up sends the program's secrets with one PATCH", async () => {
      const made = await api.createSalesforce(`Made in the UI ${tag}`, {
        username: "ui-user",
        password: secret(`ui-old-${tag}`),
        securityToken: secret(`ui-oldtok-${tag}`),
      });
      const snippetFile = path.join(stack.ws.root, "import.yaml");
      await control.clearRequests();
      const imported = await stack.ok(["import", "flowservice:index:Connection", "ui", made.id, "--yes", "--out", snippetFile]);
      assert.deepStrictEqual((await control.apiRequests()).filter(isWrite), [], "import only reads");
      assert.match(imported.stdout, /its secret params \(password, securityToken\) cannot be read back/);
      const snippet = fs.readFileSync(snippetFile, "utf8");
      leftovers.push(imported.stdout, snippet);
      assert.match(snippet, /type: flowservice:(index:)?Connection/);
      assert.match(snippet, new RegExp(`name: Made in the UI ${tag}`));
      assert.match(snippet, /username: ui-user/);
      assert.doesNotMatch(snippet, /password:|\*\*\*\*/, "no secret, and no mask, in the snippet");
      const ui = (await stack.resources()).ui;
      assert.strictEqual(ui.id, made.id);
      assert.strictEqual(ui.outputs.etag, made.etag);
      assert.strictEqual(ui.outputs.adopted, true, "an imported connection outlives destroy, like an adopted one");

      // The user copies the snippet into the program and declares the secrets.
      await stack.ok(["config", "set", "--secret", "uiPassword", secret(`ui-new-${tag}`)]);
      await stack.ok(["config", "set", "--secret", "uiToken", secret(`ui-newtok-${tag}`)]);
      stack.addResources(importedConnectionYaml(`Made in the UI ${tag}`));
      const sent = await upAndLog(stack);
      const writes = sent.filter(isWrite);
      assert.deepStrictEqual(
        writes.map((r) => `${r.method} ${r.path}`),
        [`PATCH ${CONNECTIONS}/${made.id}`],
      );
      assert.strictEqual(writes[0].headers["if-match"], made.etag);
      assert.deepStrictEqual(writes[0].body.map((op: { path: string }) => op.path).sort(), [
        "/auth/params/password",
        "/auth/params/securityToken",
      ]);
      const stored = await control.stored(made.id);
      assert.strictEqual(stored.auth.params.password, sha256(`ui-new-${tag}`));
      assert.deepStrictEqual(await upAndLog(stack), [], "converged: the next up sends nothing");
      recordCase({
        area: "plugin",
        case: "pulumi import of a connection made out of band (YAML program), then up with the program's secrets",
        via: "engine",
        outcome:
          "import read it (no write; secrets left out, named in a warning); up sent one PATCH with If-Match from the import; next up sent nothing",
        lost: 0,
        duplicated: 0,
        secretsLeaked: 0,
        test: TEST,
      });
    });

    it("serves the pipeline resources too: a SourceConnection on the program's connection, its secret param patched alone", async () => {
      await stack.ok(["config", "set", "--secret", "accountsToken", secret(`yaml-api-${tag}-1`)]);
      stack.addResources(ACCOUNTS_SOURCE_YAML);
      const created = (await upAndLog(stack)).filter(isWrite);
      assert.deepStrictEqual(
        created.map((r) => `${r.method} ${r.path}`),
        [`POST ${FLOW_BASE_PATH}/sourceConnections`],
      );
      sourceId = (await stack.resources()).accounts.id;
      const before = (await stack.resources()).accounts;
      assert.ok(isSecretInState(before.outputs.params.apiToken), "a param named like a credential is ciphertext in state");
      assert.strictEqual(before.outputs.baseConnectionId, id);
      await stack.ok(["config", "set", "--secret", "accountsToken", secret(`yaml-api-${tag}-2`)]);
      assert.match((await stack.ok(["preview", "--diff"])).stdout, /~ apiToken\s*: \[secret\] => \[secret\]/);
      const writes = (await upAndLog(stack)).filter(isWrite);
      assert.deepStrictEqual(
        writes.map((r) => `${r.method} ${r.path} ${r.headers["if-match"]}`),
        [`PATCH ${FLOW_BASE_PATH}/sourceConnections/${sourceId} ${before.outputs.etag}`],
      );
      assert.deepStrictEqual(
        writes[0].body.map((op: { path: string }) => op.path),
        ["/params/apiToken"],
      );
    });

    it("provider config: with flowservice:clientId missing, preview still works and up fails with the dynamic resource's message", async () => {
      const config = flowConfig(emulator.url, DEMO);
      delete config["flowservice:clientId"];
      let expected = "";
      try {
        assertCredentials(resolveConfig((k) => config[k], {}));
      } catch (e) {
        expected = (e as Error).message;
      }
      assert.match(expected, /missing flowservice:clientId \(or AEP_CLIENT_ID\)/);
      await stack.ok(["config", "rm", "flowservice:clientId"]);
      await stack.ok(["config", "set", "--secret", "salesforcePassword", secret(`yaml-pass-${tag}-3`)]);
      await stack.ok(["preview"]);
      const r = await stack.run(["up", "--yes", "--skip-preview"]);
      assert.notStrictEqual(r.code, 0);
      assert.ok(r.stdout.includes(`error: ${expected}`), `the CLI shows: ${expected}\n---\n${r.stdout}`);
      // Set again, the next up applies the rotation that failed (destroy uses the config in state: up first).
      await stack.ok(["config", "set", "flowservice:clientId", DEMO.clientId]);
      assert.deepStrictEqual(
        (await upAndLog(stack)).filter(isWrite).map((r) => `${r.method} ${r.path}`),
        [`PATCH ${CONNECTIONS}/${id}`],
      );
    });

    it("destroy deletes the connection it created and keeps the imported one", async () => {
      const ui = (await stack.resources()).ui.id;
      await control.clearRequests();
      await stack.ok(["destroy", "--yes", "--skip-preview"]);
      assert.deepStrictEqual(
        (await control.apiRequests()).filter(isWrite).map((r) => `${r.method} ${r.path}`),
        [`DELETE ${FLOW_BASE_PATH}/sourceConnections/${sourceId}`, `DELETE ${CONNECTIONS}/${id}`],
      );
      assert.strictEqual(await control.stored(id), undefined);
      assert.ok(await control.stored(ui), "the imported connection is still in Flow Service");
    });
  });

  describe("secrets", () => {
    it("no secret value or issued token in any CLI output, state file, import snippet or the plugin's log", async () => {
      const tokens = ((await control.control("GET", "/tokens")) as { items: Array<{ token: string }> }).items.map((t) => t.token);
      const logs = stacks.map((s) => s.pluginCalls());
      assert.ok(
        logs.every((l) => /Update flowservice:index:Connection::\w+ ok/.test(l)),
        "each plugin log recorded its calls",
      );
      const everything = [...leftovers, ...logs, ...stacks.flatMap((s) => [...s.transcript, s.stateFiles()])].join("\n");
      const hits = [...secrets, ...tokens].filter((s) => everything.includes(s));
      recordCase({
        area: "secrets",
        case: `provider plugin (a YAML program): every CLI output, state files, import snippet and the plugin's log — scanned for ${secrets.size} secret values + ${tokens.length} issued tokens`,
        via: "engine",
        outcome: hits.length === 0 ? "zero hits" : `${hits.length} values found`,
        lost: 0,
        duplicated: 0,
        secretsLeaked: hits.length,
        test: TEST,
      });
      assert.deepStrictEqual(
        hits.map((h) => h.slice(0, 6) + "…"),
        [],
      );
    });
  });
});
