// flowservice-recover and flowservice-plan for every resource type, from either door, through the
// real engine against one emulator. A dynamic pipeline stack (Connection, SourceConnection,
// TargetConnection, Dataflow: killed during the creates of all but the SourceConnection) and a YAML
// stack served by the provider plugin (Connection, SourceConnection) each have `up` killed (SIGKILL of the CLI's process group) while the emulator
// holds their POSTs in flight; the POSTs land after the kill; `flowservice-recover --yes` then
// `up` leave exactly one object per resource, counted in the emulator's store. On the plugin stack,
// a password rotation is planned from the real `pulumi preview --json` (the PATCH and its If-Match,
// exit 2) and `up` sends exactly that; a step of a flowservice type no description covers makes the
// plan fail (exit 1) instead of reading "no changes".
import assert from "node:assert";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { ensureHosts } from "../../tools/languageHosts";
import { ensureEngine as enginePath } from "../../tools/pulumiCli";
import { CLOUD_STORAGE_TO_AEP, DATA_LAKE, S3 } from "../helpers/emulatorApi";
import { EmulatorControl, LoggedRequest } from "../helpers/emulatorControl";
import { ensureEngine, REPO, TestStack } from "./harness";
import { endAll, recoverCli, until, upKilledWhen } from "./interrupt";
import { ACCOUNTS_SOURCE_YAML, CONNECTIONS, isWrite, PluginStack } from "./pluginStack";
import { runBin } from "../helpers/command";

const tag = randomBytes(4).toString("hex");
const HOLD_MS = 3000;
const COLLECTIONS = ["connections", "sourceConnections", "targetConnections", "flows"] as const;
type Collection = (typeof COLLECTIONS)[number];

/** The dynamic pipeline: every resource type, named with this run's tag. */
const PIPELINE = [
  {
    type: "Connection",
    name: "storage",
    args: {
      name: `Doors ${tag} bucket`,
      connectionSpec: { id: S3, version: "1.0" },
      auth: { specName: "Access Key", params: { s3AccessKey: "AKIAEXAMPLE", s3SecretKey: { secret: `s3-${tag}` } } },
    },
  },
  {
    type: "SourceConnection",
    name: "files",
    args: {
      name: `Doors ${tag} files`,
      baseConnectionId: "$storage",
      connectionSpec: { id: S3, version: "1.0" },
      data: { format: "delimited" },
      params: { path: `/landing/${tag}/customers.csv` },
    },
  },
  {
    type: "TargetConnection",
    name: "dataset",
    args: {
      name: `Doors ${tag} dataset`,
      connectionSpec: { id: DATA_LAKE, version: "1.0" },
      data: { format: "parquet_xdm" },
      params: { dataSetId: "638e6c7b5679741b63ff5c24" },
    },
  },
  {
    type: "Dataflow",
    name: "flow",
    args: {
      name: `Doors ${tag} flow`,
      flowSpec: { id: CLOUD_STORAGE_TO_AEP, version: "1.0" },
      sourceConnectionIds: ["$files"],
      targetConnectionIds: ["$dataset"],
      scheduleParams: { startTime: Math.floor(Date.now() / 1000) + 7 * 86_400, frequency: "minute", interval: 15 },
      // Disabled: the create is a POST and then a DISABLE call, which a kill between them never sends.
      enabled: false,
    },
  },
];

const postsTo = (log: LoggedRequest[], collection: Collection) =>
  log.filter((r) => r.method === "POST" && r.path.endsWith(`/${collection}`)).length;

const planCli = (args: string[]) => runBin("flowservice-plan", args);

describe("flowservice-recover and flowservice-plan for every resource type, from either door (real engine)", function () {
  this.timeout(240_000);
  let emulator: EmulatorProcess;
  let control: EmulatorControl;
  let pipeline: TestStack;
  let yaml: PluginStack;
  let yamlEnv: Record<string, string>;

  /** The emulator's objects of a collection whose name carries `prefix`, by name. */
  const stored = async (collection: Collection, prefix: string): Promise<Map<string, number>> => {
    const items = (await control.control("GET", `/${collection}`)) as { items: Array<{ name: string }> };
    const counts = new Map<string, number>();
    for (const i of items.items.filter((x) => x.name.startsWith(prefix))) counts.set(i.name, (counts.get(i.name) ?? 0) + 1);
    return counts;
  };

  /** `up` killed once the emulator holds a POST to each of `collections`; returns once they have landed and the plugins are gone. */
  async function killDuringPosts(stack: TestStack, collections: Collection[], prefix: string, env: Record<string, string> = {}) {
    const before = await Promise.all(collections.map(async (c) => (await stored(c, prefix)).size));
    for (const c of collections)
      await control.addFault({ action: "delay-then-apply", delayMs: HOLD_MS, method: "POST", path: `/^\\/${c}$/`, times: 1 });
    await control.clearRequests();
    const killed = await upKilledWhen(
      stack,
      () => control.apiRequests(),
      (log) => collections.every((c) => postsTo(log, c) >= 1),
      env,
    );
    await until("the held POSTs have landed", async () =>
      (await Promise.all(collections.map(async (c, i) => (await stored(c, prefix)).size > before[i]))).every(Boolean),
    );
    endAll(killed.plugins.map((p) => p.pid));
    const exp: any = await stack.exportState();
    return (exp.deployment.pending_operations ?? []).map((o: any) => `${o.resource.urn.split("::").pop()} ${o.type}`).sort();
  }

  /** flowservice-recover --yes (the killed run's processes are ended: --no-wait), which must succeed. */
  async function recoverYes(stack: TestStack, env: Record<string, string> = {}): Promise<string> {
    const r = await recoverCli(stack, ["--yes", "--no-wait"], env);
    assert.strictEqual(r.code, 0, r.stdout + r.stderr);
    const exp: any = await stack.exportState();
    assert.deepStrictEqual(exp.deployment.pending_operations ?? [], [], "no pending operation left");
    const locks = path.join(stack.stateDir, ".pulumi", "locks");
    const left = fs.existsSync(locks) ? fs.readdirSync(locks, { recursive: true }).filter((f) => String(f).endsWith(".json")) : [];
    assert.deepStrictEqual(left, [], "the killed run's lock is removed");
    return r.stdout;
  }

  before(async function () {
    this.timeout(45 * 60_000);
    assert.ok(fs.existsSync(path.join(REPO, "dist/commands/recover/cli.js")), "dist/ is missing: run `npm run build` first");
    ensureEngine();
    const hostPath = ensureHosts("yaml");
    emulator = await startEmulatorProcess();
    control = new EmulatorControl(emulator.url);
    pipeline = new TestStack("doors-dynamic", path.join(REPO, "test/e2e/pipelineProgram"));
    // The program also declares, when asked, a dynamic resource of a flowservice type no description covers.
    fs.appendFileSync(
      path.join(pipeline.programDir, "index.js"),
      '\nfor (const n of spec.future || []) new pulumi.dynamic.Resource({ async create() { return { id: n, outs: {} }; } }, n, {}, {}, "flowservice", "Schedule");\n',
    );
    fs.writeFileSync(path.join(pipeline.programDir, "pipeline.json"), JSON.stringify({ resources: PIPELINE }));
    yaml = new PluginStack("doors-plugin", "yaml", hostPath);
    yamlEnv = { PATH: [...hostPath, enginePath(), process.env.PATH].join(path.delimiter) };
    await Promise.all([pipeline.init(emulator.url), yaml.init(emulator.url)]);
    for (const [k, v] of Object.entries({
      salesforcePassword: `pw1-${tag}`,
      salesforceSecurityToken: `tok-${tag}`,
      accountsToken: `acc-${tag}`,
    }))
      await yaml.ok(["config", "set", "--secret", k, v]);
    yaml.addResources(ACCOUNTS_SOURCE_YAML);
  });

  after(async () => {
    await emulator?.stop();
    pipeline?.cleanup();
    yaml?.cleanup();
  });

  it("dynamic pipeline: up killed during the Connection and TargetConnection POSTs, then during the Dataflow's; after each flowservice-recover --yes, up leaves exactly one object per resource", async () => {
    const prefix = `Doors ${tag} `;
    assert.deepStrictEqual(await killDuringPosts(pipeline, ["connections", "targetConnections"], prefix), [
      "dataset creating",
      "storage creating",
    ]);
    assert.match(await recoverYes(pipeline), /2 resources taken into the state/);
    // The source connection is created on the way (its recovery, the same description-driven rule, is the plugin case's).
    assert.deepStrictEqual(await killDuringPosts(pipeline, ["flows"], prefix), ["flow creating"]);
    assert.match(await recoverYes(pipeline), /1 resource taken into the state/);

    await control.clearRequests();
    await pipeline.ok(["up", "--yes", "--skip-preview"]);
    const creates = (await control.apiRequests()).filter((r) => r.method === "POST" && COLLECTIONS.some((c) => r.path.endsWith(`/${c}`)));
    assert.deepStrictEqual(creates, [], "the up after recovery creates nothing");
    for (const c of COLLECTIONS) {
      const counts = [...(await stored(c, prefix)).values()];
      assert.deepStrictEqual(counts, [1], `exactly one object in ${c}`);
    }
    // Disabled, as declared: by the killed run's provider after its POST landed, or by this up (the call the kill cut off).
    const flow = (await pipeline.exportState()).deployment.resources.find((r) => String(r.urn).endsWith("::flow"));
    assert.strictEqual(flow?.outputs.enabled, false);
    assert.strictEqual((await control.storedEntity("flows", flow?.id)).state, "disabled");
    await control.clearRequests();
    await pipeline.ok(["up", "--yes", "--skip-preview"]);
    assert.deepStrictEqual((await control.apiRequests()).filter(isWrite), [], "converged: the next up sends nothing");
  });

  it("plugin (YAML): up killed during the Connection's POST, then the SourceConnection's; after each flowservice-recover --yes, up leaves exactly one object per resource", async () => {
    const prefix = "Salesforce";
    assert.deepStrictEqual(await killDuringPosts(yaml, ["connections"], "Salesforce (YAML)", yamlEnv), ["salesforce creating"]);
    assert.match(await recoverYes(yaml, yamlEnv), /1 resource taken into the state/);
    assert.deepStrictEqual(await killDuringPosts(yaml, ["sourceConnections"], "Salesforce accounts", yamlEnv), ["accounts creating"]);
    assert.match(await recoverYes(yaml, yamlEnv), /1 resource taken into the state/);
    await control.clearRequests();
    await yaml.ok(["up", "--yes", "--skip-preview"]);
    assert.deepStrictEqual((await control.apiRequests()).filter(isWrite), [], "nothing created, nothing re-sent");
    assert.deepStrictEqual([...(await stored("connections", `${prefix} (YAML)`)).values()], [1]);
    assert.deepStrictEqual([...(await stored("sourceConnections", `${prefix} accounts`)).values()], [1]);
    const state = await yaml.resources();
    assert.strictEqual(state.salesforce.type, "flowservice:index:Connection");
    assert.strictEqual(state.accounts.inputs.baseConnectionId, state.salesforce.id);
  });

  it("plugin (YAML): a password rotation is planned from the real preview as the PATCH with its If-Match (exit 2), and up sends exactly that", async () => {
    await yaml.ok(["config", "set", "--secret", "salesforcePassword", `pw2-${tag}`]);
    const file = path.join(yaml.programDir, "preview.json");
    fs.writeFileSync(file, (await yaml.ok(["preview", "--json"])).stdout);
    const etag = (await yaml.resources()).salesforce.outputs.etag;
    const id = (await yaml.resources()).salesforce.id;
    const text = await planCli([file]);
    assert.strictEqual(text.code, 2, text.stdout + text.stderr);
    assert.ok(text.stdout.includes(`PATCH /connections/${id} (If-Match: ${etag})`), text.stdout);
    assert.ok(!text.stdout.includes(`pw2-${tag}`), "the new password is never shown");
    const json = JSON.parse((await planCli([file, "--format", "json"])).stdout);
    const entry = json.connections.find((c: any) => c.resourceName === "salesforce");
    assert.deepStrictEqual(
      [entry.type, entry.door, entry.action, entry.connectionId, entry.ifMatch, entry.ops],
      ["Connection", "plugin", "update", id, etag, [{ op: "replace", path: "/auth/params/password", value: "[secret]" }]],
    );
    await control.clearRequests();
    await yaml.ok(["up", "--yes", "--skip-preview"]);
    const writes = (await control.apiRequests()).filter(isWrite);
    assert.deepStrictEqual(
      writes.map((r) => [r.method, r.path, r.headers["if-match"], (r.body as Array<{ path: string }>).map((op) => op.path)]),
      [["PATCH", `${CONNECTIONS}/${id}`, etag, ["/auth/params/password"]]],
    );
  });

  it("a step of a flowservice type that no description covers makes flowservice-plan fail (exit 1) naming the resource and type, never 'no changes'", async () => {
    fs.writeFileSync(path.join(pipeline.programDir, "pipeline.json"), JSON.stringify({ resources: PIPELINE, future: ["nightly"] }));
    const file = path.join(pipeline.programDir, "preview.json");
    fs.writeFileSync(file, (await pipeline.ok(["preview", "--json"])).stdout);
    fs.writeFileSync(path.join(pipeline.programDir, "pipeline.json"), JSON.stringify({ resources: PIPELINE }));
    const r = await planCli([file]);
    assert.strictEqual(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /nightly \(pulumi-nodejs:dynamic\/flowservice:Schedule, create\)/);
    assert.doesNotMatch(r.stdout, /no changes/);
  });
});
