// Batched reads (refresh) through the provider's methods against the emulator: how many requests a
// refresh of many connections costs, and that the listing never makes a read wrong.
import assert from "node:assert";
import type { RunningEmulator } from "../../emulator/main";
import { WriteLedger } from "../../provider/api/ledger";
import { EntityReader } from "../../provider/api/reads";
import { connection } from "../../provider/core/entities/connection";
import { configure, provider, runtime } from "../../provider/dynamicProvider";
import { DEMO } from "../../tools/demo";
import { flowConfig } from "../../tools/pulumiCli";
import { EmulatorApi, SALESFORCE, useEmulator } from "../helpers/emulatorApi";
import { EmulatorControl, LoggedRequest } from "../helpers/emulatorControl";

const N = 120;
const LIST = "/data/foundation/flowservice/connections";
const DEV_PARAMS = { environmentUrl: "login.salesforce.com", username: "u", password: "pw-dev-1", securityToken: "t-123" };

interface Held {
  id: string;
  outs: Record<string, any>;
}

function inputs(i: number) {
  return {
    name: `CRM ${i}`,
    connectionSpec: { id: SALESFORCE, version: "1.0" },
    auth: {
      specName: "Basic Authentication",
      params: { environmentUrl: "login.salesforce.com", username: `u${i}`, password: `pw-${i}-secret`, securityToken: "tok-123456" },
    },
    secretKeys: ["password", "securityToken"],
  };
}

describe("refresh reads many connections with a few list requests", function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let control: EmulatorControl;
  let fleet: Held[] = [];

  const freshProvider = () => configure((k) => flowConfig(emu.url, DEMO)[k], {});
  const sent = () => control.apiRequests();
  const lists = (rs: LoggedRequest[]) => rs.filter((r) => r.method === "GET" && r.path === LIST);
  const singles = (rs: LoggedRequest[]) => rs.filter((r) => r.method === "GET" && r.path.startsWith(`${LIST}/`));

  /** Reads every held connection the way the engine does: 8 calls in flight at a time. */
  async function refresh(held: Held[]): Promise<Map<string, { id: string; props: Record<string, any> }>> {
    const results = new Map<string, { id: string; props: Record<string, any> }>();
    let next = 0;
    const worker = async () => {
      while (next < held.length) {
        const h = held[next++];
        results.set(h.id, (await provider.read!(h.id, h.outs)) as { id: string; props: Record<string, any> });
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    return results;
  }

  useEmulator((e) => (emu = e), { reset: false });

  beforeEach(async () => {
    control = new EmulatorControl(emu.url);
    await fetch(`${emu.url}/__emulator/reset`, { method: "POST" });
    freshProvider();
    fleet = [];
    for (let i = 0; i < N; i++) {
      const checked = await provider.check!({}, inputs(i));
      const r = await provider.create(checked.inputs);
      fleet.push({ id: r.id, outs: r.outs });
    }
    freshProvider(); // a new `pulumi refresh`: a new process, a new token
    await control.clearRequests();
  });

  it("reads 120 connections with 2 list requests and 1 token, and takes an edit made in the UI", async () => {
    const edited = fleet[37];
    const { etag } = await control.editOutOfBand(edited.id, [{ op: "replace", path: "/name", value: "Renamed in the UI" }]);
    const results = await refresh(fleet);
    const rs = await sent();
    assert.strictEqual(rs.filter((r) => r.path.startsWith("/ims/")).length, 1, "one token");
    const flow = rs.filter((r) => r.path.startsWith("/data/"));
    assert.ok(flow.length <= Math.ceil(N / 50) + 1, `${flow.length} Flow Service requests`);
    assert.deepStrictEqual(
      flow.map((r) => `${r.method} ${r.path} ${r.status}`),
      [`GET ${LIST} 200`, `GET ${LIST} 200`],
    );
    assert.strictEqual(results.get(edited.id)!.props.name, "Renamed in the UI");
    assert.strictEqual(results.get(edited.id)!.props.etag, etag);
    for (const h of fleet.filter((x) => x !== edited)) {
      assert.strictEqual(results.get(h.id)!.id, h.id);
      assert.deepStrictEqual(results.get(h.id)!.props, h.outs, `${h.id} unchanged`);
    }
  });

  it("drops a connection deleted outside only after its own GET answers 404", async () => {
    const deleted = fleet[5];
    assert.strictEqual((await control.api("DELETE", `/connections/${deleted.id}`)).status, 204);
    const results = await refresh(fleet);
    assert.strictEqual(results.get(deleted.id)!.id, "", "gone");
    const rs = await sent();
    assert.deepStrictEqual(
      singles(rs).map((r) => `${r.path} ${r.status}`),
      [`${LIST}/${deleted.id} 404`],
    );
    assert.strictEqual(lists(rs).length, 2);
    assert.strictEqual([...results.values()].filter((r) => r.id !== "").length, N - 1);
  });

  it("falls back to single GETs when the list is refused, for the rest of the run and in every sandbox", async () => {
    await control.addFault({
      method: "GET",
      path: "/^\\/connections$/",
      action: "respond",
      status: 400,
      times: 10,
      body: { title: "Bad request" },
    });
    const edited = fleet[90];
    await control.editOutOfBand(edited.id, [{ op: "add", path: "/description", value: "edited" }]);
    const results = await refresh(fleet);
    assert.strictEqual(results.get(edited.id)!.props.description, "edited");
    assert.strictEqual([...results.values()].filter((r) => r.id !== "").length, N);
    // Another sandbox in the same run: no list is tried again.
    const dev = await new EmulatorApi(emu.url, "dev").createSalesforce("Dev CRM", DEV_PARAMS);
    assert.strictEqual((await runtime.session().reads.read(connection, dev.id, { sandbox: "dev" }))?.etag, dev.etag);
    const rs = await sent();
    assert.deepStrictEqual(
      lists(rs).map((r) => r.status),
      [400],
      "one refused list, remembered",
    );
    assert.strictEqual(singles(rs).length, N + 1);
  });

  it("reads a connection this process wrote after the listing with a GET, not from the listing", async () => {
    await refresh(fleet);
    const h = fleet[0];
    const news = (await provider.check!(h.outs, { ...inputs(0), description: "after the listing" })).inputs;
    const { outs } = await provider.update!(h.id, h.outs, news);
    await control.clearRequests();
    const again = (await provider.read!(h.id, outs)) as { props: Record<string, any> };
    assert.strictEqual(again.props.etag, outs.etag);
    assert.strictEqual(again.props.description, "after the listing");
    assert.deepStrictEqual(
      (await sent()).map((r) => `${r.method} ${r.path}`),
      [`GET ${LIST}/${h.id}`],
    );
  });

  it("lists each sandbox in its own snapshot", async () => {
    const dev = await new EmulatorApi(emu.url, "dev").createSalesforce("Dev CRM", DEV_PARAMS);
    await control.clearRequests();
    const reads = runtime.session().reads;
    const [prodRead, devRead] = await Promise.all([
      reads.read(connection, fleet[N - 1].id),
      reads.read(connection, dev.id, { sandbox: "dev" }),
    ]);
    assert.strictEqual(prodRead?.etag, fleet[N - 1].outs.etag); // the newest: on the first page
    assert.strictEqual(devRead?.etag, dev.etag);
    const rs = await sent();
    assert.deepStrictEqual(
      lists(rs)
        .map((r) => r.headers["x-sandbox-name"])
        .sort(),
      ["dev", "prod"],
    );
    assert.strictEqual(singles(rs).length, 0);
  });

  it("takes a new listing once the previous one is older than its maximum age", async () => {
    let now = 0;
    const reader = new EntityReader({ client: runtime.session().client, ledger: new WriteLedger(), now: () => now, maxAgeMs: 60_000 });
    const h = fleet[N - 1];
    assert.strictEqual((await reader.read(connection, h.id))?.etag, h.outs.etag);
    const { etag } = await control.editOutOfBand(h.id, [{ op: "replace", path: "/name", value: "Renamed later" }]);
    now = 60_000;
    assert.strictEqual((await reader.read(connection, h.id))?.etag, h.outs.etag, "within the age: the listing");
    now = 60_001;
    assert.strictEqual((await reader.read(connection, h.id))?.etag, etag, "older: listed again");
    assert.strictEqual(lists(await sent()).length, 2);
  });

  it("stays within its page budget when the sandbox holds far more connections than the stack", async () => {
    // 300 newer connections of others: a refresh of 3 of ours may list 2 pages, then reads one by one.
    const others = new EmulatorApi(emu.url);
    for (let i = 0; i < 300; i++) await others.createSalesforce(`Other ${i}`, DEV_PARAMS);
    await control.clearRequests();
    const mine = fleet.slice(0, 3);
    const results = await refresh(mine);
    for (const h of mine) assert.strictEqual(results.get(h.id)!.props.etag, h.outs.etag);
    const flow = (await sent()).filter((r) => r.path.startsWith("/data/"));
    assert.strictEqual(lists(flow).length, 2);
    assert.strictEqual(flow.length, 2 + mine.length);
  });
});
