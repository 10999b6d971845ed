// A pending create of a connection served by the provider plugin (examples/yaml), through the real
// engine: what Pulumi's own `refresh --import-pending-creates URN ID` does with it (nothing is
// imported, as for dynamic resources), and the sequence the README gives instead. The pending create
// is written into the file backend's checkpoint, in the shape a killed `up` leaves
// (`stack import` would drop it), with its connection already in Flow Service: the POST landed.
import assert from "node:assert";
import fs from "node:fs";
import path from "node:path";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { ensureHosts } from "../../tools/languageHosts";
import { EmulatorApi } from "../helpers/emulatorApi";
import { EmulatorControl } from "../helpers/emulatorControl";
import { ensureEngine } from "./harness";
import { CONNECTIONS, isWrite, PluginStack } from "./pluginStack";

const TYPE = "flowservice:index:Connection";

describe("a pending create of a plugin connection (YAML program)", function () {
  this.timeout(120_000);
  let emulator: EmulatorProcess;
  let control: EmulatorControl;
  let stack: PluginStack;
  let urn: string;

  /** Creates the connection, then turns it back into a pending create in the checkpoint: its id. */
  async function interruptedCreate(): Promise<string> {
    await stack.ok(["up", "--yes", "--skip-preview"]);
    const exp: any = await stack.exportState();
    const i = exp.deployment.resources.findIndex((r: any) => r.type === TYPE);
    const { id, outputs: _outputs, ...pending } = exp.deployment.resources[i];
    urn = pending.urn;
    exp.deployment.resources.splice(i, 1);
    exp.deployment.pending_operations = [{ resource: { ...pending, outputs: {} }, type: "creating" }];
    const file = path.join(stack.stateDir, ".pulumi", "stacks", "flowservice-yaml", `${stack.stackName}.json`);
    const checkpoint = JSON.parse(fs.readFileSync(file, "utf8"));
    checkpoint.checkpoint.latest = exp.deployment;
    fs.writeFileSync(file, JSON.stringify(checkpoint));
    return id;
  }

  before(async function () {
    this.timeout(45 * 60_000);
    ensureEngine();
    emulator = await startEmulatorProcess();
    control = new EmulatorControl(emulator.url);
    stack = new PluginStack("pending", "yaml", ensureHosts());
    await stack.init(emulator.url);
    await stack.ok(["config", "set", "--secret", "salesforcePassword", "pending-pass"]);
    await stack.ok(["config", "set", "--secret", "salesforceSecurityToken", "pending-tok"]);
  });
  after(async () => {
    await emulator?.stop();
    stack?.cleanup();
  });

  it("pulumi refresh --import-pending-creates URN ID imports nothing: no read, the pending create dropped; the next up refuses to POST a twin", async () => {
    const id = await interruptedCreate();
    const calls = stack.pluginCalls().length;
    await control.clearRequests();
    await stack.ok(["refresh", "--yes", "--skip-preview", "--import-pending-creates", urn, "--import-pending-creates", id]);
    assert.deepStrictEqual(await control.apiRequests(), [], "the refresh sent no Flow Service request");
    assert.doesNotMatch(stack.pluginCalls().slice(calls), /\bRead\b/, "the engine never asked the plugin to read the id");
    const exp: any = await stack.exportState();
    assert.deepStrictEqual(exp.deployment.pending_operations ?? [], [], "the pending operation is gone");
    assert.strictEqual(
      exp.deployment.resources.find((r: any) => r.type === TYPE),
      undefined,
      "and the connection is not in state",
    );
    // Pulumi would now create a second connection; the provider's duplicate check refuses instead,
    // naming the connection the interrupted create made (api/duplicates.ts).
    await control.clearRequests();
    const up = await stack.run(["up", "--yes", "--skip-preview"]);
    assert.notStrictEqual(up.code, 0);
    const text = (up.stdout + up.stderr).replace(/\s+/g, " ");
    assert.match(text, /was not created: sandbox "prod" already holds a connection like it/);
    assert.ok(text.includes(id) && text.includes("flowservice-recover"), text);
    assert.deepStrictEqual((await control.apiRequests()).filter(isWrite), [], "no second connection");
    // Nothing is pending any more: the connection is the user's to adopt or delete. Deleted here, for the next case.
    assert.strictEqual((await new EmulatorApi(emulator.url).call("DELETE", `/connections/${id}`)).status, 204);
  });

  it("clear-pending-creates, then pulumi import of the id: the next up sends one PATCH (the secrets) to it, then nothing", async () => {
    await stack.ok(["destroy", "--yes", "--skip-preview"]);
    const id = await interruptedCreate();
    await stack.ok(["refresh", "--yes", "--skip-preview", "--clear-pending-creates"]);
    await control.clearRequests();
    await stack.ok(["import", TYPE, "salesforce", id, "--yes", "--out", "/dev/null"]);
    assert.deepStrictEqual((await control.apiRequests()).filter(isWrite), [], "import only reads");
    const imported = (await stack.resources()).salesforce;
    assert.strictEqual(imported.id, id);
    assert.strictEqual(imported.outputs.etag, (await control.stored(id)).etag);
    assert.strictEqual(imported.outputs.adopted, true, "imported: destroy keeps it unless deleteOnDestroy: true");
    await control.clearRequests();
    await stack.ok(["up", "--yes", "--skip-preview"]);
    const writes = (await control.apiRequests()).filter(isWrite);
    assert.deepStrictEqual(
      writes.map((r) => `${r.method} ${r.path}`),
      [`PATCH ${CONNECTIONS}/${id}`],
      "no second connection: the secrets, which cannot be read back, are sent once",
    );
    assert.deepStrictEqual(writes[0].body.map((op: { path: string }) => op.path).sort(), [
      "/auth/params/password",
      "/auth/params/securityToken",
    ]);
    await control.clearRequests();
    await stack.ok(["up", "--yes", "--skip-preview"]);
    assert.deepStrictEqual(await control.apiRequests(), [], "converged");
  });
});
