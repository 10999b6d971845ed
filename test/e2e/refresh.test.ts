// `pulumi refresh` of whole pipelines through the real CLI, on one stack: every collection
// (connections, source and target connections, flows) is read from per-sandbox listings, and a
// refresh drops an object only when Flow Service confirmed it gone. A misspelt endpoint, a 404
// "Sandbox not found" and another org's credentials fail the refresh with every resource kept, and
// the next `up` creates nothing. The steps build on each other, in order.
import assert from "node:assert";
import fs from "node:fs";
import path from "node:path";
import { FLOW_BASE_PATH } from "../../tools/demo";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { recordCase } from "../../tools/reliabilityReport";
import { CLOUD_STORAGE_TO_AEP, DATA_LAKE, EmulatorApi, S3 } from "../helpers/emulatorApi";
import { EmulatorControl, LoggedRequest } from "../helpers/emulatorControl";
import { DEMO, ensureEngine, REPO, TestStack } from "./harness";

const TEST = "test/e2e/refresh.test.ts";
const COLLECTIONS = ["connections", "sourceConnections", "targetConnections", "flows"];
const OTHER_ORG = "OTHER000000000000000000@AdobeOrg";

/** Pipeline i: an S3 connection, a source connection on it, a Data Lake target and a dataflow. */
function pipeline(i: number) {
  return [
    {
      type: "Connection",
      name: `storage-${i}`,
      args: {
        name: `Landing ${i}`,
        connectionSpec: { id: S3, version: "1.0" },
        auth: { specName: "Access Key", params: { s3AccessKey: `AKIA${i}`, s3SecretKey: { secret: `s3-secret-${i}-refresh` } } },
      },
    },
    {
      type: "SourceConnection",
      name: `files-${i}`,
      args: {
        name: `Files ${i}`,
        baseConnectionId: `$storage-${i}`,
        connectionSpec: { id: S3, version: "1.0" },
        data: { format: "delimited" },
        params: { path: `/landing/${i}/customers.csv` },
      },
    },
    {
      type: "TargetConnection",
      name: `dataset-${i}`,
      args: {
        name: `Dataset ${i}`,
        connectionSpec: { id: DATA_LAKE, version: "1.0" },
        data: { format: "parquet_xdm" },
        params: { dataSetId: `638e6c7b5679741b63ff${String(i).padStart(4, "0")}` },
      },
    },
    {
      type: "Dataflow",
      name: `flow-${i}`,
      args: {
        name: `Flow ${i}`,
        flowSpec: { id: CLOUD_STORAGE_TO_AEP, version: "1.0" },
        sourceConnectionIds: [`$files-${i}`],
        targetConnectionIds: [`$dataset-${i}`],
        scheduleParams: { startTime: 1893456000, frequency: "minute", interval: 15 },
      },
    },
  ];
}

describe("end to end: refresh of many pipelines reads listings, and drops only what Flow Service confirmed gone", function () {
  this.timeout(15 * 60_000);
  let emulator: EmulatorProcess;
  let control: EmulatorControl;
  let stack: TestStack;
  let pipelines = 0;
  const started = Date.now();

  const flowRequests = async () => (await control.apiRequests()).filter((r) => r.path.startsWith(FLOW_BASE_PATH));
  const show = (rs: LoggedRequest[]) => rs.map((r) => `${r.method} ${r.path.slice(FLOW_BASE_PATH.length)} ${r.status}`).join("\n");
  const setPipelines = (n: number) => {
    pipelines = n;
    const resources = Array.from({ length: n }, (_, i) => pipeline(i)).flat();
    fs.writeFileSync(path.join(stack.programDir, "pipeline.json"), JSON.stringify({ resources }, null, 2));
  };
  /** The flowservice resources in state, by resource name. */
  const state = async () => {
    const out: Record<string, { id: string; outputs: any }> = {};
    for (const r of (await stack.exportState()).deployment.resources)
      if (/flowservice:/.test(String(r.type))) out[String(r.urn).split("::").pop() as string] = r as any;
    return out;
  };

  before(async function () {
    this.timeout(45 * 60_000);
    ensureEngine();
    emulator = await startEmulatorProcess();
    control = new EmulatorControl(emulator.url);
    stack = new TestStack("refresh", path.join(REPO, "test/e2e/pipelineProgram"));
    await stack.init(emulator.url);
  });

  after(async () => {
    await emulator?.stop();
    stack?.cleanup();
    console.log(`      (refresh.test.ts: ${Math.round((Date.now() - started) / 1000)} s)`);
  });

  async function refreshCounted(): Promise<LoggedRequest[]> {
    await control.clearRequests();
    await stack.ok(["refresh", "--yes", "--skip-preview"]);
    return flowRequests();
  }

  /** Grows the stack to n pipelines, then refreshes it: at most 8 requests, the four listings and `extra` GETs. */
  async function countedRefresh(n: number, extra: (ids: Record<string, string>) => Promise<string[]> = async () => []): Promise<void> {
    setPipelines(n);
    await stack.ok(["up", "--yes", "--skip-preview"]);
    const before = await state();
    assert.strictEqual(Object.keys(before).length, 4 * n);
    const gets = await extra(Object.fromEntries(Object.entries(before).map(([k, r]) => [k, r.id])));
    const sent = await refreshCounted();
    assert.ok(sent.length <= 8, `${sent.length} requests:\n${show(sent)}`);
    assert.deepStrictEqual(show(sent).split("\n").sort(), [...COLLECTIONS.map((c) => `GET /${c} 200`), ...gets].sort());
    const after = await state();
    for (const [name, r] of Object.entries(before)) {
      if (after[name]) assert.strictEqual(after[name].outputs.etag, r.outputs.etag, name);
    }
    // What each object was created under is in state (provider/core/origin.ts).
    assert.strictEqual(after["flow-0"].outputs.orgId, DEMO.orgId);
    assert.strictEqual(after["storage-0"].outputs.endpointHost, new URL(emulator.url).host);
    assert.strictEqual(Object.keys(after).length, 4 * n - gets.length);
  }

  it("refreshes 10 pipelines (40 objects) with at most 8 Flow Service requests: one listing page per collection", async () => {
    await countedRefresh(10);
  });

  /** A refresh that must fail and keep every resource; then `up` (config restored) must create nothing. */
  async function refusedRefresh(expect: RegExp): Promise<string> {
    await control.clearRequests();
    const r = await stack.run(["refresh", "--yes", "--skip-preview", "--run-program"]);
    const text = `${r.stdout}\n${r.stderr}`;
    assert.notStrictEqual(r.code, 0, `refresh exited 0:\n${text}`);
    assert.match(text, expect);
    assert.doesNotMatch(text, /deleted/, "nothing reported deleted");
    assert.strictEqual(Object.keys(await state()).length, 4 * pipelines, "every resource still in state");
    return text;
  }

  async function upCreatesNothing(): Promise<void> {
    await control.clearRequests();
    await stack.ok(["up", "--yes", "--skip-preview"]);
    const posts = (await flowRequests()).filter((r) => r.method === "POST");
    assert.deepStrictEqual(show(posts), "", "the next up creates nothing");
    assert.strictEqual(Object.keys(await state()).length, 4 * pipelines);
  }

  it("a misspelt flowservice:endpoint: refresh fails naming the endpoint, keeps every resource, and the next up creates nothing", async () => {
    const good = `${emulator.url}${FLOW_BASE_PATH}`;
    const typo = good.replace(/flowservice$/, "flowservic");
    await stack.ok(["config", "set", "flowservice:endpoint", typo]);
    await refusedRefresh(new RegExp(`Check flowservice:endpoint \\(now ${typo.replace(/[.]/g, "\\.")}`));
    await stack.ok(["config", "set", "flowservice:endpoint", good]);
    await upCreatesNothing();
    recordCase({
      area: "input",
      case: "refresh through a misspelt flowservice:endpoint (every listing answers 404)",
      via: "engine",
      outcome: `refresh exited non-zero naming the endpoint and the fix; all ${4 * pipelines} resources kept in state; the next up created nothing`,
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it('a 404 "Sandbox not found": refresh fails naming the sandbox, keeps every resource, and the next up creates nothing', async () => {
    // Every read in the sandbox answers as Flow Service does for a sandbox it does not know (emulator/api/errors.ts sandboxNotFound).
    await control.addFault({
      method: "GET",
      path: "/^\\/(connections|sourceConnections|targetConnections|flows)/",
      action: "respond",
      status: 404,
      times: "always",
      body: {
        type: "https://ns.adobe.com/aep/errors/FLOW-2100-404",
        title: "Sandbox not found",
        status: 404,
        report: { "detailed-message": "The sandbox with the name 'prod' could not be found." },
      },
    });
    try {
      await refusedRefresh(/Sandbox not found[\s\S]*flowservice:sandboxName/);
    } finally {
      await fetch(`${emulator.url}/__emulator/faults`, { method: "DELETE" });
    }
    await upCreatesNothing();
    recordCase({
      area: "input",
      case: 'refresh when Flow Service answers 404 "Sandbox not found"',
      via: "engine",
      outcome: `refresh exited non-zero naming the sandbox and the fix; all ${4 * pipelines} resources kept in state; the next up created nothing`,
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("another org's credentials: refresh is refused (moving is an explicit act), keeps every resource, and the next up creates nothing", async () => {
    // The same client now gets tokens for another org, whose "prod" sandbox lists fine and holds none of these objects.
    await postConfig({ orgId: OTHER_ORG });
    await stack.ok(["config", "set", "flowservice:orgId", OTHER_ORG]);
    try {
      // What Flow Service answers there: the sandbox lists (200, none of ours), an object's GET is the documented 404.
      const other = new EmulatorApi(emulator.url);
      const flowId = (await state())["flow-0"].id;
      const listed = await other.call("GET", "/flows", { headers: { "x-gw-ims-org-id": OTHER_ORG } });
      assert.deepStrictEqual([listed.status, listed.json.items.length], [200, 0]);
      const got = await other.call("GET", `/flows/${flowId}`, { headers: { "x-gw-ims-org-id": OTHER_ORG } });
      assert.deepStrictEqual([got.status, got.json.type], [404, "https://ns.adobe.com/aep/errors/FLOW-1439-404"]);
      await control.clearRequests();
      const text = await refusedRefresh(/was created under org DEMO[^\n]*flowservice:orgId is now OTHER[\s\S]*Moving is an explicit act/);
      assert.ok(text.length > 0);
      assert.deepStrictEqual(show(await flowRequests()), "", "refused before any Flow Service request");
    } finally {
      await postConfig({ orgId: DEMO.orgId });
      await stack.ok(["config", "set", "flowservice:orgId", DEMO.orgId]);
    }
    await upCreatesNothing();
    const sent = await refreshCounted();
    assert.ok(sent.length <= 8, show(sent));
    recordCase({
      area: "input",
      case: "refresh under another org's credentials (its sandbox lists 200, the objects' GETs would answer 404)",
      via: "engine",
      outcome: `refresh exited non-zero before any request (state records the org each object was created under); all ${4 * pipelines} resources kept; the next up created nothing`,
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  // Last, on the same stack grown to 50 pipelines: one page per 50 reads per collection; a flow
  // deleted outside is dropped on its own GET's documented 404.
  it("refreshes 50 pipelines (200 objects) with at most 8 Flow Service requests, dropping a flow deleted outside on its own 404", async () => {
    await countedRefresh(50, async (ids) => {
      const r = await new EmulatorApi(emulator.url).call("DELETE", `/flows/${ids["flow-49"]}`);
      assert.ok(r.status < 300, r.text);
      return [`GET /flows/${ids["flow-49"]} 404`];
    });
  });

  async function postConfig(body: Record<string, unknown>): Promise<void> {
    const r = await fetch(`${emulator.url}/__emulator/config`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    assert.strictEqual(r.status, 200, await r.text());
  }
});
