// Dataflow runs in the emulator: the schedule on an advancing clock, outcomes from the source
// system and injected failures, GET /runs (filters, pages, count), re-trigger and on-demand runs.
import { strict as assert } from "node:assert";
import { type EmulatorApi, type Res, flowCode, useEmulator } from "../helpers/emulatorApi";

const q = (s: string) => encodeURIComponent(s);

describe("emulator dataflow runs", function () {
  let api: EmulatorApi;
  useEmulator((_e, a) => {
    api = a;
  });

  const nowS = () => Math.floor(Date.now() / 1000);
  const every15 = () => ({ scheduleParams: { startTime: nowS(), frequency: "minute", interval: 15 } });
  const advance = async (minutes: number) => {
    const r = await api.control("POST", "/clock/advance", { minutes });
    assert.equal(r.status, 200, r.text);
    return r.json;
  };
  const runsOf = async (flowId: string): Promise<any[]> => {
    const r = await api.get(`/runs?property=${q(`flowId==${flowId}`)}`);
    assert.equal(r.status, 200, r.text);
    return r.json.items;
  };
  const refuseSalesforcePassword = () => api.control("POST", "/refuse-credentials", { param: "password", value: "initial-password" });

  it("starts no run before the documented delay, then one 2.5 minutes after startTime and one per interval after it", async () => {
    const df = await api.createDataflow("salesforce", every15());
    await advance(2);
    assert.equal((await runsOf(df.flow.id)).length, 0);
    const flowBefore = await api.item("/flows", df.flow.id);
    assert.equal(flowBefore.lastRunDetails, undefined, "no lastRunDetails before the first run");
    await advance(1);
    const [first] = await runsOf(df.flow.id);
    assert.equal(first.metrics.statusSummary.status, "inProgress");
    await advance(1);
    const done = await api.get(`/runs/${first.id}`);
    assert.equal(done.json.items[0].metrics.statusSummary.status, "success");
    assert.equal(done.json.items[0].flowId, df.flow.id);
    assert.equal(done.json.items[0].metrics.recordSummary.inputRecordCount, 1000);
    await advance(30);
    const runs = await runsOf(df.flow.id);
    assert.equal(runs.length, 3, "startTime, +15 min and +30 min");
    assert.ok(runs[0].createdAt > runs[1].createdAt, "newest first");
    assert.equal(runs[1].metrics.durationSummary.startedAtUTC - runs[2].metrics.durationSummary.startedAtUTC, 15 * 60_000);
    const flow = await api.item("/flows", df.flow.id);
    assert.equal(flow.lastRunDetails.id, runs[0].id);
    assert.equal(flow.lastRunDetails.startedAtUTC, runs[0].metrics.durationSummary.startedAtUTC);
  });

  it("fails runs whose source credentials the source system refuses: CONNECTOR-1001-500 on copyActivity, the 401 in errorDetail, nested 2200", async () => {
    const df = await api.createDataflow("salesforce", every15());
    await refuseSalesforcePassword();
    await advance(5);
    const [run] = await runsOf(df.flow.id);
    assert.equal(run.metrics.statusSummary.status, "failed");
    assert.equal(run.metrics.statusSummary.errors[0].code, "CONNECTOR-1001-500");
    const copy = run.activities.find((a: any) => a.id === "copyActivity");
    assert.equal(copy.statusSummary.status, "failed");
    const [error] = copy.statusSummary.errors;
    assert.equal(error.code, "CONNECTOR-1001-500");
    assert.match(error.message, /Error in copying the data from Source/);
    assert.match(error.extensions.errorDetail, /401/);
    assert.equal(error.extensions.errors[0].code, "2200");
    assert.equal((await api.item("/flows", df.flow.id)).lastRunDetails.state, "failed");
    assert.equal((await api.testConnection(df.base.id)).json.result, false, "the same refusal as the connection test");
  });

  it("injects processing errors (CONNECTOR-2001-500, failed) and partial success (failed records counted) into a flow's runs", async () => {
    const a = await api.createDataflow("s3", every15());
    const b = await api.createDataflow("s3", every15());
    await api.control("POST", "/runs/failures", { flowId: a.flow.id, kind: "processing", times: 1 });
    await api.control("POST", "/runs/failures", { flowId: b.flow.id, kind: "partialSuccess", failedRecords: 250 });
    await advance(5);
    const [ra] = await runsOf(a.flow.id);
    assert.equal(ra.metrics.statusSummary.status, "failed");
    assert.equal(ra.metrics.statusSummary.errors[0].code, "CONNECTOR-2001-500");
    assert.equal(ra.activities.find((x: any) => x.id === "copyActivity").statusSummary.status, "success");
    const [rb] = await runsOf(b.flow.id);
    assert.equal(rb.metrics.statusSummary.status, "partialSuccess");
    assert.deepEqual(rb.metrics.recordSummary, { inputRecordCount: 1000, outputRecordCount: 750, failedRecordCount: 250 });
    await advance(15);
    assert.equal((await runsOf(a.flow.id))[0].metrics.statusSummary.status, "success", "times: 1 applies to one run");
    assert.equal((await runsOf(b.flow.id))[0].metrics.statusSummary.status, "partialSuccess", "the default applies until cleared");
  });

  it("filters by flowId (comma = any of) and by status (any case), pages with continuationToken, counts, and refuses limit with count (1401)", async () => {
    const a = await api.createDataflow("salesforce", every15());
    const b = await api.createDataflow("s3", every15());
    const c = await api.createDataflow("s3", every15());
    await api.control("POST", "/runs/failures", { flowId: b.flow.id, kind: "processing" });
    await advance(4 + 15 * 3); // 4 runs each
    const ab = await api.get(`/runs?property=${q(`flowId==${a.flow.id},${b.flow.id}`)}`);
    assert.equal(ab.json.items.length, 8);
    assert.ok(ab.json.items.every((r: any) => r.flowId !== c.flow.id));
    const failed = await api.get(
      `/runs?property=${q(`flowId==${a.flow.id},${b.flow.id}`)}&property=${q("metrics.statusSummary.status==Failed")}`,
    );
    assert.deepEqual(new Set(failed.json.items.map((r: any) => r.flowId)), new Set([b.flow.id]));
    assert.equal(failed.json.items.length, 4);
    const count = await api.get("/runs?count=true");
    assert.deepEqual(count.json, { count: 12 });
    const seen: string[] = [];
    let page: Res = await api.get("/runs?limit=5");
    for (;;) {
      seen.push(...page.json.items.map((r: any) => r.id));
      const next = page.json._links?.next?.href as string | undefined;
      if (!next) break;
      page = await api.get(next);
    }
    assert.equal(new Set(seen).size, 12);
    assert.equal(flowCode(await api.get("/runs?limit=5&count=true")), "1401-400");
    assert.equal(flowCode(await api.get("/runs?limit=101")), "1451-400");
    const since = (await runsOf(a.flow.id))[1].metrics.durationSummary.startedAtUTC;
    const recent = await api.get(
      `/runs?property=${q(`metrics.durationSummary.startedAtUTC>=${since}`)}&property=${q(`flowId==${a.flow.id}`)}`,
    );
    assert.equal(recent.json.items.length, 2);
  });

  it("re-triggers a failed run once the source accepts the credentials: a new run of the same window; 1387 for a run that did not fail", async () => {
    const df = await api.createDataflow("salesforce", every15());
    await refuseSalesforcePassword();
    await advance(4);
    const [failed] = await runsOf(df.flow.id);
    await api.control("DELETE", "/refuse-credentials");
    const r = await api.call("POST", `/runs/${failed.id}/action?op=re-trigger`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.id && r.json.etag && r.json.id !== failed.id);
    await advance(1);
    const again = (await api.get(`/runs/${r.json.id}`)).json.items[0];
    assert.equal(again.flowId, df.flow.id);
    assert.equal(again.metrics.statusSummary.status, "success");
    assert.equal((await api.item("/flows", df.flow.id)).lastRunDetails.id, r.json.id);
    assert.equal(flowCode(await api.call("POST", `/runs/${r.json.id}/action?op=re-trigger`)), "1387-400");
    assert.equal(flowCode(await api.call("POST", `/runs/${failed.id}/action?op=retry`)), "1451-400");
    assert.equal(flowCode(await api.call("POST", "/runs/00000000-0000-4000-8000-000000000000/action?op=re-trigger")), "1101-404");
  });

  it("refuses to re-trigger a run of a disabled flow (1388), and a disabled flow produces no runs", async () => {
    const df = await api.createDataflow("salesforce", every15());
    await refuseSalesforcePassword();
    await advance(4);
    const [failed] = await runsOf(df.flow.id);
    assert.equal((await api.flowAction(df.flow.id, "DISABLE")).status, 200);
    const r = await api.call("POST", `/runs/${failed.id}/action?op=re-trigger`);
    assert.equal(flowCode(r), "1388-400");
    assert.match(r.json.errorMessage, /not enabled/);
    await advance(60);
    assert.equal((await runsOf(df.flow.id)).length, 1);
    await api.flowAction(df.flow.id, "ENABLE");
    await advance(15);
    assert.equal((await runsOf(df.flow.id)).length, 2, "runs resume on the schedule once enabled");
  });

  it("starts an on-demand run (POST /runs) of a flow scheduled once, and refuses one for a repeating flow (1380)", async () => {
    const once = await api.createDataflow("s3", { scheduleParams: { startTime: nowS() + 3600, frequency: "once" } });
    const body = { flowId: once.flow.id, params: { startTime: nowS(), windowStartTime: nowS() - 3600, windowEndTime: nowS() } };
    const r = await api.call("POST", "/runs", { body });
    assert.equal(r.status, 201, r.text);
    await advance(1);
    assert.equal((await api.get(`/runs/${r.json.id}`)).json.items[0].metrics.statusSummary.status, "success");
    const repeating = await api.createDataflow("s3", every15());
    const refused = await api.call("POST", "/runs", { body: { ...body, flowId: repeating.flow.id } });
    assert.equal(flowCode(refused), "1380-400");
    assert.match(refused.json.errorMessage, /scheduled once/);
    assert.equal(flowCode(await api.call("POST", "/runs", { body: { flowId: once.flow.id } })), "1455-400");
  });

  it("shows runs only in their own sandbox, and forgets runs and the clock on reset", async () => {
    const df = await api.createDataflow("s3", every15());
    await advance(4);
    const other = await api.call("GET", `/runs/${(await runsOf(df.flow.id))[0].id}`, { headers: { "x-sandbox-name": "dev" } });
    assert.equal(other.status, 404);
    await api.control("POST", "/reset");
    assert.equal((await api.control("GET", "/clock")).json.offsetMs, 0);
    assert.deepEqual((await api.get("/runs?count=true")).json, { count: 0 });
  });
});
