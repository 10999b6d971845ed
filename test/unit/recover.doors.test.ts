// flowservice-recover for every resource type of either door, over stand-ins for the pulumi CLI
// and Flow Service: a state captured from a YAML program served by the provider plugin
// (fixtures/export-plugin.json: a Connection and a SourceConnection), turned back into the pending
// creates a killed `up` leaves, and a dynamic Dataflow killed between its POST and its DISABLE call.
// The real engine and emulator run it in test/e2e/doors.test.ts.
import assert from "node:assert";
import fs from "node:fs";
import path from "node:path";
import { recover, RecoverOptions } from "../../commands/recover/recover";
import { renderText } from "../../commands/recover/render";
import type { LiveObject } from "../../provider/core/entity";
import { CLIENT, fakeDeps, FakeFlow, FakePulumi, FIXTURE_EXPORT, T0 } from "../helpers/recoverFakes";

const PLUGIN_EXPORT = fs.readFileSync(path.join(__dirname, "fixtures", "export-plugin.json"), "utf8");
const STACK = "organization/flowservice-yaml/cap";
const opts = (over: Partial<RecoverOptions> = {}): RecoverOptions => ({
  check: false,
  yes: true,
  wait: false,
  otherStacks: true,
  takes: new Map(),
  ...over,
});
const masked = (v: unknown): unknown =>
  v && typeof v === "object" && "ciphertext" in v
    ? "********"
    : v && typeof v === "object"
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, masked(x)]))
      : v;

/** The plugin stack with `names` turned into pending creates, and the objects Flow Service holds for them (their POSTs landed). */
function pluginKilled(names: string[]): { exportText: string; live: Record<string, LiveObject>; outputs: Record<string, any> } {
  const exp = JSON.parse(PLUGIN_EXPORT);
  const live: Record<string, LiveObject> = {};
  const outputs: Record<string, any> = {};
  exp.deployment.pending_operations = [];
  for (const name of names) {
    const i = exp.deployment.resources.findIndex((r: any) => r.urn.endsWith(`::${name}`));
    const { id, outputs: outs, ...rest } = exp.deployment.resources[i];
    exp.deployment.resources.splice(i, 1);
    exp.deployment.pending_operations.push({ type: "creating", resource: { ...rest, outputs: {} } });
    const { adopted: _a, secretKeys: _s, connectionId: _c, verification: _v, verifiedAt: _t, ...shown } = outs;
    live[name] = { ...(masked(shown) as LiveObject), id, createdClient: CLIENT };
    outputs[name] = outs;
  }
  return { exportText: JSON.stringify(exp), live, outputs };
}

describe("flowservice-recover: resources of the provider plugin", () => {
  it("takes a plugin Connection's orphan into state as the plugin's create would have written it: not adopted, secrets encrypted, no __provider", async () => {
    const { exportText, live, outputs } = pluginKilled(["salesforce"]);
    const pulumi = new FakePulumi({ [STACK]: exportText }, STACK);
    const flow = new FakeFlow([live.salesforce]);
    const report = await recover(opts(), fakeDeps(pulumi, flow));
    assert.strictEqual(report.status, "written", renderText(report));
    assert.deepStrictEqual(
      report.items.map((i) => [i.resourceName, i.type, i.outcome, i.connectionId]),
      [["salesforce", "Connection", "recovered", live.salesforce.id]],
    );
    const r = pulumi.imported.deployment.resources.find((x: any) => x.urn.endsWith("::salesforce"));
    assert.strictEqual(r.type, "flowservice:index:Connection");
    assert.strictEqual(r.id, live.salesforce.id);
    for (const k of ["name", "description", "connectionSpec", "etag", "adopted", "connectionId", "sandboxName", "secretKeys", "createdAt"])
      assert.deepStrictEqual(r.outputs[k], outputs.salesforce[k], k);
    assert.ok("ciphertext" in r.outputs.auth.params.password, "the secret stays encrypted as the pending inputs held it");
    assert.ok(!("__provider" in r.outputs) && !("__secretVersions" in r.outputs));
    assert.deepStrictEqual(flow.requests, [
      `list name==Salesforce (YAML)&connectionSpec.id=${"="}cfc0fee1-7dc0-40ef-b73e-d8b134c436f5 in prod`,
    ]);
  });

  it("takes a plugin SourceConnection's orphan from its own collection, with time-bounded filters, after its base connection", async () => {
    const { exportText, live } = pluginKilled(["accounts"]);
    const pulumi = new FakePulumi({ [STACK]: exportText }, STACK);
    const other = {
      ...live.accounts,
      id: "11111111-1111-4111-8111-111111111111",
      baseConnectionId: "22222222-2222-4222-8222-222222222222",
    };
    const flow = new FakeFlow([], { sourceConnections: [live.accounts, other] });
    const report = await recover(opts(), fakeDeps(pulumi, flow));
    assert.deepStrictEqual(
      report.items.map((i) => [i.type, i.outcome, i.connectionId]),
      [["SourceConnection", "recovered", live.accounts.id]],
      "the one on another base connection is not its orphan",
    );
    assert.match(flow.requests[0], /^list sourceConnections name==Salesforce accounts&createdAt>=\d+&connectionSpec\.id==/);
    const resources = pulumi.imported.deployment.resources.map((x: any) => x.urn.split("::").pop());
    assert.ok(resources.indexOf("accounts") > resources.indexOf("salesforce"), "after what it depends on");
    assert.match(renderText(report), /recovered: source connection 31f0cdb9/);
  });

  it("does not take an object whose readable fields differ from the pending create's", async () => {
    const { exportText, live } = pluginKilled(["accounts"]);
    const flow = new FakeFlow([], { sourceConnections: [{ ...live.accounts, params: { tableName: "Contact" } }] });
    const report = await recover(opts({ yes: false }), fakeDeps(new FakePulumi({ [STACK]: exportText }, STACK), flow));
    assert.strictEqual(report.items[0].outcome, "not-created");
  });
});

describe("flowservice-recover: a dataflow killed between its POST and its DISABLE call", () => {
  it("records `enabled` as Flow Service shows it, so the next up makes the call the kill cut off", async () => {
    const exp = JSON.parse(FIXTURE_EXPORT);
    const [op] = exp.deployment.pending_operations;
    const urn = op.resource.urn.replace("flowservice:Connection::c0", "flowservice:Dataflow::flow");
    const inputs = {
      name: "Customers from S3",
      flowSpec: { id: "9753525b-82c7-4dce-8a9b-5ccfce2b9876", version: "1.0" },
      sourceConnectionIds: ["33333333-3333-4333-8333-333333333333"],
      targetConnectionIds: ["44444444-4444-4444-8444-444444444444"],
      scheduleParams: { startTime: 1900000000, frequency: "minute", interval: 15 },
      enabled: false,
      secretKeys: [],
    };
    exp.deployment.pending_operations = [
      { type: "creating", resource: { ...op.resource, urn, type: "pulumi-nodejs:dynamic/flowservice:Dataflow", inputs } },
    ];
    const flowLive = {
      id: "55555555-5555-4555-8555-555555555555",
      etag: '"flow-1"',
      name: inputs.name,
      flowSpec: inputs.flowSpec,
      sourceConnectionIds: inputs.sourceConnectionIds,
      targetConnectionIds: inputs.targetConnectionIds,
      scheduleParams: { startTime: "1900000000", frequency: "minute", interval: "15" },
      state: "enabled",
      createdAt: T0 + 5000,
      createdClient: CLIENT,
      sandboxName: "prod",
    };
    const pulumi = new FakePulumi({ "organization/orph/dev": JSON.stringify(exp) });
    const report = await recover(opts(), fakeDeps(pulumi, new FakeFlow([], { flows: [flowLive] })));
    assert.deepStrictEqual(
      report.items.map((i) => [i.type, i.outcome, i.connectionId]),
      [["Dataflow", "recovered", flowLive.id]],
      renderText(report),
    );
    const r = pulumi.imported.deployment.resources.find((x: any) => x.urn === urn);
    assert.deepStrictEqual([r.outputs.enabled, r.inputs.enabled, r.outputs.state], [true, false, "enabled"]);
  });
});

describe("flowservice-recover --check", () => {
  it("words an interruption of updates only as such: a refresh, nothing created twice", async () => {
    const exp = JSON.parse(PLUGIN_EXPORT);
    const r = exp.deployment.resources.find((x: any) => x.urn.endsWith("::salesforce"));
    exp.deployment.pending_operations = [{ type: "updating", resource: r }];
    const report = await recover(
      opts({ check: true, yes: false }),
      fakeDeps(new FakePulumi({ [STACK]: JSON.stringify(exp) }, STACK), new FakeFlow()),
    );
    const text = renderText(report);
    assert.match(text, /salesforce +update +interrupted: the update may have been applied/);
    assert.match(text, /it refreshes the interrupted resource from Flow Service.*nothing can be created twice/);
    assert.doesNotMatch(text, /second time/);
  });
});
