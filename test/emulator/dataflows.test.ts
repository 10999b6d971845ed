// Source connections, target connections, flows and flow specs: an S3 or Salesforce → Data Lake
// dataflow end to end, the references between them, sandboxes, lists, faults and persistence.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type RunningEmulator, startEmulator } from "../../emulator/main";
import { EmulatorControl } from "../helpers/emulatorControl";
import {
  BASE,
  CLOUD_STORAGE_TO_AEP,
  CRM_TO_AEP,
  DATA_LAKE,
  EmulatorApi,
  S3,
  SALESFORCE,
  flowCode,
  useEmulator,
} from "../helpers/emulatorApi";

const q = (s: string) => encodeURIComponent(s);

describe("emulator dataflows: sourceConnections, targetConnections, flows, flowSpecs", function () {
  let emu: RunningEmulator;
  let api: EmulatorApi;
  useEmulator((e, a) => ([emu, api] = [e, a]));

  const hourFromNow = () => Math.floor(Date.now() / 1000) + 3600;

  describe("flowSpecs (read-only)", function () {
    it("finds CloudStorageToAEP and CRMToAEP by name, as the tutorials do (quoted value)", async () => {
      const cloud = await api.get(`/flowSpecs?property=${q('name=="CloudStorageToAEP"')}`);
      assert.equal(cloud.status, 200);
      assert.deepEqual(
        cloud.json.items.map((s: any) => s.id),
        [CLOUD_STORAGE_TO_AEP],
      );
      assert.ok(cloud.json.items[0].sourceConnectionSpecIds.includes(S3));
      assert.deepEqual(cloud.json.items[0].targetConnectionSpecIds, [DATA_LAKE]);
      const crm = await api.get(`/flowSpecs?property=${q("name==CRMToAEP")}`);
      assert.deepEqual(
        crm.json.items.map((s: any) => s.id),
        [CRM_TO_AEP],
      );
      assert.ok(crm.json.items[0].sourceConnectionSpecIds.includes(SALESFORCE));
      const one = await api.get(`/flowSpecs/${CRM_TO_AEP}`);
      assert.deepEqual(
        one.json.items[0].transformationSpecs.map((t: any) => t.name),
        ["Copy", "Mapping"],
      );
    });

    it("answers 404 1101 for an unknown flow spec and 405 to a write", async () => {
      const r = await api.get("/flowSpecs/00000000-0000-0000-0000-000000000000");
      assert.equal(flowCode(r), "1101-404");
      assert.equal(r.json.report.type, "flowSpecs");
      assert.equal((await api.call("POST", "/flowSpecs", { body: {} })).status, 405);
    });
  });

  describe("create and read", function () {
    it("creates an S3 → Data Lake dataflow: 201 {id, etag} + Location each, the flow enabled with its inherited connections", async () => {
      const df = await api.createDataflow("s3");
      const r = await api.call("POST", "/sourceConnections", {
        body: { name: "again", baseConnectionId: df.base.id, connectionSpec: { id: S3 }, data: { format: "json" } },
      });
      assert.equal(r.status, 201);
      assert.equal(r.headers.get("location"), `${BASE}/sourceConnections/${r.json.id}`);
      const flow = await api.item("/flows", df.flow.id);
      assert.equal(flow.state, "enabled");
      assert.match(flow.etag, /^".+"$/);
      assert.equal(flow.version, flow.etag);
      assert.equal(flow.etag, df.flow.etag);
      assert.deepEqual(flow.flowSpec, { id: CLOUD_STORAGE_TO_AEP, version: "1.0" });
      assert.deepEqual(flow.inheritedAttributes.sourceConnections, [
        {
          id: df.sourceConnection.id,
          connectionSpec: { id: S3, version: "1.0" },
          baseConnection: { id: df.base.id, connectionSpec: { id: S3, version: "1.0" } },
        },
      ]);
      assert.deepEqual(flow.inheritedAttributes.targetConnections, [
        { id: df.targetConnection.id, connectionSpec: { id: DATA_LAKE, version: "1.0" } },
      ]);
      assert.equal(flow.runs, `/runs?property=flowId==${df.flow.id}`);
      assert.deepEqual(flow.lastOperation, { started: flow.createdAt, updated: 0, operation: "create" });
      const source = await api.item("/sourceConnections", df.sourceConnection.id);
      assert.equal(source.baseConnectionId, df.base.id);
      assert.deepEqual(source.params, { path: "/acme/customers.csv" });
      assert.equal((await api.item("/targetConnections", df.targetConnection.id)).params.dataSetId, "5f0c7a8b9d2f3e0001a2b3c4");
    });

    it("creates a Salesforce → Data Lake dataflow under CRMToAEP", async () => {
      const df = await api.createDataflow("salesforce");
      assert.equal((await api.item("/flows", df.flow.id)).flowSpec.id, CRM_TO_AEP);
    });

    it("checks a source connection: data required, a base connection of the same connector in this sandbox, a source connector (1455/1413)", async () => {
      const { base } = await api.createDataflow("s3");
      const post = (body: Record<string, unknown>) => api.call("POST", "/sourceConnections", { body });
      const noData = await post({ name: "s", baseConnectionId: base.id, connectionSpec: { id: S3 } });
      assert.equal(flowCode(noData), "1455-400");
      assert.match(noData.json.errorMessage, /data is required/);
      const noBase = await post({ name: "s", connectionSpec: { id: S3 }, data: {} });
      assert.match(noBase.json.errorMessage, /baseConnectionId is required/);
      const unknownBase = await post({ name: "s", baseConnectionId: "nope", connectionSpec: { id: S3 }, data: {} });
      assert.match(unknownBase.json.errorMessage, /baseConnectionId 'nope' is not a base connection in this organization and sandbox/);
      const otherConnector = await post({ name: "s", baseConnectionId: base.id, connectionSpec: { id: SALESFORCE }, data: {} });
      assert.match(otherConnector.json.errorMessage, /needs a base connection of the same connector/);
      assert.equal(flowCode(await post({ name: "s", connectionSpec: { id: DATA_LAKE }, data: {} })), "1413-400");
      assert.equal(
        flowCode(await post({ name: "s", connectionSpec: { id: "11111111-0000-0000-0000-000000000000" }, data: {} })),
        "1413-400",
      );
    });

    it("checks a target connection: the Data Lake needs params.dataSetId; a source connector cannot be a target", async () => {
      const noDataset = await api.call("POST", "/targetConnections", {
        body: { connectionSpec: { id: DATA_LAKE }, data: { format: "parquet_xdm" } },
      });
      assert.equal(flowCode(noDataset), "1455-400");
      assert.match(noDataset.json.errorMessage, /params\.dataSetId is required/);
      const unnamed = await api.call("POST", "/targetConnections", {
        body: { connectionSpec: { id: DATA_LAKE }, data: {}, params: { dataSetId: "ds" } },
      });
      assert.equal(unnamed.status, 201, "a target connection's name is optional");
      assert.equal(
        flowCode(await api.call("POST", "/targetConnections", { body: { name: "t", connectionSpec: { id: S3 }, data: {} } })),
        "1413-400",
      );
    });

    it("checks a flow: no state (1410), a known flow spec (1413), existing connections of supported connectors, known transformations (1455)", async () => {
      const s3 = await api.createDataflow("s3");
      const sf = await api.createDataflow("salesforce");
      const flow = (extra: Record<string, unknown>) =>
        api.call("POST", "/flows", {
          body: {
            name: "f",
            flowSpec: { id: CLOUD_STORAGE_TO_AEP },
            sourceConnectionIds: [s3.sourceConnection.id],
            targetConnectionIds: [s3.targetConnection.id],
            scheduleParams: { startTime: hourFromNow(), frequency: "hour", interval: 15 },
            ...extra,
          },
        });
      assert.equal((await flow({})).status, 201);
      assert.equal(flowCode(await flow({ state: "disabled" })), "1410-400");
      assert.equal(flowCode(await flow({ flowSpec: { id: "00000000-0000-0000-0000-000000000000" } })), "1413-400");
      const missing = await flow({ sourceConnectionIds: ["no-such-source"] });
      assert.equal(flowCode(missing), "1455-400");
      assert.match(missing.json.errorMessage, /sourceConnectionIds\[0\] 'no-such-source' is not a source connection/);
      const wrongConnector = await flow({ sourceConnectionIds: [sf.sourceConnection.id] });
      assert.match(wrongConnector.json.errorMessage, /which flow spec CloudStorageToAEP does not support/);
      const swapped = await flow({ targetConnectionIds: [s3.sourceConnection.id] });
      assert.match(swapped.json.errorMessage, /targetConnectionIds\[0\] .* is not a target connection/);
      const copy = await flow({ transformations: [{ name: "Copy", params: {} }] });
      assert.match(copy.json.errorMessage, /transformations\[0\]\.name 'Copy' is not a transformation of flow spec CloudStorageToAEP/);
      assert.match((await flow({ sourceConnectionIds: [] })).json.errorMessage, /sourceConnectionIds/);
    });

    it("checks scheduleParams: interval at least 15 unless frequency is once, startTime and frequency required", async () => {
      const df = await api.createDataflow("s3");
      const flow = (scheduleParams: Record<string, unknown>) =>
        api.call("POST", "/flows", {
          body: {
            name: "f",
            flowSpec: { id: CLOUD_STORAGE_TO_AEP },
            sourceConnectionIds: [df.sourceConnection.id],
            targetConnectionIds: [df.targetConnection.id],
            scheduleParams,
          },
        });
      const start = hourFromNow();
      const tooOften = await flow({ startTime: start, frequency: "minute", interval: 5 });
      assert.equal(flowCode(tooOften), "1455-400");
      assert.match(tooOften.json.errorMessage, /scheduleParams\.interval must be at least 15 when frequency is minute \(got 5\)/);
      assert.match(
        (await flow({ startTime: start, frequency: "hour", interval: 1 })).json.errorMessage,
        /at least 15 when frequency is hour/,
      );
      assert.match((await flow({ startTime: start, frequency: "day" })).json.errorMessage, /scheduleParams\.interval is required/);
      assert.match(
        (await flow({ startTime: start, frequency: "once", interval: 15 })).json.errorMessage,
        /must not be given when frequency is once/,
      );
      assert.match((await flow({ frequency: "once" })).json.errorMessage, /scheduleParams\.startTime is required/);
      assert.match(
        (await flow({ startTime: start, frequency: "fortnight", interval: 15 })).json.errorMessage,
        /frequency must be one of once, minute, hour, day, week/,
      );
      assert.equal((await flow({ startTime: start, frequency: "once" })).status, 201);
      assert.equal(
        (await flow({ startTime: String(start), frequency: "minute", interval: "15", backfill: "true" })).status,
        201,
        "digit strings, as the tutorials send them",
      );
      await api.control("POST", "/config", { lenientScheduleIntervals: true });
      assert.equal(
        (await flow({ startTime: start, frequency: "hour", interval: 1 })).status,
        201,
        "the flow spec's own schema: minimum 1 for hour",
      );
      assert.equal(flowCode(await flow({ startTime: start, frequency: "minute", interval: 5 })), "1455-400");
    });
  });

  describe("references, sandboxes and deletes", function () {
    it("refuses to delete what is in use: a base connection (1418), a source or target connection of a flow (1447); then deletes in order", async () => {
      const df = await api.createDataflow("s3");
      const del = (c: string, id: string) => api.call("DELETE", `${c}/${id}`);
      const base = await del("/connections", df.base.id);
      assert.equal(flowCode(base), "1418-400");
      assert.match(base.json.errorMessage, new RegExp(df.sourceConnection.id));
      const source = await del("/sourceConnections", df.sourceConnection.id);
      assert.equal(flowCode(source), "1447-400");
      assert.match(source.json.errorMessage, new RegExp(`Found active flows containing id ${df.sourceConnection.id}.*${df.flow.id}`));
      assert.equal(flowCode(await del("/targetConnections", df.targetConnection.id)), "1447-400");
      assert.equal((await del("/flows", df.flow.id)).status, 204);
      assert.equal((await del("/sourceConnections", df.sourceConnection.id)).status, 204);
      assert.equal((await del("/targetConnections", df.targetConnection.id)).status, 204);
      assert.equal((await del("/connections", df.base.id)).status, 204);
      const gone = await api.get(`/flows/${df.flow.id}`);
      assert.equal(gone.status, 404);
      assert.equal(flowCode(gone), "1439-404");
      assert.equal(flowCode(await api.get(`/sourceConnections/${df.sourceConnection.id}`)), "1101-404");
    });

    it("scopes every entity to its sandbox: 404 and empty lists elsewhere, and no references across sandboxes", async () => {
      const df = await api.createDataflow("s3");
      const dev = new EmulatorApi(emu.url, "dev");
      assert.equal(flowCode(await dev.get(`/flows/${df.flow.id}`)), "1439-404");
      assert.equal(flowCode(await dev.get(`/sourceConnections/${df.sourceConnection.id}`)), "1101-404");
      assert.equal(flowCode(await dev.call("DELETE", `/targetConnections/${df.targetConnection.id}`)), "1101-404");
      assert.deepEqual((await dev.get("/flows")).json.items, []);
      const cross = await dev.call("POST", "/sourceConnections", {
        body: { name: "x", baseConnectionId: df.base.id, connectionSpec: { id: S3 }, data: {} },
      });
      assert.match(cross.json.errorMessage, /is not a base connection in this organization and sandbox/);
    });

    it("shows stored entities of every sandbox through the control routes", async () => {
      const df = await api.createDataflow("s3");
      const dev = await new EmulatorApi(emu.url, "dev").createDataflow("salesforce");
      const control = new EmulatorControl(emu.url);
      const flow = await control.storedEntity("flows", dev.flow.id);
      assert.equal(flow.sandboxName, "dev");
      assert.equal(typeof flow._emulator.seq, "number");
      assert.equal((await control.storedEntity("sourceConnections", df.sourceConnection.id)).baseConnectionId, df.base.id);
      assert.equal(await control.storedEntity("targetConnections", "nope"), undefined);
      assert.equal((await api.control("GET", "/flows")).json.items.length, 2);
    });

    it("runs the gateway checks on the new routes", async () => {
      for (const p of ["/flows", "/sourceConnections", "/targetConnections", "/flowSpecs"]) {
        const r = await fetch(`${emu.url}${BASE}${p}`);
        assert.equal(r.status, 403, p);
        assert.deepEqual(await r.json(), { error_code: "403010", message: "Oauth token is missing." });
      }
    });
  });

  describe("lists, faults, log and stats", function () {
    it("filters, counts and pages flows like connections, including by a source connection id", async () => {
      const a = await api.createDataflow("s3");
      const b = await api.createDataflow("salesforce");
      await api.flowAction(b.flow.id, "DISABLE");
      const ids = async (query: string) => (await api.get(`/flows?${query}`)).json.items.map((f: any) => f.id);
      assert.deepEqual(await ids(`property=${q("state==disabled")}`), [b.flow.id]);
      assert.deepEqual(await ids(`property=${q(`sourceConnectionIds==${a.sourceConnection.id}`)}`), [a.flow.id]);
      assert.deepEqual(await ids(`property=${q(`flowSpec.id==${CRM_TO_AEP}`)}`), [b.flow.id]);
      assert.deepEqual((await api.get("/flows?count=true")).json, { count: 2 });
      const first = await api.get("/flows?limit=1");
      assert.deepEqual(
        first.json.items.map((f: any) => f.id),
        [b.flow.id],
        "newest first",
      );
      assert.match(first.json._links.next.href, /^\/flows\?limit=1&continuationToken=/);
      assert.deepEqual(
        (await api.get(first.json._links.next.href)).json.items.map((f: any) => f.id),
        [a.flow.id],
      );
      assert.equal((await api.get("/sourceConnections?count=true")).json.count, 2);
      assert.equal(flowCode(await api.get("/targetConnections?orderby=colour")), "1433-400");
    });

    it("applies faults to the new routes, logs their requests and counts them", async () => {
      const df = await api.createDataflow("s3");
      await api.control("POST", "/faults", { method: "POST", path: "/flows", action: "respond", status: 503 });
      const body = {
        name: "f",
        flowSpec: { id: CLOUD_STORAGE_TO_AEP },
        sourceConnectionIds: [df.sourceConnection.id],
        targetConnectionIds: [df.targetConnection.id],
        scheduleParams: { startTime: hourFromNow(), frequency: "once" },
      };
      assert.equal((await api.call("POST", "/flows", { body })).status, 503);
      assert.equal((await api.get("/flows?count=true")).json.count, 1, "the faulted create did not happen");
      await api.flowAction(df.flow.id, "DISABLE");
      const log = (await api.control("GET", "/requests")).json.items;
      const faulted = log.find((e: any) => e.status === 503);
      assert.equal(faulted.path, `${BASE}/flows`);
      assert.equal(faulted.body.name, "f");
      assert.equal(faulted.headers.authorization, "Bearer [redacted]");
      assert.ok(log.some((e: any) => e.path === `${BASE}/flows/${df.flow.id}/action` && e.query === "op=DISABLE" && e.status === 200));
      const stats = (await api.control("GET", "/stats")).json;
      assert.equal(stats.action, 1);
      assert.equal(stats.post, 5, "base, source, target, flow, and the faulted flow");
    });
  });

  it("keeps dataflows across a restart with --state", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flow-emulator-dataflows-"));
    const file = path.join(dir, "state.json");
    try {
      const first = await startEmulator({ stateFile: file });
      const df = await new EmulatorApi(first.url).createDataflow("salesforce");
      await first.close();
      assert.equal(JSON.parse(fs.readFileSync(file, "utf8")).formatVersion, 2);
      const second = await startEmulator({ stateFile: file });
      try {
        const again = new EmulatorApi(second.url);
        const flow = await again.item("/flows", df.flow.id);
        assert.equal(flow.etag, df.flow.etag);
        assert.equal(flow.inheritedAttributes.sourceConnections[0].baseConnection.id, df.base.id);
        assert.equal(flowCode(await again.call("DELETE", `/sourceConnections/${df.sourceConnection.id}`)), "1447-400");
      } finally {
        await second.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
