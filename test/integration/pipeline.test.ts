// The pipeline resources' provider methods (SourceConnection, TargetConnection, Dataflow) against
// the emulator over real HTTP: request order and counts, If-Match, action calls, conflicts,
// refresh, adoption, lost replies, deletes, sandboxes and the serialized shim.
import assert from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { configure, provider as connections, requestStats } from "../../provider/dynamicProvider";
import { dataflowProvider, sourceConnectionProvider, targetConnectionProvider } from "../../provider/pipelineProvider";
import { ConflictError } from "../../provider/core/errors";
import { pipelineShims } from "../../provider/resources/pipeline";
import { DEMO, FLOW_BASE_PATH } from "../../tools/demo";
import { flowConfig } from "../../tools/pulumiCli";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { EmulatorControl } from "../helpers/emulatorControl";
import { CLOUD_STORAGE_TO_AEP, DATA_LAKE, EmulatorApi, S3 } from "../helpers/emulatorApi";

type Provider = pulumi.dynamic.ResourceProvider;
const START = Math.floor(Date.now() / 1000) + 86_400; // tomorrow: a start time that may still move

async function make(
  p: Provider,
  args: Record<string, unknown>,
): Promise<{ id: string; outs: Record<string, any>; inputs: Record<string, unknown> }> {
  const checked = await p.check!({}, args);
  assert.deepStrictEqual(checked.failures ?? [], []);
  const r = await p.create(checked.inputs);
  return { id: r.id, outs: r.outs, inputs: checked.inputs };
}

async function change(
  p: Provider,
  made: { id: string; outs: Record<string, any>; inputs: Record<string, unknown> },
  args: Record<string, unknown>,
) {
  const news = (await p.check!(made.inputs, args)).inputs;
  return { news, result: await p.update!(made.id, made.outs, news) };
}

describe("the pipeline resources against the emulator", function () {
  this.timeout(60_000);
  let emulator: EmulatorProcess;
  let control: EmulatorControl;
  let config: Record<string, string>;
  const fresh = () => configure((k) => config[k], {});
  const requests = async () => (await control.requests()).filter((r) => !r.path.startsWith("/__emulator"));
  const calls = async () =>
    (await requests()).map(
      (r) =>
        `${r.method} ${r.path.replace(FLOW_BASE_PATH, "")}${(r as { query?: string }).query ? `?${(r as { query?: string }).query}` : ""}`,
    );

  const baseArgs = {
    name: "Landing bucket",
    connectionSpec: { id: S3, version: "1.0" },
    auth: { specName: "Access Key", params: { s3AccessKey: "AKIAEXAMPLE", s3SecretKey: "s3-secret-1" } },
    secretKeys: ["s3SecretKey"],
  };
  const sourceArgs = (baseConnectionId: string, extra: Record<string, unknown> = {}) => ({
    name: "Landing files",
    baseConnectionId,
    connectionSpec: { id: S3, version: "1.0" },
    data: { format: "delimited" },
    params: { path: "/landing/customers.csv" },
    secretKeys: [],
    ...extra,
  });
  const targetArgs = (extra: Record<string, unknown> = {}) => ({
    name: "Customers dataset",
    connectionSpec: { id: DATA_LAKE, version: "1.0" },
    data: {
      format: "parquet_xdm",
      schema: { id: "https://ns.adobe.com/acme/schemas/customers", version: "application/vnd.adobe.xed-full+json;version=1" },
    },
    params: { dataSetId: "638e6c7b5679741b63ff5c24" },
    secretKeys: [],
    ...extra,
  });
  const flowArgs = (sourceId: string, targetId: string, extra: Record<string, unknown> = {}) => ({
    name: "Customers from S3",
    flowSpec: { id: CLOUD_STORAGE_TO_AEP, version: "1.0" },
    sourceConnectionIds: [sourceId],
    targetConnectionIds: [targetId],
    transformations: [{ name: "Mapping", params: { mappingId: "0b090130b58b4819afc78b6dc98b484d", mappingVersion: "0" } }],
    scheduleParams: { startTime: START, frequency: "minute", interval: 15 },
    secretKeys: [],
    ...extra,
  });

  async function pipeline(flowExtra: Record<string, unknown> = {}) {
    const base = await make(connections, baseArgs);
    const source = await make(sourceConnectionProvider, sourceArgs(base.id));
    const target = await make(targetConnectionProvider, targetArgs());
    const flow = await make(dataflowProvider, flowArgs(source.id, target.id, flowExtra));
    return { base, source, target, flow };
  }

  before(async () => {
    emulator = await startEmulatorProcess();
    control = new EmulatorControl(emulator.url);
    config = flowConfig(emulator.url, DEMO);
  });
  after(() => emulator?.stop());
  beforeEach(async () => {
    await control.control("POST", "/reset");
    fresh();
  });

  it("creates the S3 → Data Lake pipeline with one token and one POST per object, in dependency order", async () => {
    const { source, target, flow } = await pipeline();
    const posts = (await calls()).filter((c) => c.startsWith("POST"));
    assert.deepStrictEqual(posts, [
      "POST /ims/token/v3",
      "POST /connections",
      "POST /sourceConnections",
      "POST /targetConnections",
      "POST /flows",
    ]);
    assert.strictEqual(requestStats().token, 1);
    const stored = await control.storedEntity("flows", flow.id);
    assert.deepStrictEqual(stored.sourceConnectionIds, [source.id]);
    assert.deepStrictEqual(stored.targetConnectionIds, [target.id]);
    assert.strictEqual(flow.outs.etag, stored.etag);
    assert.strictEqual(flow.outs.state, "enabled");
    assert.strictEqual(flow.outs.sandboxName, "prod");
    assert.strictEqual((await control.storedEntity("targetConnections", target.id)).params.dataSetId, "638e6c7b5679741b63ff5c24");
  });

  it("patches one schedule field with If-Match from state, and nothing for an unchanged program", async () => {
    const { flow } = await pipeline();
    await control.clearRequests();
    const same = await change(dataflowProvider, flow, flowArgs(flow.outs.sourceConnectionIds[0], flow.outs.targetConnectionIds[0]));
    assert.strictEqual((await dataflowProvider.diff!(flow.id, flow.outs, same.news)).changes, false);
    assert.deepStrictEqual(await requests(), []);
    const { result } = await change(
      dataflowProvider,
      flow,
      flowArgs(flow.outs.sourceConnectionIds[0], flow.outs.targetConnectionIds[0], {
        scheduleParams: { startTime: START, frequency: "minute", interval: 30 },
      }),
    );
    const sent = await requests();
    assert.deepStrictEqual(
      sent.map((r) => r.method),
      ["PATCH"],
    );
    assert.strictEqual(sent[0].headers["if-match"], flow.outs.etag);
    assert.deepStrictEqual(sent[0].body, [{ op: "replace", path: "/scheduleParams/interval", value: 30 }]);
    assert.strictEqual(result.outs!.etag, (await control.storedEntity("flows", flow.id)).etag);
  });

  it("disables and enables a flow with one action call each and no PATCH", async () => {
    const { flow } = await pipeline();
    const ids = [flow.outs.sourceConnectionIds[0], flow.outs.targetConnectionIds[0]] as const;
    await control.clearRequests();
    const off = await change(dataflowProvider, flow, flowArgs(...ids, { enabled: false }));
    assert.deepStrictEqual(await calls(), [`POST /flows/${flow.id}/action?op=DISABLE`]);
    assert.strictEqual((await requests())[0].headers["if-match"], flow.outs.etag);
    assert.strictEqual(off.result.outs!.state, "disabled");
    const stored = await control.storedEntity("flows", flow.id);
    assert.strictEqual(stored.state, "disabled");
    assert.strictEqual(off.result.outs!.etag, stored.etag);
    await control.clearRequests();
    await change(dataflowProvider, { id: flow.id, outs: off.result.outs!, inputs: off.news }, flowArgs(...ids));
    assert.deepStrictEqual(await calls(), [`POST /flows/${flow.id}/action?op=ENABLE`]);
  });

  it("creates a flow declared disabled with one POST and one DISABLE", async () => {
    const { flow } = await pipeline({ enabled: false });
    assert.strictEqual(flow.outs.state, "disabled");
    const flowCalls = (await calls()).filter((c) => c.includes("/flows"));
    assert.deepStrictEqual(
      flowCalls.filter((c) => !c.startsWith("GET")),
      ["POST /flows", `POST /flows/${flow.id}/action?op=DISABLE`],
    );
    assert.strictEqual((await control.storedEntity("flows", flow.id)).etag, flow.outs.etag);
  });

  it("refuses to overwrite an out-of-band edit of the flow, then refresh takes it and the next update converges", async () => {
    const { flow } = await pipeline();
    const ids = [flow.outs.sourceConnectionIds[0], flow.outs.targetConnectionIds[0]] as const;
    const live = await control.api("GET", `/flows/${flow.id}`);
    const edited = await new EmulatorApi(emulator.url).patchAt(
      "/flows",
      flow.id,
      [{ op: "replace", path: "/name", value: "Renamed elsewhere" }],
      live.json.items[0].etag,
    );
    assert.strictEqual(edited.status, 200);
    await assert.rejects(change(dataflowProvider, flow, flowArgs(...ids, { description: "mine" })), (e: Error) => {
      assert.ok(e instanceof ConflictError, e.message);
      // The edit was made with the stack's own API client (the emulator's demo one): the message says so.
      assert.match(e.message, new RegExp(`Dataflow ${flow.id} \\("Customers from S3"\\) was last changed by this stack's own API client`));
      assert.match(e.message, /name: "Customers from S3" → "Renamed elsewhere"/);
      assert.match(e.message, /pulumi refresh/);
      return true;
    });
    const read = await dataflowProvider.read!(flow.id, flow.outs);
    assert.strictEqual((read.inputs as any).name, "Renamed elsewhere");
    const { result } = await change(dataflowProvider, { id: flow.id, outs: read.props!, inputs: read.inputs! }, flowArgs(...ids));
    const stored = await control.storedEntity("flows", flow.id);
    assert.strictEqual(stored.name, "Customers from S3");
    assert.strictEqual(result.outs!.etag, stored.etag);
  });

  it("reads a deleted object as gone, and adopts an existing flow by id, keeping it on delete", async () => {
    const { flow } = await pipeline();
    const ids = [flow.outs.sourceConnectionIds[0], flow.outs.targetConnectionIds[0]] as const;
    fresh();
    const adopted = await make(dataflowProvider, flowArgs(...ids, { adoptId: flow.id, description: "now managed" }));
    assert.strictEqual(adopted.id, flow.id);
    assert.strictEqual(adopted.outs.adopted, true);
    assert.strictEqual((await control.storedEntity("flows", flow.id)).description, "now managed");
    await control.clearRequests();
    await dataflowProvider.delete!(adopted.id, adopted.outs);
    assert.deepStrictEqual(await requests(), [], "an adopted flow stays");
    await dataflowProvider.delete!(flow.id, flow.outs);
    assert.deepStrictEqual((await dataflowProvider.read!(flow.id, flow.outs)).id, "");
    await assert.rejects(make(dataflowProvider, flowArgs(...ids, { adoptId: flow.id })), /adoptId .*: no such dataflow in sandbox "prod"/);
  });

  it("refuses to adopt a flow whose spec or connections differ from the program, before any write", async () => {
    const { flow, source } = await pipeline();
    const other = await make(sourceConnectionProvider, sourceArgs(source.inputs.baseConnectionId as string, { name: "Other files" }));
    await control.clearRequests();
    await assert.rejects(
      make(dataflowProvider, flowArgs(other.id, flow.outs.targetConnectionIds[0], { adoptId: flow.id })),
      /cannot patch sourceConnectionIds/,
    );
    assert.deepStrictEqual(
      (await requests()).map((r) => r.method),
      ["GET"],
    );
  });

  it("explains a source connection still used by a flow (1447), and deletes in dependency order", async () => {
    const { base, source, target, flow } = await pipeline();
    await assert.rejects(sourceConnectionProvider.delete!(source.id, source.outs), (e: Error) => {
      assert.match(e.message, /FLOW-1447-400/);
      assert.match(e.message, /a dataflow still reads from it/);
      assert.match(e.message, /deleteOnDestroy: false/);
      return true;
    });
    await dataflowProvider.delete!(flow.id, flow.outs);
    await sourceConnectionProvider.delete!(source.id, source.outs);
    await targetConnectionProvider.delete!(target.id, target.outs);
    await connections.delete!(base.id, base.outs);
    for (const [c, id] of [
      ["flows", flow.id],
      ["sourceConnections", source.id],
      ["targetConnections", target.id],
    ] as const) {
      assert.strictEqual(await control.storedEntity(c, id), undefined, c);
    }
  });

  it("creates exactly one flow when the POST was applied but its reply was lost", async () => {
    const { source, target } = await pipeline();
    await control.addFault({ action: "apply-then-drop", method: "POST", path: "/flows", times: 1 });
    const second = await make(dataflowProvider, flowArgs(source.id, target.id, { name: "Second flow" }));
    const flows = ((await control.control("GET", "/flows")) as { items: Array<{ id: string; name: string }> }).items.filter(
      (f) => f.name === "Second flow",
    );
    assert.deepStrictEqual(
      flows.map((f) => f.id),
      [second.id],
    );
  });

  it("recognises a PATCH applied but whose reply was lost, and a DISABLE likewise", async () => {
    const { flow } = await pipeline();
    const ids = [flow.outs.sourceConnectionIds[0], flow.outs.targetConnectionIds[0]] as const;
    await control.addFault({ action: "apply-then-drop", method: "PATCH", path: "/flows", times: 1 });
    const patched = await change(dataflowProvider, flow, flowArgs(...ids, { description: "after" }));
    assert.strictEqual(patched.result.outs!.etag, (await control.storedEntity("flows", flow.id)).etag);
    await control.addFault({ action: "apply-then-drop", method: "POST", path: `/flows/${flow.id}/action`, times: 1 });
    await control.clearRequests();
    const off = await change(
      dataflowProvider,
      { id: flow.id, outs: patched.result.outs!, inputs: patched.news },
      flowArgs(...ids, { description: "after", enabled: false }),
    );
    const stored = await control.storedEntity("flows", flow.id);
    assert.strictEqual(stored.state, "disabled");
    assert.strictEqual(off.result.outs!.etag, stored.etag);
    // The first DISABLE's reply was lost; the second met "already disabled" and the flow was read.
    assert.deepStrictEqual(
      (await calls()).filter((c) => c.includes(flow.id)),
      [`POST /flows/${flow.id}/action?op=DISABLE`, `POST /flows/${flow.id}/action?op=DISABLE`, `GET /flows/${flow.id}`],
    );
  });

  it("treats a secret param as write-only: not compared on refresh, sent again after another writer, redacted from errors", async () => {
    const base = await make(connections, baseArgs);
    const token = "tok-secret-path-4711";
    const args = sourceArgs(base.id, { params: { path: "/in", accessToken: token }, secretKeys: ["accessToken"] });
    const source = await make(sourceConnectionProvider, args);
    assert.deepStrictEqual(source.outs.params, { path: "/in", accessToken: token }, "state holds it (the engine encrypts it)");
    // Someone else renames it: refresh takes the name, and drops the secret it cannot verify.
    const live = await new EmulatorApi(emulator.url).item("/sourceConnections", source.id);
    await new EmulatorApi(emulator.url).patchAt(
      "/sourceConnections",
      source.id,
      [{ op: "replace", path: "/name", value: "Renamed" }],
      live.etag,
    );
    const read = await sourceConnectionProvider.read!(source.id, source.outs);
    assert.deepStrictEqual((read.inputs as any).params, { path: "/in" });
    await control.clearRequests();
    await change(sourceConnectionProvider, { id: source.id, outs: read.props!, inputs: read.inputs! }, args);
    const [patch] = await requests();
    assert.deepStrictEqual(patch.body, [
      { op: "replace", path: "/name", value: "Landing files" },
      { op: "add", path: "/params/accessToken", value: token },
    ]);
    // An error that echoes the secret never shows it.
    await control.addFault({ action: "respond", method: "PATCH", status: 400, body: { errorMessage: `bad value ${token}` } });
    const stored = await control.storedEntity("sourceConnections", source.id);
    await assert.rejects(
      change(
        sourceConnectionProvider,
        { id: source.id, outs: { ...source.outs, etag: stored.etag }, inputs: args },
        { ...args, name: "Again" },
      ),
      (e: Error) => !e.message.includes(token) && /bad value \[secret\]/.test(e.message),
    );
  });

  it("keeps each object in its declared sandbox for every call, whatever the stack's default", async () => {
    configure((k) => ({ ...config, "flowservice:sandboxName": "dev" })[k], {});
    const base = await make(connections, baseArgs);
    fresh(); // the stack's default is prod again
    const source = await make(sourceConnectionProvider, sourceArgs(base.id, { sandboxName: "dev" }));
    assert.strictEqual(source.outs.sandboxName, "dev");
    await sourceConnectionProvider.read!(source.id, source.outs);
    await sourceConnectionProvider.delete!(source.id, source.outs);
    const sandboxes = (await requests()).filter((r) => r.path.includes("/sourceConnections")).map((r) => r.headers["x-sandbox-name"]);
    assert.deepStrictEqual([...new Set(sandboxes)], ["dev"]);
  });

  it("serializes each resource's provider as a few require-by-path calls, the same small text every time", async () => {
    for (const [exportName, shim] of Object.entries({
      sourceConnectionProvider: pipelineShims.SourceConnection,
      targetConnectionProvider: pipelineShims.TargetConnection,
      dataflowProvider: pipelineShims.Dataflow,
    })) {
      const text = (await pulumi.runtime.serializeFunction(() => shim, { allowSecrets: true })).text;
      assert.ok(text.length < 4096, `${exportName}: ${text.length} bytes`);
      assert.ok(text.includes('"pulumi-flowservice/dist/provider/pipelineProvider"') && text.includes(`"${exportName}"`), exportName);
      assert.ok(!text.includes(DEMO.clientSecret) && !/Bearer/.test(text));
    }
  });
});
