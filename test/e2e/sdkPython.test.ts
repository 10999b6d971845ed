// A Python user's route, in a fresh folder with only the package registries: the npm package
// installed as the docs say, its `flowservice-plugin install` putting the provider plugin into
// PULUMI_HOME, the generated SDK (sdk/python) pip-installed from its wheel into the program's own
// virtual environment, then examples/python (two typed Connection classes) through the real engine
// and the Python language host (scripts/hosts.sh) against the emulator: create, a rotation whose
// `preview --diff` names the changed secret and whose `up` sends one PATCH, `pulumi import` of a
// connection made out of band, destroy.
import assert from "node:assert";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { FLOW_BASE_PATH } from "../../tools/demo";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { ensureHosts } from "../../tools/languageHosts";
import { ensureEngine, flowConfigArgs, makeWorkspace, REPO, RunResult, runPulumi, Workspace } from "../../tools/pulumiCli";
import { DEMO, EmulatorApi } from "../helpers/emulatorApi";
import { EmulatorControl, LoggedRequest, sha256 } from "../helpers/emulatorControl";
import { CONNECTIONS, isSecretInState, isWrite } from "./pluginStack";
import { ok } from "../helpers/command";

const VERSION = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")).version as string;
/** The Python SDK of the engine's version (scripts/hosts.sh). */
const PULUMI_PYTHON = "3.248.0";
const tag = randomBytes(4).toString("hex");

describe("a Python user in a fresh folder: the npm package, its plugin installer, the generated SDK's wheel", function () {
  this.timeout(180_000);
  let ws: Workspace;
  let program: string;
  let emulator: EmulatorProcess;
  let control: EmulatorControl;
  let api: EmulatorApi;
  /** PATH for every command: the engine, the Python language host, then the machine's. */
  let PATH: string;
  const secrets = new Set<string>([DEMO.clientSecret]);
  const secret = (v: string) => {
    secrets.add(v);
    return v;
  };
  const transcript: string[] = [];
  const ids: Record<string, string> = {};

  const env = (): NodeJS.ProcessEnv => {
    const e: NodeJS.ProcessEnv = { ...process.env, PATH, PULUMI_HOME: ws.homeDir };
    for (const k of Object.keys(e)) if (k.startsWith("npm_") || k.startsWith("AEP_")) delete e[k];
    return e;
  };
  async function pulumi(args: string[]): Promise<RunResult> {
    const r = await runPulumi(ws, program, args, { env: { PATH } });
    transcript.push(r.stdout, r.stderr);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r;
  }
  async function upAndLog(): Promise<LoggedRequest[]> {
    await control.clearRequests();
    await pulumi(["up", "--yes", "--skip-preview"]);
    return control.apiRequests();
  }
  async function resources(): Promise<Record<string, { id: string; type: string; inputs: any; outputs: any }>> {
    const state = JSON.parse((await pulumi(["stack", "export", "--show-secrets=false"])).stdout);
    const out: Record<string, any> = {};
    for (const r of state.deployment.resources) out[String(r.urn).split("::").pop() as string] = r;
    return out;
  }

  before(async function () {
    this.timeout(45 * 60_000);
    const [hostDir] = ensureHosts("python");
    ws = makeWorkspace("flowservice-sdk-python-");
    program = path.join(ws.root, "program");
    // As a user's shell: the engine, the language host, the program's virtual environment activated
    // (its python runs the program) — and none of this repository's node_modules/.bin (where mocha
    // runs from), so the engine finds the plugin only where `flowservice-plugin install` put it.
    const machine = (process.env.PATH ?? "").split(path.delimiter).filter((d) => !d.includes(`node_modules${path.sep}.bin`));
    PATH = [ensureEngine(), hostDir, path.join(program, "venv", "bin"), path.dirname(process.execPath), ...machine].join(path.delimiter);
    fs.mkdirSync(program);
    for (const f of ["Pulumi.yaml", "__main__.py"]) fs.copyFileSync(path.join(REPO, "examples/python", f), path.join(program, f));
    // 1. The npm package, as `npm install pulumi-flowservice` would install it (here from its tarball).
    const pack = await ok("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", ws.root], REPO, env());
    const tarball = path.join(ws.root, JSON.parse(pack.stdout)[0].filename);
    await ok("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], program, env());
    // 2. The plugin, from the package alone.
    const installed = await ok(path.join(program, "node_modules/.bin/flowservice-plugin"), ["install"], program, env());
    transcript.push(installed.stdout);
    // 3. The SDK's wheel, pip-installed with the Pulumi SDK into the program's virtual environment.
    const wheels = path.join(ws.root, "wheels");
    const wheel = (await ok("bash", [path.join(REPO, "scripts/sdk.sh"), "wheel", wheels], REPO, env())).stdout
      .trim()
      .split("\n")
      .pop() as string;
    await ok("python3", ["-m", "venv", "venv"], program, env());
    await ok(
      path.join(program, "venv/bin/python"),
      ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", `pulumi==${PULUMI_PYTHON}`, wheel],
      program,
      env(),
    );
    emulator = await startEmulatorProcess();
    control = new EmulatorControl(emulator.url);
    api = new EmulatorApi(emulator.url);
    await pulumi(["stack", "init", "dev"]);
    await pulumi(flowConfigArgs(emulator.url, DEMO));
    await pulumi(["config", "set", "s3AccessKey", "AKIAEXAMPLE"]);
    await pulumi(["config", "set", "--secret", "s3SecretKey", secret(`s3-key-${tag}-1`)]);
    await pulumi(["config", "set", "--secret", "salesforcePassword", secret(`sf-pass-${tag}`)]);
    await pulumi(["config", "set", "--secret", "salesforceSecurityToken", secret(`sf-tok-${tag}`)]);
  });

  after(async () => {
    await emulator?.stop();
    if (ws) fs.rmSync(ws.root, { recursive: true, force: true });
  });

  it("`flowservice-plugin install` from the npm package puts the plugin where `pulumi plugin ls` and `pulumi about` list it, at the package's version", async () => {
    const ls = await pulumi(["plugin", "ls", "--json"]);
    const plugins = JSON.parse(ls.stdout) as Array<{ name: string; kind: string; version: string }>;
    assert.deepStrictEqual(
      plugins.filter((p) => p.name === "flowservice").map((p) => `${p.kind} ${p.name} ${p.version}`),
      [`resource flowservice ${VERSION}`],
    );
    assert.ok(!fs.existsSync(path.join(program, "bin")), "nothing of the plugin was put into the program's folder");
    // `pulumi about` lists the plugin the program needs (from the SDK's pulumi-plugin.json), at that version.
    const about = await pulumi(["about"]);
    assert.match(about.stdout, new RegExp(`resource\\s+flowservice\\s+${VERSION.replace(/\./g, "\\.")}\\n`));
  });

  it("a Python program with the SDK's typed classes creates two connections with two POSTs, their secret params encrypted in state", async () => {
    const sent = await upAndLog();
    assert.deepStrictEqual(
      sent.filter(isWrite).map((r) => `${r.method} ${r.path}`),
      [`POST ${CONNECTIONS}`, `POST ${CONNECTIONS}`],
    );
    const res = await resources();
    ids.s3 = res.s3.id;
    ids.crm = res.crm.id;
    assert.strictEqual(res.s3.type, "flowservice:index:Connection");
    assert.ok(isSecretInState(res.s3.outputs.auth.params.s3SecretKey));
    assert.ok(isSecretInState(res.crm.outputs.auth.params.password) && isSecretInState(res.crm.outputs.auth.params.securityToken));
    assert.strictEqual(res.s3.outputs.auth.params.s3AccessKey, "AKIAEXAMPLE");
    assert.strictEqual((await control.stored(ids.s3)).auth.params.s3SecretKey, sha256(`s3-key-${tag}-1`));
    const outputs = JSON.parse((await pulumi(["stack", "output", "--json"])).stdout);
    assert.deepStrictEqual([outputs.s3Id, outputs.crmId, outputs.state], [ids.s3, ids.crm, "enabled"], "the SDK's output properties");
    // The SDK asks for the plugin at the schema's version, the package's: the one installed.
    const provider = Object.values(res).find((r) => r.type === "pulumi:providers:flowservice");
    assert.strictEqual(provider?.inputs.version, VERSION);
  });

  it("a rotation: `preview --diff` names s3SecretKey; `up` sends one PATCH with If-Match from state", async () => {
    const etag = (await resources()).s3.outputs.etag;
    await pulumi(["config", "set", "--secret", "s3SecretKey", secret(`s3-key-${tag}-2`)]);
    const preview = await pulumi(["preview", "--diff"]);
    assert.match(preview.stdout, /~ s3SecretKey\s*: \[secret\] => \[secret\]/);
    assert.doesNotMatch(preview.stdout, /password\s*:|securityToken\s*:/, "the other connection does not change");
    const writes = (await upAndLog()).filter(isWrite);
    assert.deepStrictEqual(
      writes.map((r) => `${r.method} ${r.path}`),
      [`PATCH ${CONNECTIONS}/${ids.s3}`],
    );
    assert.strictEqual(writes[0].headers["if-match"], etag);
    assert.deepStrictEqual(writes[0].body, [{ op: "replace", path: "/auth/params/s3SecretKey", value: "[redacted]" }]);
    assert.strictEqual((await control.stored(ids.s3)).auth.params.s3SecretKey, sha256(`s3-key-${tag}-2`));
  });

  it("`pulumi import` adopts a connection made out of band, with reads only", async () => {
    const made = await api.createSalesforce(`Made in the UI ${tag}`, {
      username: "ui-user",
      password: secret(`ui-pass-${tag}`),
      securityToken: secret(`ui-tok-${tag}`),
    });
    ids.ui = made.id;
    await control.clearRequests();
    const imported = await pulumi([
      "import",
      "flowservice:index:Connection",
      "ui",
      made.id,
      "--yes",
      "--protect=false",
      "--generate-code=false",
    ]);
    assert.deepStrictEqual((await control.apiRequests()).filter(isWrite), [], "import only reads");
    assert.match(imported.stdout, /its secret params \(password, securityToken\) cannot be read back/);
    const ui = (await resources()).ui;
    assert.strictEqual(ui.id, made.id);
    assert.strictEqual(ui.outputs.etag, made.etag);
    assert.strictEqual(ui.outputs.adopted, true);
  });

  it("a param the program gave of the wrong type is reported by its path, never as `value {<nil>}`, with a hint in no other language", async () => {
    const file = path.join(program, "__main__.py");
    const original = fs.readFileSync(file, "utf8");
    fs.writeFileSync(
      file,
      `${original}\nflowservice.Connection("bad", name="Bad", connection_spec=flowservice.ConnectionSpecArgs(id="cfc0fee1-7dc0-40ef-b73e-d8b134c436f5"),\n` +
        `    auth=flowservice.AuthArgs(spec_name="Basic Authentication", params={"username": "u", "port": {"number": 1}}))\n`,
    );
    try {
      await control.clearRequests();
      const r = await runPulumi(ws, program, ["preview"], { env: { PATH } });
      transcript.push(r.stdout, r.stderr);
      assert.notStrictEqual(r.code, 0, "the preview fails");
      const text = r.stdout + r.stderr;
      assert.match(text, /auth\.params\.port: .*each auth param must be a string, number or boolean/);
      assert.doesNotMatch(text, /<nil>/);
      assert.doesNotMatch(text, /pulumi\.secret\(\)/, "no TypeScript advice to a Python program");
      assert.deepStrictEqual((await control.apiRequests()).filter(isWrite), [], "no request was sent");
    } finally {
      fs.writeFileSync(file, original);
    }
  });

  it("destroy deletes the two connections the stack created, keeps the imported one and says so, and no secret appears in clear", async () => {
    await control.clearRequests();
    const destroyed = await pulumi(["destroy", "--yes", "--skip-preview"]);
    assert.match(
      destroyed.stdout,
      new RegExp(`Connection "Made in the UI ${tag}" \\(${ids.ui}\\) is kept in Flow Service: it was imported \\(pulumi import\\)`),
      "destroy says which connection it kept, and why",
    );
    const deletes = (await control.apiRequests()).filter(isWrite).map((r) => `${r.method} ${r.path}`);
    assert.deepStrictEqual(deletes.sort(), [`DELETE ${CONNECTIONS}/${ids.crm}`, `DELETE ${CONNECTIONS}/${ids.s3}`].sort());
    assert.ok(await control.stored(ids.ui), "the imported connection is still in Flow Service");
    const leftovers = transcript.join("\n");
    for (const s of secrets) assert.ok(!leftovers.includes(s), "a secret value appears in an output of the run");
  });
  it("the pipeline from Python (examples/python-pipeline): a connection, a source, a target and a dataflow created in that order, deleted in the reverse one", async () => {
    const dir = path.join(ws.root, "pipeline");
    fs.mkdirSync(dir);
    for (const f of ["Pulumi.yaml", "__main__.py"]) fs.copyFileSync(path.join(REPO, "examples/python-pipeline", f), path.join(dir, f));
    const inDir = async (args: string[]) => {
      const r = await runPulumi(ws, dir, args, { env: { PATH } });
      transcript.push(r.stdout, r.stderr);
      if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
      return r;
    };
    await inDir(["stack", "init", "pipeline"]);
    await inDir(flowConfigArgs(emulator.url, DEMO));
    for (const [k, v] of [
      ["datasetId", "638e6c7b5679741b63ff5c24"],
      ["schemaId", "https://ns.adobe.com/acme/schemas/customers"],
      ["mappingId", "0b090130b58b4819afc78b6dc98b484d"],
      ["s3AccessKey", "AKIAPIPELINE"],
    ])
      await inDir(["config", "set", k, v]);
    await inDir(["config", "set", "--secret", "s3SecretKey", secret(`s3-pipe-${tag}`)]);
    await control.clearRequests();
    await inDir(["up", "--yes", "--skip-preview"]);
    const created = (await control.apiRequests()).filter(isWrite).map((r) => `${r.method} ${r.path.replace(FLOW_BASE_PATH, "")}`);
    assert.deepStrictEqual(created.filter((w) => w.startsWith("POST")).sort(), [
      "POST /connections",
      "POST /flows",
      "POST /sourceConnections",
      "POST /targetConnections",
    ]);
    assert.ok(created.indexOf("POST /flows") > created.indexOf("POST /sourceConnections"), "the flow after what it reads");
    assert.ok(created.indexOf("POST /sourceConnections") > created.indexOf("POST /connections"), "the source after its base connection");
    assert.strictEqual(JSON.parse((await inDir(["stack", "output", "--json"])).stdout).flowState, "enabled");
    await control.clearRequests();
    await inDir(["destroy", "--yes", "--skip-preview"]);
    const deleted = (await control.apiRequests()).filter(isWrite).map((r) => r.path.replace(FLOW_BASE_PATH, "").split("/")[1]);
    assert.deepStrictEqual([...deleted].sort(), ["connections", "flows", "sourceConnections", "targetConnections"]);
    assert.ok(deleted.indexOf("flows") < deleted.indexOf("sourceConnections"), "the flow before what it reads");
    assert.ok(deleted.indexOf("sourceConnections") < deleted.indexOf("connections"), "the source before its base connection");
  });
});
