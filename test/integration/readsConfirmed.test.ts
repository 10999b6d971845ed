// Refresh reads of every collection through a real FlowSession against the emulator: source and
// target connections and flows come from listings like connections do, and a read says "gone"
// only on the documented not-found of the object in a sandbox that answered in this run. The
// emulator's not-found bodies are cross-checked with the provider's NOT_FOUND_CODES (the two
// share no code; both encode Adobe's catalogue).
import assert from "node:assert";
import type { RunningEmulator } from "../../emulator/main";
import { NOT_FOUND_CODES } from "../../provider/api/reads";
import { FlowSession } from "../../provider/api/session";
import { resolveConfig } from "../../provider/core/config";
import { DESCRIPTIONS } from "../../provider/core/registry";
import { deleteEntity } from "../../provider/resources/crud";
import { DEMO } from "../../tools/demo";
import { flowConfig } from "../../tools/pulumiCli";
import { type Dataflow, EmulatorApi, useEmulator } from "../helpers/emulatorApi";
import { EmulatorControl } from "../helpers/emulatorControl";

const MISSING = "0e0e0e0e-0000-4000-8000-000000000404";

describe("refresh reads every collection from listings, and concludes 'gone' only when Flow Service confirmed it", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let api: EmulatorApi;
  let control: EmulatorControl;
  let pipeline: Dataflow;
  const session = (extra: Record<string, string> = {}) =>
    new FlowSession(resolveConfig((k) => ({ ...flowConfig(emu.url, DEMO), ...extra })[k], {}));
  const flowRequests = async () => (await control.apiRequests()).filter((r) => r.path.startsWith("/data/"));

  useEmulator((e, a) => {
    emu = e;
    api = a;
    control = new EmulatorControl(e.url);
  });

  beforeEach(async () => {
    pipeline = await api.createDataflow("s3");
    await control.clearRequests();
  });

  it("reads a pipeline's four objects with one listing per collection and no single GET", async () => {
    const s = session();
    const ids = {
      connections: pipeline.base,
      sourceConnections: pipeline.sourceConnection,
      targetConnections: pipeline.targetConnection,
      flows: pipeline.flow,
    };
    for (const desc of DESCRIPTIONS) {
      const got = await s.reads.read(desc, ids[desc.collection as keyof typeof ids].id);
      assert.strictEqual(got?.etag, ids[desc.collection as keyof typeof ids].etag, desc.collection);
    }
    const sent = (await flowRequests()).map((r) => `${r.method} ${r.path.replace(/^.*flowservice/, "")}`);
    assert.deepStrictEqual(sent.sort(), ["GET /connections", "GET /flows", "GET /sourceConnections", "GET /targetConnections"]);
  });

  it("follows the emulator's continuation pages for flows, within the page budget", async () => {
    const flows = DESCRIPTIONS.find((d) => d.collection === "flows")!;
    for (let i = 0; i < 105; i++) await api.createDataflow("s3");
    await control.clearRequests();
    // The first pipeline's flow is the oldest of 106: not on the first page of 100.
    assert.strictEqual((await session().reads.read(flows, pipeline.flow.id))?.etag, pipeline.flow.etag);
    const sent = (await flowRequests()).map((r) => `${r.method} ${r.path.replace(/^.*flowservice/, "")} ${r.status}`);
    assert.deepStrictEqual(sent, ["GET /flows 200", "GET /flows 200"]);
  });

  it("answers 'gone' for a missing object of each collection after the sandbox's listing answered, on the documented code", async () => {
    const s = session();
    for (const desc of DESCRIPTIONS) {
      assert.strictEqual(await s.reads.read(desc, MISSING), undefined, desc.collection);
      // The emulator's answer for that GET carries one of the codes the provider believes.
      const r = await api.call("GET", `/${desc.collection}/${MISSING}`);
      assert.strictEqual(r.status, 404);
      const code = String(r.json.type).match(/FLOW-\d+-404$/)?.[0];
      assert.ok(code && NOT_FOUND_CODES[desc.collection].includes(code), `${desc.collection}: ${r.json.type}`);
    }
  });

  it("fails, naming the endpoint, when the route is unknown (a misspelt flowservice:endpoint), instead of answering 'gone'", async () => {
    const typo = `${emu.url}/data/foundation/flowservic`;
    const s = session({ "flowservice:endpoint": typo });
    for (const desc of DESCRIPTIONS) {
      await assert.rejects(s.reads.read(desc, pipeline.flow.id), (e: Error & { code?: string }) => {
        assert.strictEqual(e.code, "UNCONFIRMED");
        assert.match(e.message, new RegExp(`Check flowservice:endpoint \\(now ${typo.replace(/[.]/g, "\\.")}`));
        assert.match(e.message, /org DEMO/);
        return true;
      });
    }
  });

  it('fails, naming the sandbox, on a 404 "Sandbox not found"', async () => {
    await control.addFault({
      method: "GET",
      path: "/flows",
      action: "respond",
      status: 404,
      times: "always",
      body: { type: "https://ns.adobe.com/aep/errors/FLOW-2100-404", title: "Sandbox not found", status: 404 },
    });
    const flows = DESCRIPTIONS.find((d) => d.collection === "flows")!;
    await assert.rejects(
      session().reads.read(flows, pipeline.flow.id),
      /Sandbox not found[\s\S]*sandbox "prod"[\s\S]*flowservice:sandboxName/,
    );
  });

  it("fails when the listing was refused and nothing confirmed the sandbox, and when a 404 lacks the documented code", async () => {
    const flows = DESCRIPTIONS.find((d) => d.collection === "flows")!;
    await control.addFault({
      method: "GET",
      path: "/^\\/flows$/",
      action: "respond",
      status: 400,
      times: "always",
      body: { title: "Bad request" },
    });
    await assert.rejects(session().reads.read(flows, MISSING), /has not answered a listing or any read in this run/);
    // Reads in flight together: a sibling's 200 confirms the sandbox, whichever reply comes first.
    const s0 = session();
    const [missing, found] = await Promise.all([s0.reads.read(flows, MISSING), s0.reads.read(flows, pipeline.flow.id)]);
    assert.deepStrictEqual([missing, found?.id], [undefined, pipeline.flow.id]);
    await control.addFault({
      method: "GET",
      path: `/flows/${MISSING}`,
      action: "respond",
      status: 404,
      times: 1,
      body: { errorMessage: "nope" },
    });
    const s = session();
    assert.ok(await s.reads.read(flows, pipeline.flow.id), "a 200 GET confirms the sandbox");
    await assert.rejects(s.reads.read(flows, MISSING), /not Flow Service's documented not-found for flows/);
  });

  it("destroy does not drop a resource on a 404 from a misspelt endpoint: the delete fails and nothing changes", async () => {
    const flows = DESCRIPTIONS.find((d) => d.collection === "flows")!;
    const typo = `${emu.url}/data/foundation/flowservic`;
    const s = session({ "flowservice:endpoint": typo });
    const outs = { name: "Flow", etag: pipeline.flow.etag, adopted: false, secretKeys: [], ...s.origin };
    await assert.rejects(deleteEntity(s, flows, pipeline.flow.id, outs), (e: Error & { code?: string }) => {
      assert.strictEqual(e.code, "UNCONFIRMED");
      assert.match(e.message, /404[\s\S]*the delete stops[\s\S]*Check flowservice:endpoint/);
      return true;
    });
    assert.ok(await control.storedEntity("flows", pipeline.flow.id), "the flow still exists");
    // Under the right endpoint, a flow deleted outside is confirmed absent (its listing answers) and dropped.
    assert.strictEqual((await api.call("DELETE", `/flows/${pipeline.flow.id}`)).status, 204);
    assert.strictEqual(await deleteEntity(session(), flows, pipeline.flow.id, { ...outs, ...session().origin }), "absent");
  });
});
