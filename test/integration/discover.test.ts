// flowservice-discover's command (cli.run) with the provider's own API session against the
// in-process emulator: what the user sees when something is wrong, and what a connector outside
// the provider's catalogue costs. The engine runs in test/e2e/discover.test.ts.
import assert from "node:assert";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { EXIT_ERROR, EXIT_OK, run } from "../../commands/discover/cli";
import type { RunningEmulator } from "../../emulator/main";
import { FlowSession } from "../../provider/api/session";
import { DEMO, EmulatorApi, useEmulator } from "../helpers/emulatorApi";
import { EmulatorControl } from "../helpers/emulatorControl";

const OPEN_PARAMS = "e0e0e0e0-0000-4000-8000-00000000e001";

describe("flowservice-discover: the command against Flow Service (emulator)", () => {
  let emu: RunningEmulator;
  let api: EmulatorApi;
  let dir: string;
  useEmulator((e) => {
    emu = e;
    api = new EmulatorApi(e.url, "disc");
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowservice-discover-it-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function discover(args: string[], env: Record<string, string> = {}) {
    const out = { stdout: "", stderr: "" };
    const code = await run(
      args,
      { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t) },
      {
        connect: (config) => new FlowSession(config).client,
        env: {
          AEP_CLIENT_ID: DEMO.clientId,
          AEP_CLIENT_SECRET: DEMO.clientSecret,
          AEP_ORG_ID: DEMO.orgId,
          AEP_FLOW_ENDPOINT: `${emu.url}/data/foundation/flowservice`,
          AEP_IMS_ENDPOINT: `${emu.url}/ims/token/v3`,
          ...env,
        },
        cwd: dir,
        version: "9.9.9",
        now: Date.now,
      },
    );
    return { code, ...out };
  }

  it("refused credentials: exit 1, IMS's answer shown, nothing written", async () => {
    const r = await discover(["--sandbox", "disc", "--out", "p"], { AEP_CLIENT_SECRET: "wrong-secret" });
    assert.strictEqual(r.code, EXIT_ERROR);
    assert.match(r.stderr, /^flowservice-discover: .*(401|invalid_client)/);
    assert.doesNotMatch(r.stderr, /wrong-secret/);
    assert.strictEqual(fs.existsSync(path.join(dir, "p")), false);
  });

  it("no credentials: exit 1 naming the variables to set, before any request", async () => {
    const r = await discover(["--sandbox", "disc"], { AEP_CLIENT_SECRET: "", AEP_CLIENT_ID: "" });
    assert.strictEqual(r.code, EXIT_ERROR);
    assert.match(r.stderr, /missing flowservice:clientId \(or AEP_CLIENT_ID\), flowservice:clientSecret \(or AEP_CLIENT_SECRET\)/);
  });

  it("an empty sandbox: a program with no resource, and a note that nothing was found", async () => {
    for (const language of ["typescript", "python", "yaml"]) {
      const r = await discover(["--sandbox", "empty", "--language", language, "--out", language]);
      assert.strictEqual(r.code, EXIT_OK, r.stderr);
      assert.match(r.stderr, /sandbox "empty" lists no connection, source connection, target connection or dataflow/);
    }
    assert.match(fs.readFileSync(path.join(dir, "yaml", "Pulumi.yaml"), "utf8"), /\nresources: \{\}\n/);
    assert.doesNotMatch(fs.readFileSync(path.join(dir, "typescript", "index.ts"), "utf8"), /from "pulumi-flowservice"/);
  });

  it("--flow with an id the sandbox does not hold: exit 1, nothing written", async () => {
    await api.createDataflow("s3");
    const r = await discover(["--sandbox", "disc", "--flow", "00000000-0000-4000-8000-000000000000", "--out", "p"]);
    assert.strictEqual(r.code, EXIT_ERROR);
    assert.match(r.stderr, /--flow 00000000-0000-4000-8000-000000000000: the sandbox has no dataflow with this id/);
    assert.strictEqual(fs.existsSync(path.join(dir, "p")), false);
  });

  it("--flow: the flow and what it depends on; a changed program is not written over someone's files without --force", async () => {
    const a = await api.createDataflow("s3");
    await api.createDataflow("salesforce");
    const r = await discover(["--sandbox", "disc", "--flow", a.flow.id, "--out", "p"]);
    assert.strictEqual(r.code, EXIT_OK, r.stderr);
    assert.match(r.stdout, /: 4 resources, 1 secret placeholder to set/);
    fs.appendFileSync(path.join(dir, "p", "index.ts"), "// my edit\n");
    const again = await discover(["--sandbox", "disc", "--flow", a.flow.id, "--out", "p"]);
    assert.strictEqual(again.code, EXIT_ERROR);
    assert.match(again.stderr, /already holds index\.ts with other contents: nothing was written.*--force/);
    assert.match(fs.readFileSync(path.join(dir, "p", "index.ts"), "utf8"), /my edit/);
    assert.strictEqual((await discover(["--sandbox", "disc", "--flow", a.flow.id, "--out", "p", "--force"])).code, EXIT_OK);
  });

  it("a connector outside the provider's catalogue: its secret params from its live connection spec, in one more request", async () => {
    await api.create("/connections", {
      name: "Custom system",
      connectionSpec: { id: OPEN_PARAMS, version: "1.0" },
      auth: { specName: "Open Params", params: { host: "h.example", password: "custom-pass" } },
    });
    const control = new EmulatorControl(emu.url);
    await control.clearRequests();
    const r = await discover(["--sandbox", "disc", "--out", "p"]);
    assert.strictEqual(r.code, EXIT_OK, r.stderr);
    const specReads = (await control.apiRequests()).filter((q) => q.path.endsWith("/connectionSpecs"));
    assert.deepStrictEqual(
      specReads.map((q) => decodeURIComponent(q.query ?? "")),
      [`property=id==${OPEN_PARAMS}&limit=100`],
    );
    const ts = fs.readFileSync(path.join(dir, "p", "index.ts"), "utf8");
    assert.match(ts, /host: "h\.example",\n\s+password: config\.requireSecret\("customSystemPassword"\)/);
    assert.doesNotMatch(ts, /\*\*\*\*|custom-pass/);
  });
});
