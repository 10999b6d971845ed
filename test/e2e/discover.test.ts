// flowservice-discover against a sandbox made outside Pulumi (through the emulator's API, as the
// UI or a script would), then the programs it writes through the real engine. One emulator for
// every case: a big sandbox (50 pipelines + 60 stand-alone connections) measures discover alone;
// a small one (3 pipelines, 2 stand-alone connections, 1 object no resource can express) is taken
// over by the TypeScript program (dynamic resources, adoptId), the YAML program (the plugin,
// import) and, where the generated SDK is (sdk/python, scripts/sdk.sh), the Python program.
import assert from "node:assert";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { ensureHosts } from "../../tools/languageHosts";
import { DEMO, EmulatorApi } from "../helpers/emulatorApi";
import { EmulatorControl, LoggedRequest, sha256 } from "../helpers/emulatorControl";
import { ensureEngine, REPO, TestStack } from "./harness";
import { ok, runBin } from "../helpers/command";

const FLOW = "/data/foundation/flowservice";
const COLLECTIONS = ["connections", "sourceConnections", "targetConnections", "flows"];
const BIG = "discover-big";
const SMALL = "discover-small";

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `flowservice-discover ARGS` as a user runs it: the package bin, credentials from AEP_* variables. */
async function discoverCli(url: string, cwd: string, args: string[]): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AEP_CLIENT_ID: DEMO.clientId,
    AEP_CLIENT_SECRET: DEMO.clientSecret,
    AEP_ORG_ID: DEMO.orgId,
    AEP_FLOW_ENDPOINT: `${url}${FLOW}`,
    AEP_IMS_ENDPOINT: `${url}/ims/token/v3`,
  };
  const started = Date.now();
  const r = await runBin("flowservice-discover", args, { cwd, env });
  return { ...r, ms: Date.now() - started };
}

/** A command that must succeed; its stdout. */
const discoverShell = async (cmd: string, args: string[], cwd: string) => (await ok(cmd, args, cwd)).stdout;

const files = (dir: string) => Object.fromEntries(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]));
/** The secret placeholders, as the README tells the user to set them. */
const placeholders = (dir: string) =>
  [...fs.readFileSync(path.join(dir, "README.md"), "utf8").matchAll(/^pulumi config set --secret (\w+) /gm)].map((m) => m[1]);
const isWrite = (r: LoggedRequest) => r.path.startsWith(FLOW) && r.method !== "GET";
const listRequests = (rs: LoggedRequest[]) => rs.filter((r) => r.method === "GET" && COLLECTIONS.some((c) => r.path === `${FLOW}/${c}`));

/** A stack whose program runs through the provider plugin: the YAML host on PATH. */
class PluginProgramStack extends TestStack {
  constructor(
    name: string,
    dir: string,
    readonly hostPath: string[],
  ) {
    super(name, dir);
  }
  override run(args: string[], opts: { env?: Record<string, string> } = {}) {
    return super.run(args, { env: { PATH: [...this.hostPath, ensureEngine(), process.env.PATH].join(path.delimiter), ...opts.env } });
  }
}

describe("flowservice-discover: a sandbox made outside Pulumi, taken over by the programs it writes", function () {
  this.timeout(180_000);
  let emulator: EmulatorProcess;
  let control: EmulatorControl;
  let work: string;
  const stacks: TestStack[] = [];
  /** The small sandbox's object ids, by what they are. */
  const small = { connections: [] as string[], flows: [] as string[], dataLake: "", disabledFlow: "" };

  before(async function () {
    this.timeout(45 * 60_000);
    ensureEngine();
    // The org's sandboxes (the emulator knows only those it is told; default prod, dev, stage).
    emulator = await startEmulatorProcess(["--sandboxes", `prod,dev,stage,${BIG},${SMALL}`]);
    control = new EmulatorControl(emulator.url);
    work = fs.mkdtempSync(path.join(os.tmpdir(), "flowservice-discover-"));
    // The small sandbox: three pipelines (names repeat, as the UI makes them), two stand-alone
    // connections, a disabled flow, and a Data Lake account (no auth: no resource expresses it).
    const api = new EmulatorApi(emulator.url, SMALL);
    for (const kind of ["s3", "salesforce", "s3"] as const) {
      const p = await api.createDataflow(kind);
      small.connections.push(p.base.id);
      small.flows.push(p.flow.id);
    }
    small.disabledFlow = small.flows[2];
    assert.strictEqual((await api.flowAction(small.disabledFlow, "DISABLE")).status, 200);
    small.connections.push((await api.createSalesforce("Stand-alone CRM")).id);
    small.connections.push(
      (
        await api.create("/connections", {
          name: "Archive bucket",
          description: "kept for audits",
          connectionSpec: { id: "ecadc60c-7455-4d87-84dc-2a0e293d997b", version: "1.0" },
          auth: { specName: "Access Key", params: { s3AccessKey: "AKIAARCHIVE", s3SecretKey: "archive-secret" } },
        })
      ).id,
    );
    small.dataLake = (await api.createDataLake("Data Lake account")).id;
    // The big sandbox: 50 pipelines (200 objects) and 60 stand-alone connections (two pages of connections).
    const big = new EmulatorApi(emulator.url, BIG);
    for (let batch = 0; batch < 5; batch++) await Promise.all(Array.from({ length: 10 }, () => big.createDataflow("s3")));
    for (let batch = 0; batch < 6; batch++) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => big.createSalesforce(`CRM ${batch * 10 + i}`)));
    }
  });
  after(async () => {
    await emulator?.stop();
    for (const s of stacks) s.cleanup();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("reads a sandbox of 50 pipelines and 60 stand-alone connections (260 objects) with at most 4·⌈N/100⌉ + 4 list requests, in under a minute, writing nothing remotely", async () => {
    await control.clearRequests();
    const r = await discoverCli(emulator.url, work, ["--sandbox", BIG, "--out", "big-1"]);
    assert.strictEqual(r.code, 0, r.stderr);
    const sent = await control.apiRequests();
    const lists = listRequests(sent);
    const bound = 4 * Math.ceil(260 / 100) + 4;
    assert.ok(lists.length <= bound, `${lists.length} list requests (bound ${bound})`);
    assert.strictEqual(
      lists.filter((l) => l.path.endsWith("/connections")).length,
      2,
      "110 connections: two pages, the second by continuationToken",
    );
    assert.ok(lists.some((l) => /continuationToken=/.test(l.query ?? "")));
    assert.deepStrictEqual(sent.filter(isWrite), [], "only GET requests");
    assert.deepStrictEqual(
      sent.filter((q) => q.method === "GET" && lists.indexOf(q) < 0).map((q) => q.path),
      [],
      "no per-object reads: listings only",
    );
    assert.ok(r.ms < 60_000, `${r.ms} ms`);
    // 50 S3 secret keys, and each CRM connection's password and security token.
    assert.match(r.stdout, /260 resources, 170 secret placeholders/);
    assert.match(r.stderr, new RegExp(`read sandbox "${BIG}" with ${lists.length} list requests in [\\d.]+ s`));
    console.log(`      discover: ${lists.length} list requests (bound ${bound}), ${r.ms} ms for 260 objects`);
  });

  it("running it twice on the same sandbox writes the same program, byte for byte, in each language", async () => {
    const again = await discoverCli(emulator.url, work, ["--sandbox", BIG, "--out", "big-2"]);
    assert.strictEqual(again.code, 0, again.stderr);
    assert.deepStrictEqual(files(path.join(work, "big-2")), files(path.join(work, "big-1")));
    for (const language of ["typescript", "yaml", "python"]) {
      const a = await discoverCli(emulator.url, work, ["--sandbox", SMALL, "--language", language, "--out", `twice-${language}-a`]);
      const b = await discoverCli(emulator.url, work, ["--sandbox", SMALL, "--language", language, "--out", `twice-${language}-b`]);
      assert.deepStrictEqual(files(path.join(work, `twice-${language}-b`)), files(path.join(work, `twice-${language}-a`)));
      assert.deepStrictEqual([a.code, b.code], [2, 2], "one object left out (exit 2)");
    }
    // The same command into the same folder changes nothing.
    const same = await discoverCli(emulator.url, work, ["--sandbox", BIG, "--out", "big-1"]);
    assert.match(same.stdout, /no file changed/);
  });

  /** Sets each secret placeholder, runs `up`, and returns the requests it made and the values set. */
  async function upWithSecrets(
    stack: TestStack,
    dir: string,
    tag: string,
  ): Promise<{ sent: LoggedRequest[]; values: Map<string, string> }> {
    const values = new Map<string, string>();
    for (const key of placeholders(dir)) {
      values.set(key, `${tag}-${key}`);
      await stack.ok(["config", "set", "--secret", key, `${tag}-${key}`]);
    }
    await control.clearRequests();
    await stack.ok(["up", "--yes", "--skip-preview"]);
    return { sent: await control.apiRequests(), values };
  }

  /** What "the first up creates nothing" means in requests: no POST, no DELETE; one PATCH per connection with secrets, then its test. */
  function assertTakeover(sent: LoggedRequest[]) {
    const writes = sent.filter(isWrite);
    assert.deepStrictEqual(
      writes.filter((w) => w.method !== "PATCH").map((w) => `${w.method} ${w.path}`),
      [],
      "no POST and no DELETE",
    );
    const patched = writes.map((w) => w.path.replace(`${FLOW}/connections/`, "")).sort();
    assert.deepStrictEqual(patched, [...small.connections].sort(), "one PATCH per connection: the secrets adoption re-sends");
    for (const w of writes) {
      assert.ok(w.headers["if-match"], "each PATCH carries If-Match");
      for (const op of w.body)
        assert.match(op.path, /^\/auth\/params\/(password|securityToken|s3SecretKey)$/, "only secret params are sent");
    }
    const tests = sent.filter((r) => r.method === "GET" && r.path.endsWith("/test")).map((r) => r.path.split("/").at(-2));
    assert.deepStrictEqual(tests.sort(), [...small.connections].sort(), "each re-sent credential is tested");
  }

  it("TypeScript: after the secret placeholders are set, the first up sends no POST and no DELETE (only the secret re-sends and their tests); the next preview plans nothing", async () => {
    const r = await discoverCli(emulator.url, work, ["--sandbox", SMALL, "--out", "small-ts"]);
    assert.strictEqual(r.code, 2, "exit 2: written, one object left out");
    assert.match(r.stderr, new RegExp(`left out Connection ${small.dataLake} \\("Data Lake account"\\): it has no auth`));
    const dir = path.join(work, "small-ts");
    assert.match(files(dir)["README.md"], new RegExp(`- Connection ${small.dataLake} \\("Data Lake account"\\): it has no auth`));
    const stack = new TestStack("discover-ts", dir);
    stacks.push(stack);
    await stack.init(emulator.url, { ...DEMO, sandboxName: SMALL });
    const { sent, values } = await upWithSecrets(stack, dir, "ts");
    assertTakeover(sent);
    const state = (await stack.exportState()).deployment.resources.filter((x) => String(x.type).includes("flowservice:"));
    assert.strictEqual(state.length, 5 + 3 * 3, "every expressible object, each adopted");
    assert.ok(state.every((x) => x.outputs.adopted === true));
    assert.strictEqual(state.find((x) => x.id === small.disabledFlow)?.outputs.enabled, false, "the disabled flow stays disabled");
    const crm = state.find((x) => x.outputs.name === "Stand-alone CRM");
    assert.strictEqual((await control.stored(crm?.id)).auth.params.password, sha256(values.get("standAloneCrmPassword") as string));
    await control.clearRequests();
    await stack.ok(["preview", "--expect-no-changes"]);
    assert.deepStrictEqual((await control.apiRequests()).filter(isWrite), []);
  });

  it("Python (the generated SDK pulumi_flowservice, through the plugin): the first up imports every object and only re-sends the secrets; the next preview plans nothing", async function () {
    // The generated SDK is committed (sdk/python); a checkout without it is broken, not a reason to skip.
    assert.ok(
      fs.existsSync(path.join(REPO, "sdk/python/pulumi_flowservice/__init__.py")),
      "sdk/python is missing: run 'bash scripts/sdk.sh' to generate the SDKs",
    );
    this.timeout(600_000);
    const r = await discoverCli(emulator.url, work, ["--sandbox", SMALL, "--language", "python", "--out", "small-py"]);
    assert.strictEqual(r.code, 2);
    const dir = path.join(work, "small-py");
    const [hostDir] = ensureHosts("python");
    // The plugin found on PATH (the package's bin/), as the contract allows.
    const stack = new PluginProgramStack("discover-py", dir, []);
    stacks.push(stack);
    // An activated virtual environment (the language host runs `python` from PATH).
    stack.hostPath.push(hostDir, path.join(stack.programDir, "venv", "bin"), path.join(REPO, "bin"));
    // As its README says: a virtual environment in the program's folder with requirements.txt (here the SDK's wheel).
    const wheel = await discoverShell("bash", [path.join(REPO, "scripts/sdk.sh"), "wheel", path.join(work, "wheels")], REPO);
    await discoverShell("python3", ["-m", "venv", "venv"], stack.programDir);
    const pip = [
      "-m",
      "pip",
      "install",
      "--quiet",
      "--disable-pip-version-check",
      "pulumi==3.248.0",
      wheel.trim().split("\n").pop() as string,
    ];
    await discoverShell(path.join(stack.programDir, "venv/bin/python"), pip, stack.programDir);
    await stack.init(emulator.url, { ...DEMO, sandboxName: SMALL });
    const { sent } = await upWithSecrets(stack, dir, "py");
    assertTakeover(sent);
    const state = (await stack.exportState()).deployment.resources.filter((x) => String(x.type).startsWith("flowservice:index:"));
    assert.strictEqual(state.length, 5 + 3 * 3);
    await control.clearRequests();
    await stack.ok(["preview", "--expect-no-changes"]);
    assert.deepStrictEqual((await control.apiRequests()).filter(isWrite), []);
  });

  it("YAML (the provider plugin): the first up imports every object and only re-sends the secrets (and tests them); the next preview plans nothing", async () => {
    const r = await discoverCli(emulator.url, work, [
      "--sandbox",
      SMALL,
      "--language",
      "yaml",
      "--plugin-path",
      path.join(REPO, "bin"),
      "--out",
      "small-yaml",
    ]);
    assert.strictEqual(r.code, 2);
    const dir = path.join(work, "small-yaml");
    const stack = new PluginProgramStack("discover-yaml", dir, ensureHosts("yaml"));
    stacks.push(stack);
    await stack.init(emulator.url, { ...DEMO, sandboxName: SMALL });
    const { sent } = await upWithSecrets(stack, dir, "yaml");
    assertTakeover(sent);
    const state = (await stack.exportState()).deployment.resources.filter((x) => String(x.type).startsWith("flowservice:index:"));
    assert.strictEqual(state.length, 5 + 3 * 3);
    assert.ok(
      state.every((x) => x.outputs.adopted === true),
      "imported objects outlive destroy, like adopted ones",
    );
    await control.clearRequests();
    await stack.ok(["preview", "--expect-no-changes"]);
    assert.deepStrictEqual((await control.apiRequests()).filter(isWrite), []);
  });
});
