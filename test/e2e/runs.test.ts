// Dataflow runs through the real pulumi CLI against the emulator, its clock advanced: a pipeline
// whose source credentials are refused fails its runs; refresh shows lastRun failed with the error;
// flowservice-health exits 2 naming the flow, the credentials cause and the connection; a rotation
// with retriggerFailedRuns re-triggers exactly the failed runs, once, never a disabled flow's;
// health --retrigger finishes a re-enabled flow; the next runs succeed and health exits 0.
import assert from "node:assert";
import fs from "node:fs";
import path from "node:path";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { pulumiEnv } from "../../tools/pulumiCli";
import { CRM_TO_AEP, DATA_LAKE, EmulatorApi, SALESFORCE } from "../helpers/emulatorApi";
import { EmulatorControl } from "../helpers/emulatorControl";
import { REPO, TestStack, ensureEngine } from "./harness";
import { runBin } from "../helpers/command";

const PASSWORDS = { expired: "crm-password-expired-e2e", rotated: "crm-password-rotated-e2e" };
const START = Math.floor(Date.now() / 1000);

function resources(k: { password: string; retrigger?: boolean; pausedEnabled: boolean }) {
  const flow = (name: string, enabled: boolean) => ({
    type: "Dataflow",
    name,
    args: {
      name: `Accounts (${name})`,
      flowSpec: { id: CRM_TO_AEP, version: "1.0" },
      sourceConnectionIds: ["$accounts"],
      targetConnectionIds: ["$dataset"],
      scheduleParams: { startTime: START, frequency: "minute", interval: 15 },
      enabled,
    },
  });
  return [
    {
      type: "Connection",
      name: "crm",
      args: {
        name: "CRM",
        connectionSpec: { id: SALESFORCE, version: "1.0" },
        auth: {
          specName: "Basic Authentication",
          params: {
            environmentUrl: "login.salesforce.com",
            username: "etl",
            password: { secret: k.password },
            securityToken: { secret: "tok-e2e" },
          },
        },
        ...(k.retrigger !== undefined ? { retriggerFailedRuns: k.retrigger } : {}),
      },
    },
    {
      type: "SourceConnection",
      name: "accounts",
      args: {
        name: "Accounts",
        baseConnectionId: "$crm",
        connectionSpec: { id: SALESFORCE, version: "1.0" },
        data: { format: "tabular" },
        params: { tableName: "Account" },
      },
    },
    {
      type: "TargetConnection",
      name: "dataset",
      args: {
        name: "Accounts dataset",
        connectionSpec: { id: DATA_LAKE, version: "1.0" },
        data: { format: "parquet_xdm" },
        params: { dataSetId: "638e6c7b5679741b63ff5c24" },
      },
    },
    flow("flow", true),
    flow("paused", k.pausedEnabled),
  ];
}

describe("end to end: dataflow runs, lastRun, flowservice-health and retriggerFailedRuns through the real pulumi CLI", function () {
  this.timeout(180_000);
  let emulator: EmulatorProcess;
  let control: EmulatorControl;
  let api: EmulatorApi;
  let stack: TestStack;
  const ids: Record<string, string> = {};
  const failedRuns: Record<string, string[]> = {};

  const setProgram = (k: Parameters<typeof resources>[0]) =>
    fs.writeFileSync(path.join(stack.programDir, "pipeline.json"), JSON.stringify({ resources: resources(k) }, null, 2));
  const up = () => stack.ok(["up", "--yes", "--skip-preview"]);
  const advance = (minutes: number) => api.control("POST", "/clock/advance", { minutes });
  const outputs = async () => {
    const out: Record<string, any> = {};
    for (const r of (await stack.exportState()).deployment.resources)
      if (/flowservice:/.test(String(r.type))) out[String(r.urn).split("::").pop() as string] = r.outputs;
    return out;
  };
  const retriggers = async () =>
    (await control.apiRequests())
      .filter((r) => r.method === "POST" && /\/runs\/[^/]+\/action/.test(r.path))
      .map((r) => r.path.split("/").at(-2));
  const runIds = async (flow: string, status?: string) =>
    ((await api.get(`/runs?property=flowId==${ids[flow]}`)).json.items as any[])
      .filter((r) => status === undefined || r.metrics.statusSummary.status === status)
      .map((r) => r.id as string);
  const health = (args: string[]) => runBin("flowservice-health", args, { cwd: stack.programDir, env: pulumiEnv(stack.ws) });

  before(async function () {
    this.timeout(45 * 60_000); // the first run on a machine builds the engine
    ensureEngine();
    emulator = await startEmulatorProcess();
    control = new EmulatorControl(emulator.url);
    api = new EmulatorApi(emulator.url);
    stack = new TestStack("runs", path.join(REPO, "test/e2e/pipelineProgram"));
    await stack.init(emulator.url);
    setProgram({ password: PASSWORDS.expired, pausedEnabled: true });
    await up();
    for (const r of (await stack.exportState()).deployment.resources) if (r.id) ids[String(r.urn).split("::").pop() as string] = r.id;
    // The source system stops accepting the password; two scheduled runs of each flow come and fail.
    await control.refuseCredential({ param: "password", value: PASSWORDS.expired });
    await advance(4 + 15);
    failedRuns.flow = await runIds("flow", "failed");
    failedRuns.paused = await runIds("paused", "failed");
    setProgram({ password: PASSWORDS.expired, pausedEnabled: false });
    await up();
  });

  after(async () => {
    await emulator?.stop();
    stack?.cleanup();
  });

  it("fails the runs with the documented shape and refresh shows lastRun failed with the error", async () => {
    assert.equal(failedRuns.flow.length, 2);
    const run = (await api.get(`/runs/${failedRuns.flow[0]}`)).json.items[0];
    const copy = run.activities.find((a: any) => a.id === "copyActivity");
    assert.equal(copy.statusSummary.errors[0].code, "CONNECTOR-1001-500");
    assert.match(copy.statusSummary.errors[0].extensions.errorDetail, /401/);
    await stack.ok(["refresh", "--yes", "--skip-preview"]);
    const { lastRun } = (await outputs()).flow;
    assert.equal(lastRun.status, "failed");
    assert.equal(lastRun.id, failedRuns.flow[0]);
    assert.equal(lastRun.errors[0].code, "CONNECTOR-1001-500");
    assert.match(lastRun.errors[0].message, /Error in copying the data from Source.*401/);
  });

  it("flowservice-health exits 2 naming the flow, the credentials cause and the connection, and re-triggers nothing", async () => {
    await control.clearRequests();
    const r = await health([]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stdout, new RegExp(`FAIL flow \\(${ids.flow}.*\\[credentials\\]`));
    assert.match(r.stdout, new RegExp(`connection to fix: crm ${ids.crm} — its test fails now`));
    assert.match(r.stdout, new RegExp(`FAIL paused \\(${ids.paused}.*\\[disabled\\]`));
    assert.deepEqual(await retriggers(), []);
  });

  it("a rotation with retriggerFailedRuns re-triggers exactly the failed runs, once, and none of the disabled flow's", async () => {
    setProgram({ password: PASSWORDS.rotated, retrigger: true, pausedEnabled: false });
    await control.clearRequests();
    await up();
    assert.deepEqual((await retriggers()).sort(), [...failedRuns.flow].sort());
    const { retriggeredRuns } = (await outputs()).crm;
    assert.deepEqual(retriggeredRuns.runs.map((x: any) => x.runId).sort(), [...failedRuns.flow].sort());
    assert.deepEqual(
      retriggeredRuns.skipped.map((x: any) => x.flowId),
      [ids.paused],
    );
  });

  it("health --retrigger finishes a re-enabled flow; the next runs succeed and health exits 0", async () => {
    setProgram({ password: PASSWORDS.rotated, retrigger: true, pausedEnabled: true });
    await up();
    await control.clearRequests();
    const r = await health(["--retrigger"]);
    assert.equal(r.code, 2, "the re-enabled flow's last run failed when health looked");
    assert.deepEqual((await retriggers()).sort(), [...failedRuns.paused].sort(), "the flow's own runs were re-triggered already");
    assert.match(r.stdout, /re-triggered run .* → new run [0-9a-f-]{36}/);
    await advance(17);
    for (const flow of ["flow", "paused"]) {
      const [latest] = (await api.get(`/runs?property=flowId==${ids[flow]}`)).json.items;
      assert.equal(latest.metrics.statusSummary.status, "success", flow);
    }
    const healthy = await health([]);
    assert.equal(healthy.code, 0, healthy.stdout);
    assert.match(healthy.stdout, /All 2 dataflows are healthy/);
  });
});
