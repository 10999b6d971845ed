// A whole source as code through the real `pulumi` CLI against the emulator: an S3 base
// connection, a source connection, a Data Lake target connection and a dataflow, on one stack.
// The steps build on each other, in order: create, no-op, rotation, schedule change, disable,
// preview-time refusal, replacement, conflict, out-of-band delete, adoption, destroy.
import assert from "node:assert";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { buildPlan } from "../../commands/plan/plan";
import { parsePreview } from "../../commands/plan/preview";
import { FLOW_BASE_PATH } from "../../tools/demo";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { CLOUD_STORAGE_TO_AEP, DATA_LAKE, EmulatorApi, S3 } from "../helpers/emulatorApi";
import { EmulatorControl, LoggedRequest } from "../helpers/emulatorControl";
import { DEMO, ensureEngine, REPO, TestStack } from "./harness";

const tag = randomBytes(4).toString("hex");
// Distinctive values, so a scan can find any leak of them. The landing path is a secret too
// (any pulumi.secret() value is): write-only, never in clear.
const secrets = { s3One: `s3-secret-one-${tag}`, s3Two: `s3-secret-two-${tag}`, path: `/landing/${tag}/customers.csv` };
const START = Math.floor(Date.now() / 1000) + 7 * 86_400; // next week: it may still move
const MAPPING = "0b090130b58b4819afc78b6dc98b484d";
const DATASETS = { first: "638e6c7b5679741b63ff5c24", second: "6500aa7b5679741b63ff5c99", archive: "6511bb7b5679741b63ff5c00" };

interface Knobs {
  s3Secret: string;
  interval: number;
  enabled: boolean;
  dataSetId: string;
  flowDescription?: string;
  adoptTarget?: string;
}

function resources(k: Knobs) {
  const list: Array<{ type: string; name: string; args: Record<string, unknown> }> = [
    {
      type: "Connection",
      name: "storage",
      args: {
        name: "Landing bucket",
        connectionSpec: { id: S3, version: "1.0" },
        auth: { specName: "Access Key", params: { s3AccessKey: "AKIAEXAMPLE", s3SecretKey: { secret: k.s3Secret } } },
      },
    },
    {
      type: "SourceConnection",
      name: "files",
      args: {
        name: "Landing files",
        baseConnectionId: "$storage",
        connectionSpec: { id: S3, version: "1.0" },
        data: { format: "delimited" },
        params: { path: { secret: secrets.path } },
      },
    },
    {
      type: "TargetConnection",
      name: "dataset",
      args: {
        name: "Customers dataset",
        connectionSpec: { id: DATA_LAKE, version: "1.0" },
        data: {
          format: "parquet_xdm",
          schema: { id: "https://ns.adobe.com/acme/schemas/customers", version: "application/vnd.adobe.xed-full+json;version=1" },
        },
        params: { dataSetId: k.dataSetId },
      },
    },
    {
      type: "Dataflow",
      name: "flow",
      args: {
        name: "Customers from S3",
        description: k.flowDescription,
        flowSpec: { id: CLOUD_STORAGE_TO_AEP, version: "1.0" },
        sourceConnectionIds: ["$files"],
        targetConnectionIds: ["$dataset"],
        transformations: [{ name: "Mapping", params: { mappingId: MAPPING, mappingVersion: "0" } }],
        scheduleParams: { startTime: START, frequency: "minute", interval: k.interval },
        enabled: k.enabled,
      },
    },
  ];
  if (k.adoptTarget) {
    list.push({
      type: "TargetConnection",
      name: "archive",
      args: {
        name: "Archive dataset (managed)",
        adoptId: k.adoptTarget,
        connectionSpec: { id: DATA_LAKE, version: "1.0" },
        data: { format: "parquet_xdm" },
        params: { dataSetId: DATASETS.archive },
      },
    });
  }
  return list;
}

const COLLECTION: Record<string, string> = {
  storage: "connections",
  files: "sourceConnections",
  dataset: "targetConnections",
  flow: "flows",
  archive: "targetConnections",
};

describe("end to end: a whole source as code (S3 → Data Lake) through the real pulumi CLI", function () {
  this.timeout(180_000);
  let emulator: EmulatorProcess;
  let control: EmulatorControl;
  let api: EmulatorApi;
  let stack: TestStack;
  let knobs: Knobs = { s3Secret: secrets.s3One, interval: 15, enabled: true, dataSetId: DATASETS.first };
  const ids: Record<string, string> = {};

  const setProgram = (k: Knobs) => {
    knobs = k;
    fs.writeFileSync(path.join(stack.programDir, "pipeline.json"), JSON.stringify({ resources: resources(k) }, null, 2));
  };
  const up = () => stack.ok(["up", "--yes", "--skip-preview"]);
  /** Flow Service requests (not IMS) as "METHOD /path?query", path relative to the Flow Service base. */
  const flowCalls = async () =>
    (await control.apiRequests())
      .filter((r) => r.path.startsWith(FLOW_BASE_PATH))
      .map(
        (r) =>
          `${r.method} ${r.path.slice(FLOW_BASE_PATH.length)}${(r as LoggedRequest & { query?: string }).query ? `?${(r as LoggedRequest & { query?: string }).query}` : ""}`,
      );
  /** The pipeline's resources in state, by resource name. */
  const state = async () => {
    const out: Record<string, { id: string; outputs: any }> = {};
    for (const r of (await stack.exportState()).deployment.resources)
      if (/flowservice:/.test(String(r.type))) out[String(r.urn).split("::").pop() as string] = r as any;
    return out;
  };
  const stored = (name: string, id = ids[name]) =>
    COLLECTION[name] === "connections" ? control.stored(id) : control.storedEntity(COLLECTION[name] as "flows", id);

  before(async function () {
    this.timeout(45 * 60_000); // the first run on a machine builds the engine
    ensureEngine();
    emulator = await startEmulatorProcess();
    control = new EmulatorControl(emulator.url);
    api = new EmulatorApi(emulator.url);
    stack = new TestStack("pipeline", path.join(REPO, "test/e2e/pipelineProgram"));
    await stack.init(emulator.url);
  });

  after(async () => {
    await emulator?.stop();
    stack?.cleanup();
  });

  it("creates the four objects with one token, each POST after the objects it references", async () => {
    setProgram(knobs);
    await control.clearRequests();
    await up();
    const sent = await control.apiRequests();
    assert.strictEqual(sent.filter((r) => r.path === "/ims/token/v3").length, 1, "one token for the whole run");
    const posts = (await flowCalls()).filter((c) => c.startsWith("POST"));
    assert.deepStrictEqual([...posts].sort(), ["POST /connections", "POST /flows", "POST /sourceConnections", "POST /targetConnections"]);
    const at = (p: string) => posts.indexOf(`POST ${p}`);
    assert.ok(
      at("/connections") < at("/sourceConnections") && at("/sourceConnections") < at("/flows") && at("/targetConnections") < at("/flows"),
      posts.join(", "),
    );
    for (const [name, r] of Object.entries(await state())) ids[name] = r.id;
    const flow = await stored("flow");
    assert.deepStrictEqual([flow.sourceConnectionIds, flow.targetConnectionIds], [[ids.files], [ids.dataset]]);
    const files = await stored("files");
    assert.deepStrictEqual([files.baseConnectionId, files.params.path], [ids.storage, secrets.path]);
    assert.deepStrictEqual((await state()).files.outputs.secretKeys, ["path"]);
    for (const [name, r] of Object.entries(await state()))
      assert.strictEqual(r.outputs.etag, (await stored(name)).etag, `${name}: the etag in state is Flow Service's`);
  });

  it("sends no request at all for an unchanged program", async () => {
    await control.clearRequests();
    assert.match((await up()).stdout, /5 unchanged/);
    assert.deepStrictEqual(await control.apiRequests(), []);
  });

  it("rotates the S3 secret with exactly one PATCH, to the base connection, and nothing else", async () => {
    setProgram({ ...knobs, s3Secret: secrets.s3Two });
    await control.clearRequests();
    await up();
    // A credential test after the write (GET …/test) belongs to the base connection too.
    const calls = (await flowCalls()).filter((c) => c !== `GET /connections/${ids.storage}/test`);
    assert.deepStrictEqual(calls, [`PATCH /connections/${ids.storage}`]);
  });

  it("changes the schedule with one PATCH of the flow, If-Match from state, as flowservice-plan showed it", async () => {
    const before = (await state()).flow.outputs.etag;
    setProgram({ ...knobs, interval: 30 });
    const plan = buildPlan(parsePreview((await stack.ok(["preview", "--json"])).stdout));
    const planned = plan.connections.find((c) => c.resourceName === "flow");
    assert.deepStrictEqual(
      [planned?.action, planned?.ops, planned?.ifMatch],
      ["update", [{ op: "replace", path: "/scheduleParams/interval", value: 30 }], before],
    );
    await control.clearRequests();
    await up();
    const sent = (await control.apiRequests()).filter((r) => r.path.startsWith(FLOW_BASE_PATH));
    assert.deepStrictEqual(
      sent.map((r) => `${r.method} ${r.path.slice(FLOW_BASE_PATH.length)}`),
      [`PATCH /flows/${ids.flow}`],
    );
    assert.strictEqual(sent[0].headers["if-match"], before);
    assert.deepStrictEqual(sent[0].body, planned?.ops);
    assert.strictEqual((await stored("flow")).scheduleParams.interval, 30);
  });

  it("disables the flow with exactly one action call and no PATCH", async () => {
    setProgram({ ...knobs, enabled: false });
    const plan = buildPlan(parsePreview((await stack.ok(["preview", "--json"])).stdout));
    assert.deepStrictEqual(plan.connections.find((c) => c.resourceName === "flow")?.actions, [`POST /flows/${ids.flow}/action?op=DISABLE`]);
    await control.clearRequests();
    await up();
    assert.deepStrictEqual(await flowCalls(), [`POST /flows/${ids.flow}/action?op=DISABLE`]);
    const flow = await stored("flow");
    assert.strictEqual(flow.state, "disabled");
    assert.strictEqual((await state()).flow.outputs.etag, flow.etag);
  });

  it("fails a preview with a 5-minute interval, naming the property, before any request", async () => {
    setProgram({ ...knobs, interval: 5 });
    await control.clearRequests();
    const r = await stack.run(["preview"]);
    assert.notStrictEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /has a problem: scheduleParams\.interval: .*at least 15 when frequency is "minute"/);
    assert.deepStrictEqual(await control.apiRequests(), []);
    setProgram({ ...knobs, interval: 30 });
  });

  it("replaces the target connection for a new dataset, and the flow that writes to it: new ones first, then the old ones deleted", async () => {
    const old = { dataset: ids.dataset, flow: ids.flow };
    setProgram({ ...knobs, dataSetId: DATASETS.second });
    const preview = JSON.parse((await stack.ok(["preview", "--json"])).stdout);
    const reasons = (name: string) =>
      preview.steps.filter((s: any) => s.urn.endsWith(`::${name}`)).flatMap((s: any) => s.replaceReasons ?? []);
    assert.deepStrictEqual(reasons("dataset"), ["params.dataSetId"]);
    assert.deepStrictEqual(reasons("flow"), ["targetConnectionIds"]);
    await control.clearRequests();
    await up();
    const calls = await flowCalls();
    const failed = (await control.apiRequests()).filter((r) => (r.status ?? 0) >= 400);
    assert.deepStrictEqual(failed, [], "no refused request (no 1447, no 1418)");
    const at = (c: string) => calls.indexOf(c);
    const state1 = await state();
    ids.dataset = state1.dataset.id;
    ids.flow = state1.flow.id;
    assert.ok(at("POST /targetConnections") < at("POST /flows"), calls.join(", "));
    assert.ok(
      at("POST /flows") < at(`DELETE /flows/${old.flow}`) &&
        at(`DELETE /flows/${old.flow}`) < at(`DELETE /targetConnections/${old.dataset}`),
      calls.join(", "),
    );
    assert.deepStrictEqual((await stored("flow")).targetConnectionIds, [ids.dataset]);
    assert.strictEqual((await stored("flow")).state, "disabled", "the new flow is as declared");
    assert.strictEqual(await control.storedEntity("flows", old.flow), undefined);
    assert.strictEqual(await control.storedEntity("targetConnections", old.dataset), undefined);
  });

  it("refuses to overwrite an out-of-band edit of the flow; refresh then up converge", async () => {
    const live = await api.item("/flows", ids.flow);
    const edit = await api.patchAt("/flows", ids.flow, [{ op: "replace", path: "/name", value: "Renamed in the UI" }], live.etag);
    assert.strictEqual(edit.status, 200);
    setProgram({ ...knobs, flowDescription: "customers, hourly files" });
    const r = await stack.run(["up", "--yes", "--skip-preview"]);
    assert.notStrictEqual(r.code, 0);
    const text = r.stdout + r.stderr;
    // The edit was made with the stack's own API client (the emulator's demo one): the message says so.
    assert.match(text, new RegExp(`Dataflow ${ids.flow} \\("Customers from S3"\\) was last changed by this stack's own API client`));
    assert.match(text, /name: "Customers from S3" → "Renamed in the UI"/);
    assert.match(text, /pulumi refresh/);
    assert.strictEqual((await stored("flow")).name, "Renamed in the UI", "nothing was overwritten");
    await stack.ok(["refresh", "--yes"]);
    await up();
    const flow = await stored("flow");
    assert.deepStrictEqual([flow.name, flow.description], ["Customers from S3", "customers, hourly files"]);
    assert.strictEqual((await state()).flow.outputs.etag, flow.etag);
  });

  it("recreates a dataflow and its source connection deleted outside the stack, the new flow reading the new source", async () => {
    // Flow Service refuses to delete a source connection a flow still lists (1447), so "deleted
    // outside" is the dataflow first (as the UI does), then its source connection.
    assert.strictEqual((await api.call("DELETE", `/flows/${ids.flow}`)).status, 204);
    assert.strictEqual((await api.call("DELETE", `/sourceConnections/${ids.files}`)).status, 204);
    await stack.ok(["refresh", "--yes"]);
    const refreshed = await state();
    assert.ok(!("files" in refreshed) && !("flow" in refreshed), Object.keys(refreshed).join(", "));
    await control.clearRequests();
    await up();
    const posts = (await flowCalls()).filter((c) => c.startsWith("POST"));
    assert.deepStrictEqual(posts, ["POST /sourceConnections", "POST /flows", `POST /flows/${(await state()).flow.id}/action?op=DISABLE`]);
    const now = await state();
    assert.notStrictEqual(now.files.id, ids.files);
    ids.files = now.files.id;
    ids.flow = now.flow.id;
    assert.deepStrictEqual((await stored("flow")).sourceConnectionIds, [ids.files]);
  });

  it("adopts a target connection made outside the stack, then destroys the rest in dependency order, keeping the adopted one", async () => {
    const made = await api.create("/targetConnections", {
      name: "Archive (by hand)",
      connectionSpec: { id: DATA_LAKE, version: "1.0" },
      data: { format: "parquet_xdm" },
      params: { dataSetId: DATASETS.archive },
    });
    setProgram({ ...knobs, adoptTarget: made.id });
    await up();
    assert.strictEqual((await control.storedEntity("targetConnections", made.id)).name, "Archive dataset (managed)");
    await control.clearRequests();
    await stack.ok(["destroy", "--yes", "--skip-preview"]);
    const calls = await flowCalls();
    const failed = (await control.apiRequests()).filter((r) => (r.status ?? 0) >= 400);
    assert.deepStrictEqual(failed, [], "no 1418 or 1447");
    const at = (c: string) => calls.indexOf(c);
    assert.ok(
      at(`DELETE /flows/${ids.flow}`) >= 0 && at(`DELETE /flows/${ids.flow}`) < at(`DELETE /sourceConnections/${ids.files}`),
      calls.join(", "),
    );
    assert.ok(at(`DELETE /flows/${ids.flow}`) < at(`DELETE /targetConnections/${ids.dataset}`));
    assert.ok(at(`DELETE /sourceConnections/${ids.files}`) < at(`DELETE /connections/${ids.storage}`));
    assert.ok(!calls.some((c) => c.includes(made.id)), "no request touches the adopted target connection");
    assert.ok(await control.storedEntity("targetConnections", made.id), "the adopted target connection stays");
    for (const name of ["storage", "files", "dataset", "flow"]) assert.strictEqual(await stored(name), undefined, `${name} is deleted`);
  });

  it("never shows a secret in clear in state, previews or any CLI output", async () => {
    const everything = [stack.stateFiles(), ...stack.transcript].join("\n");
    for (const [name, value] of Object.entries({ ...secrets, clientSecret: DEMO.clientSecret }))
      assert.ok(!everything.includes(value), `${name} leaked`);
  });
});
