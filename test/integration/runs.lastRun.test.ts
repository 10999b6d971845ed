// A Dataflow's lastRun output, read by refresh through the provider's methods against the emulator
// (its clock advanced): the failed run's error, batched run reads, and state without lastRun.
import assert from "node:assert";
import type { RunningEmulator } from "../../emulator/main";
import { configure } from "../../provider/dynamicProvider";
import { dataflowProvider as provider } from "../../provider/pipelineProvider";
import { DEMO } from "../../tools/demo";
import { flowConfig } from "../../tools/pulumiCli";
import { CRM_TO_AEP, type EmulatorApi, useEmulator } from "../helpers/emulatorApi";
import { EmulatorControl } from "../helpers/emulatorControl";

const N = 120;
const RUNS = "/data/foundation/flowservice/runs";

interface Held {
  id: string;
  outs: Record<string, any>;
}

describe("Dataflow lastRun: refresh reads each flow's latest run, batched", function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let api: EmulatorApi;
  let control: EmulatorControl;
  const fleet: Held[] = [];
  let idle: Held;

  const freshProvider = () => configure((k) => flowConfig(emu.url, DEMO)[k], {});
  const advance = (minutes: number) => api.control("POST", "/clock/advance", { minutes });

  async function refresh(held: Held[]): Promise<Map<string, Record<string, any>>> {
    const results = new Map<string, Record<string, any>>();
    let next = 0;
    const worker = async () => {
      while (next < held.length) {
        const h = held[next++];
        const r = (await provider.read!(h.id, h.outs)) as { props: Record<string, any> };
        results.set(h.id, r.props);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker)); // the engine's reads in flight
    return results;
  }

  const flowInputs = (i: number, source: string, target: string, startTime: number) => ({
    name: `Accounts ${i}`,
    flowSpec: { id: CRM_TO_AEP, version: "1.0" },
    sourceConnectionIds: [source],
    targetConnectionIds: [target],
    scheduleParams: { startTime, frequency: "minute", interval: 15 },
  });

  useEmulator(
    (e, a) => {
      emu = e;
      api = a;
    },
    { reset: false },
  );

  before(async () => {
    control = new EmulatorControl(emu.url);
    const df = await api.createDataflow("salesforce", {
      scheduleParams: { startTime: Math.floor(Date.now() / 1000) + 86_400, frequency: "once" },
    });
    freshProvider();
    const now = Math.floor(Date.now() / 1000);
    for (let i = 0; i < N; i++) {
      const checked = await provider.check!({}, flowInputs(i, df.sourceConnection.id, df.targetConnection.id, now));
      const r = await provider.create(checked.inputs);
      fleet.push({ id: r.id, outs: r.outs });
    }
    const later = await provider.create(
      (await provider.check!({}, flowInputs(N, df.sourceConnection.id, df.targetConnection.id, now + 86_400))).inputs,
    );
    idle = { id: later.id, outs: later.outs };
    await control.refuseCredential({ param: "password", value: "initial-password" });
    await advance(4); // one run each, failed on the refused password
  });

  it("shows lastRun failed with CONNECTOR-1001-500 and the source's 401, for 120 flows in 3 run requests", async () => {
    freshProvider();
    await control.clearRequests();
    const results = await refresh(fleet);
    for (const h of fleet) {
      const lastRun = results.get(h.id)?.lastRun;
      assert.equal(lastRun?.status, "failed", `flow ${h.id}`);
      assert.equal(lastRun.errors[0].code, "CONNECTOR-1001-500");
      assert.match(lastRun.errors[0].message, /Error in copying the data from Source.*401/);
      assert.match(lastRun.startedAt, /^\d{4}-\d\d-\d\dT/);
      assert.ok(lastRun.completedAt > lastRun.startedAt);
    }
    const rs = await control.apiRequests();
    const runReads = rs.filter((r) => r.path.startsWith(RUNS));
    assert.equal(runReads.length, Math.ceil(N / 50), runReads.map((r) => `${r.path}?${r.query}`).join("\n"));
    assert.ok(runReads.every((r) => r.path === RUNS && decodeURIComponent(r.query ?? "").includes("property=id==")));
    const listings = rs.filter((r) => r.path === "/data/foundation/flowservice/flows");
    assert.ok(listings.length <= 2, `${listings.length} flow listings`);
  });

  it("has no lastRun before a flow's first run", async () => {
    freshProvider();
    const [props] = [...(await refresh([idle])).values()];
    assert.equal(props.lastRun, undefined);
    assert.ok(!("lastRun" in props));
  });

  it("shows the next run once the credentials are accepted again (success, no errors)", async () => {
    await control.clearRefusedCredentials();
    await advance(15);
    freshProvider();
    const results = await refresh(fleet.slice(0, 3));
    for (const props of results.values()) {
      assert.equal(props.lastRun.status, "success");
      assert.deepEqual(props.lastRun.errors, []);
    }
  });

  it("previews state from earlier releases (no lastRun) and state with one as no change", async () => {
    const h = fleet[0];
    freshProvider();
    const [props] = [...(await refresh([h])).values()];
    const { lastRun: _dropped, ...earlier } = props;
    const news = (
      await provider.check!(
        earlier,
        flowInputs(0, h.outs.sourceConnectionIds[0], h.outs.targetConnectionIds[0], h.outs.scheduleParams.startTime),
      )
    ).inputs;
    for (const olds of [earlier, props]) {
      const d = await provider.diff!(h.id, olds, news);
      assert.equal(d.changes, false, JSON.stringify(d));
    }
  });

  it("keeps lastRun as last read through an update (an update reads no run)", async () => {
    const h = fleet[1];
    freshProvider();
    const [props] = [...(await refresh([h])).values()];
    const news = (
      await provider.check!(props, {
        ...flowInputs(1, props.sourceConnectionIds[0], props.targetConnectionIds[0], props.scheduleParams.startTime),
        name: "Renamed",
      })
    ).inputs;
    const r = await provider.update!(h.id, props, news);
    assert.deepEqual(r.outs.lastRun, props.lastRun);
  });
});
