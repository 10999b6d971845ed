// PATCH on flows, source and target connections (RFC 6902, If-Match required, what may change),
// and POST /flows/{id}/action?op=ENABLE|DISABLE.
import { strict as assert } from "node:assert";
import { EmulatorApi, type Dataflow, flowCode, useEmulator } from "../helpers/emulatorApi";

describe("emulator PATCH of flows and source/target connections, and flow actions", function () {
  let api: EmulatorApi;
  let df: Dataflow;
  useEmulator((_e, a) => (api = a));
  beforeEach(async () => {
    df = await api.createDataflow("s3");
  });

  const patchFlow = (ops: unknown, ifMatch: string = df.flow.etag) => api.patchAt("/flows", df.flow.id, ops, ifMatch);

  describe("flows", function () {
    it("applies the update-dataflows tutorial's patch: schedule, name and description, with a new etag and lastOperation", async () => {
      const before = await api.item("/flows", df.flow.id);
      const r = await patchFlow([
        { op: "replace", path: "/scheduleParams/frequency", value: "day" },
        { op: "replace", path: "/name", value: "renamed dataflow" },
        { op: "add", path: "/description", value: "updated" },
      ]);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(Object.keys(r.json), ["id", "etag"]);
      assert.notEqual(r.json.etag, df.flow.etag);
      const after = await api.item("/flows", df.flow.id);
      assert.equal(after.etag, r.json.etag);
      assert.equal(after.name, "renamed dataflow");
      assert.equal(after.description, "updated");
      assert.equal(after.scheduleParams.frequency, "day");
      assert.ok(after.updatedAt > before.updatedAt);
      assert.equal(after.lastOperation.operation, "update");
    });

    it("replaces the mapping at /transformations/0 and refuses a transformation the flow spec does not have", async () => {
      const mapping = { name: "Mapping", params: { mappingId: "0123456789abcdef0123456789abcdef", mappingVersion: "1" } };
      const r = await patchFlow([{ op: "replace", path: "/transformations/0", value: mapping }]);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual((await api.item("/flows", df.flow.id)).transformations, [mapping]);
      const bogus = await patchFlow([{ op: "replace", path: "/transformations/0/name", value: "Bogus" }], r.json.etag);
      assert.equal(flowCode(bogus), "1455-400");
      assert.match(bogus.json.errorMessage, /'Bogus' is not a transformation of flow spec CloudStorageToAEP/);
    });

    it("requires If-Match (400 1403) and refuses a stale one (412 1404), naming the flow", async () => {
      const missing = await api.patchAt("/flows", df.flow.id, [{ op: "replace", path: "/name", value: "x" }], undefined);
      assert.equal(missing.status, 400);
      assert.equal(flowCode(missing), "1403-400");
      assert.deepEqual([missing.json.report.id, missing.json.report.type], [df.flow.id, "flows"]);
      const first = await patchFlow([{ op: "replace", path: "/name", value: "first" }]);
      assert.equal(first.status, 200);
      const stale = await patchFlow([{ op: "replace", path: "/name", value: "second" }]);
      assert.equal(stale.status, 412);
      assert.equal(flowCode(stale), "1404-412");
      assert.equal((await api.item("/flows", df.flow.id)).name, "first");
      const unquoted = await patchFlow([{ op: "replace", path: "/name", value: "third" }], first.json.etag.replace(/"/g, ""));
      assert.equal(unquoted.status, 200, "the unquoted etag is accepted unless strictIfMatch");
    });

    it("refuses what cannot change: flowSpec (1414), state, connections and other fields (1455), a too-short interval", async () => {
      const code = async (ops: unknown) => flowCode(await patchFlow(ops));
      assert.equal(await code([{ op: "replace", path: "/flowSpec/id", value: "x" }]), "1414-400");
      const state = await patchFlow([{ op: "replace", path: "/state", value: "disabled" }]);
      assert.equal(flowCode(state), "1455-400");
      assert.match(state.json.errorMessage, /use POST \/flows\/\{id\}\/action\?op=ENABLE or op=DISABLE/);
      assert.match(
        (await patchFlow([{ op: "add", path: "/sourceConnectionIds/-", value: "x" }])).json.errorMessage,
        /connections of a flow cannot be changed/,
      );
      assert.match(
        (await patchFlow([{ op: "replace", path: "/id", value: "x" }])).json.errorMessage,
        /patchable paths are \/name, \/description, \/scheduleParams, \/transformations/,
      );
      assert.match((await patchFlow([{ op: "remove", path: "/name" }])).json.errorMessage, /name is required/);
      assert.match(
        (await patchFlow([{ op: "replace", path: "/scheduleParams/interval", value: 5 }])).json.errorMessage,
        /interval must be at least 15/,
      );
      assert.match(
        (await patchFlow([{ op: "replace", path: "/scheduleParams/nope/deeper", value: 5 }])).json.errorMessage,
        /\/scheduleParams\/nope does not exist/,
      );
      assert.equal(await code([{ op: "move", from: "/name", path: "/description" }]), "1434-400");
      assert.equal((await api.item("/flows", df.flow.id)).etag, df.flow.etag, "rejected patches changed nothing");
    });

    it("refuses a new startTime once the scheduled start has passed", async () => {
      const past = Math.floor(Date.now() / 1000) - 60;
      const started = await api.create("/flows", {
        name: "started",
        flowSpec: { id: "9753525b-82c7-4dce-8a9b-5ccfce2b9876" },
        sourceConnectionIds: [df.sourceConnection.id],
        targetConnectionIds: [df.targetConnection.id],
        scheduleParams: { startTime: past, frequency: "hour", interval: 15 },
      });
      const r = await api.patchAt(
        "/flows",
        started.id,
        [{ op: "replace", path: "/scheduleParams/startTime", value: past + 7200 }],
        started.etag,
      );
      assert.equal(flowCode(r), "1455-400");
      assert.match(r.json.errorMessage, /startTime cannot be changed once the flow's scheduled start .* has passed/);
      const future = await patchFlow([{ op: "replace", path: "/scheduleParams/startTime", value: past + 7200 }]);
      assert.equal(future.status, 200, "a start still in the future may move");
    });
  });

  describe("POST /flows/{id}/action", function () {
    it("disables and enables a flow, each with a new etag and lastOperation; the same state again is 1422", async () => {
      const off = await api.flowAction(df.flow.id, "DISABLE");
      assert.equal(off.status, 200, off.text);
      assert.deepEqual(Object.keys(off.json), ["id", "etag"]);
      assert.notEqual(off.json.etag, df.flow.etag);
      const flow = await api.item("/flows", df.flow.id);
      assert.equal(flow.state, "disabled");
      assert.equal(flow.etag, off.json.etag);
      assert.equal(flow.lastOperation.operation, "disable");
      const again = await api.flowAction(df.flow.id, "DISABLE");
      assert.equal(flowCode(again), "1422-400");
      assert.match(again.json.errorMessage, /The action disable cannot be applied on the current state disabled/);
      assert.equal((await api.flowAction(df.flow.id, "ENABLE", off.json.etag)).status, 200, "with the current If-Match");
      assert.equal((await api.item("/flows", df.flow.id)).state, "enabled");
    });

    it("checks If-Match when sent (412 1404) and accepts a patch with the etag the action returned", async () => {
      assert.equal(flowCode(await api.flowAction(df.flow.id, "DISABLE", '"stale-etag"')), "1404-412");
      const off = await api.flowAction(df.flow.id, "DISABLE");
      assert.equal(flowCode(await patchFlow([{ op: "replace", path: "/name", value: "x" }])), "1404-412", "the action changed the etag");
      assert.equal(
        (await patchFlow([{ op: "replace", path: "/name", value: "x" }], off.json.etag)).status,
        200,
        "a disabled flow can be patched",
      );
    });

    it("answers 1402 for provider-only ops, 1434 for an unknown op, 1451 without op, 405 for GET and 1439 for an unknown flow", async () => {
      assert.equal(flowCode(await api.flowAction(df.flow.id, "FINALIZE")), "1402-400");
      assert.equal(flowCode(await api.flowAction(df.flow.id, "enable")), "1434-400", "op values are upper case");
      assert.equal(flowCode(await api.call("POST", `/flows/${df.flow.id}/action`)), "1451-400");
      const get = await api.get(`/flows/${df.flow.id}/action?op=ENABLE`);
      assert.equal(get.status, 405);
      assert.equal(get.headers.get("allow"), "POST");
      assert.equal(flowCode(await api.flowAction("00000000-0000-0000-0000-000000000000", "ENABLE")), "1439-404");
      assert.equal((await api.item("/flows", df.flow.id)).etag, df.flow.etag);
    });
  });

  describe("source and target connections", function () {
    it("patches a source connection's params and data, requiring If-Match", async () => {
      const ops = [
        { op: "replace", path: "/params/path", value: "/acme/other.csv" },
        { op: "replace", path: "/data/format", value: "json" },
      ];
      const missing = await api.patchAt("/sourceConnections", df.sourceConnection.id, ops, undefined);
      assert.equal(flowCode(missing), "1403-400");
      assert.equal(missing.json.report.type, "sourceConnections");
      const r = await api.patchAt("/sourceConnections", df.sourceConnection.id, ops, df.sourceConnection.etag);
      assert.equal(r.status, 200, r.text);
      const source = await api.item("/sourceConnections", df.sourceConnection.id);
      assert.deepEqual([source.params.path, source.data.format, source.etag], ["/acme/other.csv", "json", r.json.etag]);
      assert.equal(flowCode(await api.patchAt("/sourceConnections", df.sourceConnection.id, ops, df.sourceConnection.etag)), "1404-412");
    });

    it("refuses a new connectionSpec (1414) or base connection (1455), and a Data Lake target without its dataset (1455)", async () => {
      const src = (ops: unknown) => api.patchAt("/sourceConnections", df.sourceConnection.id, ops, df.sourceConnection.etag);
      assert.equal(flowCode(await src([{ op: "replace", path: "/connectionSpec/id", value: "x" }])), "1414-400");
      assert.match(
        (await src([{ op: "replace", path: "/baseConnectionId", value: df.base.id }])).json.errorMessage,
        /base connection of a source connection cannot be changed/,
      );
      assert.match((await src([{ op: "remove", path: "/data" }])).json.errorMessage, /data is required/);
      const target = await api.patchAt(
        "/targetConnections",
        df.targetConnection.id,
        [{ op: "remove", path: "/params/dataSetId" }],
        df.targetConnection.etag,
      );
      assert.equal(flowCode(target), "1455-400");
      assert.match(target.json.errorMessage, /params\.dataSetId is required/);
      const renamed = await api.patchAt(
        "/targetConnections",
        df.targetConnection.id,
        [{ op: "replace", path: "/params/dataSetId", value: "other" }],
        df.targetConnection.etag,
      );
      assert.equal(renamed.status, 200, renamed.text);
    });
  });
});
