// Connection retriggerFailedRuns through the provider's methods against the emulator (clock
// advanced): after a rotation that passes its test, exactly the runs that failed on credentials
// are re-triggered, once; nothing without the option, nothing for a disabled flow.
import assert from "node:assert";
import type { RunningEmulator } from "../../emulator/main";
import { configure, provider } from "../../provider/dynamicProvider";
import { DEMO } from "../../tools/demo";
import { flowConfig } from "../../tools/pulumiCli";
import { CRM_TO_AEP, DATA_LAKE, EmulatorApi, SALESFORCE, useEmulator } from "../helpers/emulatorApi";
import { EmulatorControl } from "../helpers/emulatorControl";

describe("Connection retriggerFailedRuns: failed runs re-triggered after a credential fix", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let api: EmulatorApi;
  let control: EmulatorControl;
  let conn: { id: string; outs: Record<string, any> };
  const flows: Record<string, string> = {};

  const inputs = (password: string, extra: Record<string, unknown> = {}) => ({
    name: "CRM",
    connectionSpec: { id: SALESFORCE, version: "1.0" },
    auth: {
      specName: "Basic Authentication",
      params: { environmentUrl: "login.salesforce.com", username: "u", password, securityToken: "tok-1" },
    },
    secretKeys: ["password", "securityToken"],
    ...extra,
  });
  /** An update of the connection to `password`, as `up` sends it. */
  async function rotate(password: string, extra: Record<string, unknown> = {}) {
    const checked = await provider.check!(conn.outs, inputs(password, extra));
    const r = await provider.update!(conn.id, conn.outs, checked.inputs);
    conn = { id: conn.id, outs: r.outs as Record<string, any> };
    return conn.outs;
  }
  const retriggers = async () => (await control.apiRequests()).filter((r) => r.method === "POST" && /\/runs\/[^/]+\/action/.test(r.path));
  const advance = (minutes: number) => api.control("POST", "/clock/advance", { minutes });

  useEmulator(
    (e, a) => {
      emu = e;
      api = a;
    },
    { reset: false },
  );

  before(async () => {
    control = new EmulatorControl(emu.url);
    configure((k) => flowConfig(emu.url, DEMO)[k], {});
    const created = await provider.create((await provider.check!({}, inputs("pw-1"))).inputs);
    conn = { id: created.id, outs: created.outs as Record<string, any> };
    const source = await api.create("/sourceConnections", {
      name: "Accounts",
      baseConnectionId: conn.id,
      connectionSpec: { id: SALESFORCE, version: "1.0" },
      data: { format: "tabular" },
      params: { tableName: "Account" },
    });
    const target = await api.create("/targetConnections", {
      connectionSpec: { id: DATA_LAKE, version: "1.0" },
      data: { format: "parquet_xdm" },
      params: { dataSetId: "5f0c7a8b9d2f3e0001a2b3c4" },
    });
    for (const name of ["running", "disabled"]) {
      flows[name] = (
        await api.create("/flows", {
          name,
          flowSpec: { id: CRM_TO_AEP, version: "1.0" },
          sourceConnectionIds: [source.id],
          targetConnectionIds: [target.id],
          scheduleParams: { startTime: Math.floor(Date.now() / 1000), frequency: "minute", interval: 15 },
        })
      ).id;
    }
    await control.refuseCredential({ param: "password", value: "pw-1" });
    await advance(4 + 15); // two runs each, both failed on the refused password
    await api.flowAction(flows.disabled, "DISABLE");
  });

  it("re-triggers nothing after a rotation without the option (the stack's default is false)", async () => {
    await control.clearRequests();
    const outs = await rotate("pw-2");
    assert.equal(outs.verification, "passed");
    assert.deepEqual(await retriggers(), []);
    assert.equal(outs.retriggeredRuns, undefined);
  });

  it("re-triggers exactly the runs that failed on credentials, once each, and says so in the outputs; never the disabled flow's", async () => {
    const failed = (await api.get(`/runs?property=flowId==${flows.running}`)).json.items.map((r: any) => r.id);
    assert.equal(failed.length, 2);
    await control.clearRequests();
    const outs = await rotate("pw-3", { retriggerFailedRuns: true });
    const posted = await retriggers();
    assert.deepEqual(posted.map((r) => r.path.split("/").at(-2)).sort(), [...failed].sort());
    assert.deepEqual(outs.retriggeredRuns.runs.map((r: any) => r.runId).sort(), [...failed].sort());
    assert.ok(outs.retriggeredRuns.runs.every((r: any) => r.flowId === flows.running && /^[0-9a-f-]{36}$/.test(r.newRunId)));
    assert.deepEqual(
      outs.retriggeredRuns.skipped.map((s: any) => s.flowId),
      [flows.disabled],
    );
    assert.match(outs.retriggeredRuns.skipped[0].reason, /disabled/);
    await advance(2);
    const rerun = (await api.get(`/runs/${outs.retriggeredRuns.runs[0].newRunId}`)).json.items[0];
    assert.equal(rerun.metrics.statusSummary.status, "success");
  });

  it("re-triggers nothing twice: a later rotation finds the flow's last run succeeded", async () => {
    await control.clearRequests();
    const outs = await rotate("pw-4", { retriggerFailedRuns: true });
    assert.deepEqual(await retriggers(), []);
    assert.deepEqual(outs.retriggeredRuns.runs, []);
  });

  it("keeps the record through an update that writes no credential, and re-triggers nothing then", async () => {
    await control.clearRequests();
    const before = conn.outs.retriggeredRuns;
    const outs = await rotate("pw-4", { retriggerFailedRuns: true, description: "renamed" });
    assert.deepEqual(await retriggers(), []);
    assert.deepEqual(outs.retriggeredRuns, before);
  });
});
