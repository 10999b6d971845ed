// flowservice-health against the emulator (clock advanced): each failure kind with its cause, the
// request budget for 200 flows, the credentials connection and its test, and --retrigger (only
// with the flag, only once the connection passes, never for a disabled flow).
import { strict as assert } from "node:assert";
import type { RunningEmulator } from "../../emulator/main";
import { FlowSession } from "../../provider/api/session";
import { resolveConfig } from "../../provider/core/config";
import { run } from "../../commands/health/cli";
import { retriggerOne } from "../../commands/health/health";
import { DEMO } from "../../tools/demo";
import { flowConfig } from "../../tools/pulumiCli";
import { CLOUD_STORAGE_TO_AEP, CRM_TO_AEP, EmulatorApi, useEmulator } from "../helpers/emulatorApi";
import { EmulatorControl } from "../helpers/emulatorControl";

const N = 200;
const SANDBOX = "health";

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  json: any;
}

describe("flowservice-health: dataflow health from runs", function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let api: EmulatorApi;
  let control: EmulatorControl;
  const flows: string[] = [];
  let refusedBase: string;

  const config = () => flowConfig(emu.url, DEMO);
  async function health(args: string[], stackExport?: unknown): Promise<Outcome> {
    let stdout = "";
    let stderr = "";
    const code = await run(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, () => ({
      pulumi: {
        exportStack: async () => JSON.stringify(stackExport),
        config: async () => config(),
      },
      connect: (c) => new FlowSession(c).client,
      env: {},
    }));
    let json: any;
    try {
      json = JSON.parse(stdout);
    } catch {
      json = undefined;
    }
    return { code, stdout, stderr, json };
  }
  const flowOf = (o: Outcome, id: string) => o.json.flows.find((f: any) => f.id === id);
  const retriggers = async () => (await control.apiRequests()).filter((r) => r.method === "POST" && /\/runs\/[^/]+\/action/.test(r.path));

  useEmulator(
    (e) => {
      emu = e;
      api = new EmulatorApi(e.url, SANDBOX);
    },
    { reset: false },
  );

  before(async () => {
    control = new EmulatorControl(emu.url);
    const now = Math.floor(Date.now() / 1000);
    const sf = await api.createDataflow("salesforce");
    const s3 = await api.createDataflow("s3");
    refusedBase = sf.base.id;
    for (let i = 0; i < N; i++) {
      const salesforce = i < 10;
      const df = salesforce ? sf : s3;
      const created = await api.create("/flows", {
        name: `flow ${i}`,
        flowSpec: { id: salesforce ? CRM_TO_AEP : CLOUD_STORAGE_TO_AEP, version: "1.0" },
        sourceConnectionIds: [df.sourceConnection.id],
        targetConnectionIds: [df.targetConnection.id],
        scheduleParams: { startTime: i === 14 ? now + 86_400 : now, frequency: "minute", interval: 15 },
      });
      flows.push(created.id);
    }
    // 0–9 credentials (9 then disabled), 10 processing, 11 partial 25%, 12 partial 1%, 14 no run yet.
    await control.refuseCredential({ param: "password", value: "initial-password" });
    await api.control("POST", "/runs/failures", { flowId: flows[10], kind: "processing" });
    await api.control("POST", "/runs/failures", { flowId: flows[11], kind: "partialSuccess", failedRecords: 250 });
    await api.control("POST", "/runs/failures", { flowId: flows[12], kind: "partialSuccess", failedRecords: 10 });
    await api.control("POST", "/clock/advance", { minutes: 4 });
    assert.equal((await api.flowAction(flows[9], "DISABLE")).status, 200);
    await control.clearRequests();
  });

  it("reports 200 flows of a sandbox in at most ⌈200/50⌉ + 2 requests, each failure kind with its cause, and exits 2", async () => {
    const o = await health(["--sandbox", SANDBOX, "--format", "json"]);
    assert.equal(o.code, 2, o.stderr);
    const sent = (await control.apiRequests()).filter((r) => !r.path.startsWith("/ims/"));
    assert.ok(sent.length <= Math.ceil(N / 50) + 2, sent.map((r) => `${r.method} ${r.path}`).join("\n"));
    console.log(`      (${sent.length} requests: ${sent.map((r) => `${r.method} ${r.path.replace(/^.*flowservice/, "")}`).join(", ")})`);
    assert.equal(o.json.flows.length, N + 2);
    const cred = flowOf(o, flows[0]);
    assert.equal(cred.healthy, false);
    assert.equal(cred.cause, "credentials");
    assert.equal(cred.lastRun.errors[0].code, "CONNECTOR-1001-500");
    assert.deepEqual(
      cred.connections.map((c: any) => [c.id, c.testPasses]),
      [[refusedBase, false]],
    );
    assert.equal(flowOf(o, flows[10]).cause, "processing");
    assert.equal(flowOf(o, flows[11]).cause, "partialSuccess");
    assert.match(flowOf(o, flows[11]).summary, /25% of records failed/);
    assert.equal(flowOf(o, flows[12]).healthy, true, "1% failed records is under the 5% threshold");
    assert.equal(flowOf(o, flows[9]).cause, "disabled");
    assert.equal(flowOf(o, flows[14]).cause, "no-run");
    assert.equal(flowOf(o, flows[100]).healthy, true);
    // Flows 0–8 (credentials), 9, 10, 11, 14, and the two pipelines' own flows (starting tomorrow: no run yet).
    assert.equal(o.json.flows.filter((f: any) => !f.healthy).length, 9 + 4 + 2);
    assert.deepEqual(await retriggers(), [], "no re-trigger without --retrigger");
  });

  it("reports the 200 flows of a stack in ⌈200/50⌉ + 2 reads (flows by id, failed runs by flowId) plus the one connection test", async () => {
    const resources = flows.map((id, i) => ({
      urn: `urn:pulumi:dev::app::flowservice:index:Dataflow::flow${i}`,
      type: "flowservice:index:Dataflow",
      id,
      outputs: { sandboxName: SANDBOX },
    }));
    await control.clearRequests();
    const o = await health(["--format", "json"], { version: 3, deployment: { manifest: { time: new Date().toISOString() }, resources } });
    assert.equal(o.code, 2, o.stderr);
    const sent = (await control.apiRequests()).filter((r) => !r.path.startsWith("/ims/"));
    const reads = sent.filter((r) => !r.path.endsWith("/test"));
    assert.ok(reads.length <= Math.ceil(N / 50) + 2, reads.map((r) => `${r.method} ${r.path}`).join("\n"));
    assert.equal(sent.length - reads.length, 1, "one test: the one connection named");
    assert.equal(flowOf(o, flows[3]).resource, "flow3");
    assert.equal(flowOf(o, flows[3]).cause, "credentials");
  });

  it("says it in text and markdown: the flow, the credentials cause, the connection to fix and its test", async () => {
    const text = await health(["--sandbox", SANDBOX]);
    assert.equal(text.code, 2);
    assert.match(
      text.stdout,
      new RegExp(`FAIL flow 3 \\(${flows[3]}.*\\[credentials\\]: last run failed on the source's credentials: CONNECTOR-1001-500`),
    );
    assert.match(text.stdout, new RegExp(`connection to fix: ${refusedBase} — its test fails now`));
    const md = await health(["--sandbox", SANDBOX, "--format", "markdown"]);
    assert.match(md.stdout, /^### Dataflow health: 15 of 202 unhealthy/);
    assert.match(md.stdout, /\| ❌ \| `flow 10` \| processing error \|/);
  });

  it("re-triggers nothing while the connection still fails its test, even with --retrigger", async () => {
    await control.clearRequests();
    const o = await health(["--sandbox", SANDBOX, "--retrigger", "--format", "json"]);
    assert.equal(o.code, 2);
    assert.deepEqual(await retriggers(), []);
    assert.match(flowOf(o, flows[0]).retriggered[0].skipped, /does not pass its test/);
  });

  it("with --retrigger once the credentials are accepted: each failed run once, new run ids reported, never the disabled flow's", async () => {
    await control.clearRefusedCredentials();
    await control.clearRequests();
    const o = await health(["--sandbox", SANDBOX, "--retrigger", "--format", "json"]);
    const posted = await retriggers();
    assert.equal(posted.length, 9, "flows 0–8: one failed run each");
    for (const id of flows.slice(0, 9)) {
      const [r] = flowOf(o, id).retriggered;
      assert.match(r.newRunId, /^[0-9a-f-]{36}$/);
      assert.equal(r.runId, flowOf(o, id).lastRun.id);
    }
    assert.match(flowOf(o, flows[9]).retriggered[0].skipped, /disabled/);
    assert.ok(!posted.some((r) => r.path.includes(flowOf(o, flows[9]).lastRun.id)));
    await control.clearRequests();
    await health(["--sandbox", SANDBOX, "--retrigger", "--format", "json"]);
    assert.deepEqual(await retriggers(), [], "a run already re-triggered is not re-triggered again");
  });

  it("reports Flow Service's refusal to re-trigger a disabled flow's run (1388) instead of failing", async () => {
    const client = new FlowSession(resolveConfig((k) => config()[k], {})).client;
    const runId = (await api.item("/flows", flows[9])).lastRunDetails.id;
    const r = await retriggerOne(client, runId, { sandbox: SANDBOX });
    assert.equal(r.newRunId, undefined);
    assert.match(r.skipped ?? "", /not enabled \(FLOW-1388-400\)/);
  });

  it("reads a stack's dataflows from its export and exits 0 once every run succeeds", async () => {
    const resource = (i: number) => ({
      urn: `urn:pulumi:dev::app::pulumi-nodejs:dynamic/flowservice:Dataflow::flow${i}`,
      type: "pulumi-nodejs:dynamic/flowservice:Dataflow",
      id: flows[i],
      outputs: { sandboxName: SANDBOX },
    });
    const exp = { version: 3, deployment: { manifest: { time: new Date().toISOString() }, resources: [20, 21, 22].map(resource) } };
    const o = await health(["--format", "json"], exp);
    assert.equal(o.code, 0, o.stdout);
    assert.deepEqual(
      o.json.flows.map((f: any) => f.resource),
      ["flow20", "flow21", "flow22"],
    );
    await api.control("POST", "/clock/advance", { minutes: 2 });
    const bad = await health(["--format", "json"], { ...exp, deployment: { ...exp.deployment, resources: [resource(5)] } });
    assert.equal(bad.code, 0, "flow 5's re-triggered run succeeded: its last run is healthy");
    assert.equal(flowOf(bad, flows[5]).lastRun.status, "success");
    assert.equal(flowOf(bad, flows[5]).failedRuns.length, 1, "the failed run stays listed in the window");
  });

  it("exits 1 with the reason for bad arguments, before any request", async () => {
    const o = await health(["--sandbox", "Prod"]);
    assert.equal(o.code, 1);
    assert.match(o.stderr, /--sandbox "Prod" is not a sandbox name/);
    assert.match((await health(["--since", "yesterday"])).stderr, /--since "yesterday" is not a time/);
    assert.match((await health(["--stack", "a", "--sandbox", "b"])).stderr, /not both/);
  });
});
