// Every example runs as a user would run it: `pulumi up` then `pulumi destroy` (and, for rotation,
// the rotation its header describes), through the real engine (TypeScript programs compiled by
// the language host) against the emulator.
import assert from "node:assert";
import path from "node:path";
import { FLOW_BASE_PATH } from "../../tools/demo";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { EmulatorControl, sha256 } from "../helpers/emulatorControl";
import { ensureEngine, REPO, TestStack } from "./harness";

describe("the examples, run through the real engine", function () {
  this.timeout(180_000);
  let emulator: EmulatorProcess;
  let control: EmulatorControl;

  before(async function () {
    this.timeout(45 * 60_000);
    ensureEngine();
    emulator = await startEmulatorProcess();
    control = new EmulatorControl(emulator.url);
  });
  after(() => emulator?.stop());

  type Connections = Awaited<ReturnType<TestStack["connections"]>>;

  /** `up`, a no-change preview, then `next` (the user's next step, if any), then `destroy`. */
  async function runExample(
    dir: string,
    config: string[][],
    secrets: string[][],
    next?: (stack: TestStack, conns: Connections) => Promise<void>,
  ) {
    const stack = new TestStack("example", path.join(REPO, "examples", dir));
    try {
      await stack.init(emulator.url);
      const args = ["config", "set-all", "--path"];
      for (const [k, v] of config) args.push("--plaintext", `${k}=${v}`);
      for (const [k, v] of secrets) args.push("--secret", `${k}=${v}`);
      await stack.ok(args);
      await stack.ok(["up", "--yes", "--skip-preview"]);
      const conns = await stack.connections();
      const preview = await stack.ok(["preview", "--json"]);
      assert.ok(
        JSON.parse(preview.stdout).steps.every((s: { op: string }) => s.op === "same"),
        "a second preview shows no change",
      );
      await next?.(stack, conns);
      await stack.ok(["destroy", "--yes", "--skip-preview"]);
      return conns;
    } finally {
      stack.cleanup();
    }
  }

  it("quickstart creates its Salesforce connection", async () => {
    const conns = await runExample(
      "quickstart",
      [],
      [
        ["salesforcePassword", "qs-pass-1"],
        ["salesforceSecurityToken", "qs-tok-1"],
      ],
    );
    assert.deepStrictEqual(Object.keys(conns), ["salesforce"]);
  });

  it("rotation: a new secret in config then `up` sends one PATCH of that secret, with the etag from state", async () => {
    const conns = await runExample(
      "rotation",
      [["s3AccessKey", "AKIAEXAMPLE"]],
      [
        ["s3SecretKey", "s3-secret-1"],
        ["azureConnectionString", "DefaultEndpointsProtocol=https;AccountKey=k1"],
      ],
      async (stack, before) => {
        // What the example's header tells the user to do.
        await stack.ok(["config", "set", "--secret", "s3SecretKey", "s3-secret-2"]);
        await control.clearRequests();
        await stack.ok(["up", "--yes", "--skip-preview"]);
        const landing = before["landing-bucket"];
        assert.match(landing.outputs.etag, /^".+"$/, "state holds the connection's etag");
        const flow = (await control.apiRequests()).filter((r) => r.path.startsWith("/data/"));
        assert.deepStrictEqual(
          flow.map((r) => `${r.method} ${r.path}`),
          [`PATCH ${FLOW_BASE_PATH}/connections/${landing.id}`, `GET ${FLOW_BASE_PATH}/connections/${landing.id}/test`],
          "exactly one PATCH of the rotated connection, then its credential test",
        );
        assert.strictEqual(flow[0].headers["if-match"], landing.outputs.etag, "If-Match carries the etag from state");
        assert.deepStrictEqual(flow[0].body, [{ op: "replace", path: "/auth/params/s3SecretKey", value: "[redacted]" }]);
        const stored = await control.stored(landing.id);
        assert.strictEqual(stored.auth.params.s3SecretKey, sha256("s3-secret-2"));
        const after = await stack.connections();
        assert.notStrictEqual(stored.etag, landing.outputs.etag, "the PATCH gave the connection a new etag");
        assert.strictEqual(after["landing-bucket"].outputs.etag, stored.etag, "the new etag is in state");
        assert.strictEqual(after.archive.outputs.etag, before.archive.outputs.etag, "the other connection is untouched");
      },
    );
    assert.deepStrictEqual(Object.keys(conns).sort(), ["archive", "landing-bucket"]);
  });

  it("adopt takes over an existing connection and leaves it in place on destroy", async () => {
    const made = await control.createSalesforce("Made in the UI", { username: "x", password: "y", securityToken: "z" });
    const conns = await runExample(
      "adopt",
      [
        ["salesforceConnectionId", made.id],
        ["salesforceUser", "aep-integration"],
      ],
      [
        ["salesforcePassword", "adopt-pass-1"],
        ["salesforceSecurityToken", "adopt-tok-1"],
      ],
    );
    assert.strictEqual(conns.salesforce.id, made.id);
    const kept = await control.stored(made.id);
    assert.strictEqual(kept.name, "Salesforce prod");
    assert.strictEqual(kept.auth.params.username, "aep-integration");
  });

  it("many creates one SFTP connection per partner in the config list", async () => {
    const conns = await runExample(
      "many",
      [
        ["partners[0].name", "acme"],
        ["partners[0].host", "sftp.acme.example"],
        ["partners[0].user", "aep"],
        ["partners[1].name", "globex"],
        ["partners[1].host", "sftp.globex.example"],
        ["partners[1].user", "aep"],
      ],
      [
        ["sftpPassword-acme", "acme-pass"],
        ["sftpPassword-globex", "globex-pass"],
      ],
    );
    assert.deepStrictEqual(Object.keys(conns).sort(), ["sftp-acme", "sftp-globex"]);
  });

  it("pipeline ingests S3 files into a dataset; a new interval in config is one PATCH of the dataflow", async () => {
    await runExample(
      "pipeline",
      [
        ["s3AccessKey", "AKIAEXAMPLE"],
        ["datasetId", "638e6c7b5679741b63ff5c24"],
        ["schemaId", "https://ns.adobe.com/acme/schemas/customers"],
        ["mappingId", "0b090130b58b4819afc78b6dc98b484d"],
      ],
      [["s3SecretKey", "pipeline-secret-1"]],
      async (stack) => {
        const outputs = JSON.parse((await stack.ok(["stack", "output", "--json"])).stdout);
        assert.strictEqual(outputs.flowState, "enabled");
        await stack.ok(["config", "set", "interval", "60"]);
        await control.clearRequests();
        await stack.ok(["up", "--yes", "--skip-preview"]);
        const sent = (await control.apiRequests()).filter((r) => r.path.startsWith("/data/"));
        assert.deepStrictEqual(
          sent.map((r) => `${r.method} ${r.path}`),
          [`PATCH ${FLOW_BASE_PATH}/flows/${outputs.flowId}`],
        );
        assert.deepStrictEqual(sent[0].body, [{ op: "replace", path: "/scheduleParams/interval", value: 60 }]);
      },
    );
  });
});
