// Every example runs as a user would run it: `pulumi up` then `pulumi destroy`, through the real
// engine (TypeScript programs compiled by the language host) against the emulator.
import assert from "assert";
import path from "path";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { EmulatorControl } from "../helpers/emulatorControl";
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

  async function runExample(dir: string, config: string[][], secrets: string[][]) {
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
      assert.ok(JSON.parse(preview.stdout).steps.every((s: { op: string }) => s.op === "same"), "a second preview shows no change");
      await stack.ok(["destroy", "--yes", "--skip-preview"]);
      return conns;
    } finally {
      stack.cleanup();
    }
  }

  it("quickstart creates its Salesforce connection", async () => {
    const conns = await runExample("quickstart", [], [["salesforcePassword", "qs-pass-1"], ["salesforceSecurityToken", "qs-tok-1"]]);
    assert.deepStrictEqual(Object.keys(conns), ["salesforce"]);
  });

  it("rotation creates an S3 and an Azure Blob connection from secret config", async () => {
    const conns = await runExample("rotation", [["s3AccessKey", "AKIAEXAMPLE"]], [["s3SecretKey", "s3-secret-1"], ["azureConnectionString", "DefaultEndpointsProtocol=https;AccountKey=k1"]]);
    assert.deepStrictEqual(Object.keys(conns).sort(), ["archive", "landing-bucket"]);
  });

  it("adopt takes over an existing connection and leaves it in place on destroy", async () => {
    const made = await control.createSalesforce("Made in the UI", { username: "x", password: "y", securityToken: "z" });
    const conns = await runExample(
      "adopt",
      [["salesforceConnectionId", made.id], ["salesforceUser", "aep-integration"]],
      [["salesforcePassword", "adopt-pass-1"], ["salesforceSecurityToken", "adopt-tok-1"]],
    );
    assert.strictEqual(conns.salesforce.id, made.id);
    const kept = await control.stored(made.id);
    assert.strictEqual(kept.name, "Salesforce prod");
    assert.strictEqual(kept.auth.params.username, "aep-integration");
  });

  it("many creates one SFTP connection per partner in the config list", async () => {
    const conns = await runExample(
      "many",
      [["partners[0].name", "acme"], ["partners[0].host", "sftp.acme.example"], ["partners[0].user", "aep"], ["partners[1].name", "globex"], ["partners[1].host", "sftp.globex.example"], ["partners[1].user", "aep"]],
      [["sftpPassword-acme", "acme-pass"], ["sftpPassword-globex", "globex-pass"]],
    );
    assert.deepStrictEqual(Object.keys(conns).sort(), ["sftp-acme", "sftp-globex"]);
  });
});
