// One sandbox rule for every resource, through the real `pulumi` CLI against the emulator: objects
// that declare no sandboxName live in the stack's flowservice:sandboxName, and moving that default
// moves every one of them (a new object in the new sandbox, the old one deleted), never some.
import assert from "node:assert";
import fs from "node:fs";
import path from "node:path";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { CLOUD_STORAGE_TO_AEP, DATA_LAKE, S3 } from "../helpers/emulatorApi";
import { EmulatorControl } from "../helpers/emulatorControl";
import { ensureEngine, REPO, TestStack } from "./harness";

const PIPELINES = 10;
const COLLECTIONS = ["connections", "sourceConnections", "targetConnections", "flows"] as const;
const START = Math.floor(Date.now() / 1000) + 7 * 86_400;

/** One pipeline (Connection → SourceConnection, TargetConnection → Dataflow), no sandboxName anywhere. */
function pipeline(n: number) {
  return [
    {
      type: "Connection",
      name: `storage-${n}`,
      args: {
        name: `Landing bucket ${n}`,
        connectionSpec: { id: S3, version: "1.0" },
        auth: { specName: "Access Key", params: { s3AccessKey: "AKIAEXAMPLE", s3SecretKey: { secret: `s3-secret-${n}` } } },
      },
    },
    {
      type: "SourceConnection",
      name: `files-${n}`,
      args: {
        name: `Landing files ${n}`,
        baseConnectionId: `$storage-${n}`,
        connectionSpec: { id: S3, version: "1.0" },
        data: { format: "delimited" },
        params: { path: `/landing/${n}/customers.csv` },
      },
    },
    {
      type: "TargetConnection",
      name: `dataset-${n}`,
      args: {
        name: `Customers dataset ${n}`,
        connectionSpec: { id: DATA_LAKE, version: "1.0" },
        data: { format: "parquet_xdm" },
        params: { dataSetId: `638e6c7b5679741b63ff5c${String(n).padStart(2, "0")}` },
      },
    },
    {
      type: "Dataflow",
      name: `flow-${n}`,
      args: {
        name: `Customers from S3 ${n}`,
        flowSpec: { id: CLOUD_STORAGE_TO_AEP, version: "1.0" },
        sourceConnectionIds: [`$files-${n}`],
        targetConnectionIds: [`$dataset-${n}`],
        scheduleParams: { startTime: START, frequency: "minute", interval: 15 },
      },
    },
  ];
}

describe("end to end: moving the stack's default sandbox moves every object of 10 pipelines", function () {
  this.timeout(300_000);
  let emulator: EmulatorProcess;
  let control: EmulatorControl;
  let stack: TestStack;

  /** The ids Flow Service lists in one sandbox, per collection. */
  const listed = async (sandbox: string) => {
    const out: Record<string, string[]> = {};
    for (const c of COLLECTIONS) {
      const r = await control.api("GET", `/${c}?limit=100`, undefined, sandbox);
      assert.strictEqual(r.status, 200, `GET /${c} in ${sandbox}`);
      out[c] = (r.json.items as Array<{ id: string }>).map((i) => i.id).sort();
    }
    return out;
  };
  /** The flowservice objects in state: id and recorded sandbox, by resource name. */
  const inState = async () =>
    (await stack.exportState()).deployment.resources
      .filter((r) => /flowservice:/.test(String(r.type)))
      .map((r) => ({ name: String(r.urn).split("::").pop() as string, id: String(r.id), sandbox: r.outputs.sandboxName }));
  const up = () => stack.ok(["up", "--yes", "--skip-preview"]);

  before(async function () {
    this.timeout(45 * 60_000);
    ensureEngine();
    emulator = await startEmulatorProcess();
    control = new EmulatorControl(emulator.url);
    stack = new TestStack("sandbox-move", path.join(REPO, "test/e2e/pipelineProgram"));
    await stack.init(emulator.url);
    await stack.ok(["config", "set", "flowservice:sandboxName", "stage"]);
    const resources = Array.from({ length: PIPELINES }, (_, i) => pipeline(i + 1)).flat();
    fs.writeFileSync(path.join(stack.programDir, "pipeline.json"), JSON.stringify({ resources }, null, 2));
  });
  after(async () => {
    await emulator?.stop();
    stack?.cleanup();
  });

  it("creates all 40 objects in the stack's sandbox", async () => {
    await up();
    const objects = await inState();
    assert.strictEqual(objects.length, 4 * PIPELINES);
    assert.deepStrictEqual([...new Set(objects.map((o) => o.sandbox))], ["stage"]);
    const stage = await listed("stage");
    for (const c of COLLECTIONS) assert.strictEqual(stage[c].length, PIPELINES, `${c} in stage`);
  });

  it("moves every object, the target connections too, when flowservice:sandboxName changes: the old sandbox holds none", async () => {
    const before = await inState();
    await stack.ok(["config", "set", "flowservice:sandboxName", "dev"]);
    const preview = JSON.parse((await stack.ok(["preview", "--json"])).stdout);
    const replaced = (preview.steps as Array<{ op: string; urn: string }>).filter((s) => s.op === "replace" && /flowservice:/.test(s.urn));
    assert.strictEqual(replaced.length, 4 * PIPELINES, "the plan shows every object moving");
    await up();
    const after = await inState();
    assert.strictEqual(after.length, 4 * PIPELINES);
    assert.deepStrictEqual([...new Set(after.map((o) => o.sandbox))], ["dev"]);
    const dev = await listed("dev");
    const stage = await listed("stage");
    const kinds = { connections: "storage", sourceConnections: "files", targetConnections: "dataset", flows: "flow" };
    for (const c of COLLECTIONS) {
      const ids = after.filter((o) => o.name.startsWith(`${kinds[c]}-`)).map((o) => o.id);
      assert.deepStrictEqual(dev[c], [...ids].sort(), `${c}: every object of state is listed in dev`);
      assert.deepStrictEqual(stage[c], [], `${c}: the old sandbox holds none`);
    }
    const oldIds = new Set(before.map((o) => o.id));
    assert.ok(
      after.every((o) => !oldIds.has(o.id)),
      "each object is a new one in the new sandbox",
    );
  });

  it("destroys everything from the new sandbox", async () => {
    await stack.ok(["destroy", "--yes", "--skip-preview"]);
    for (const sandbox of ["dev", "stage"]) {
      const left = await listed(sandbox);
      for (const c of COLLECTIONS) assert.deepStrictEqual(left[c], [], `${c} in ${sandbox}`);
    }
  });
});
