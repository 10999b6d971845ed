// The package as a user gets it: `npm pack`, then a fresh TypeScript Pulumi program with its own
// @pulumi/pulumi installs the tarball, and runs up, a rotation, the plan command and destroy
// through the real engine, against the emulator started from the installed `flow-emulator`.
//
// Which Node: FLOWSERVICE_TEST_NODE_BIN, a folder holding `node` and `npm` (scripts/node24.sh
// prints one), default the Node running mocha. It is put on PATH for every command here, so npm,
// the language host (which runs `node` from PATH) and both commands run on it. Which SDK:
// FLOWSERVICE_TEST_PULUMI_SDK (an exact version), default 3.248.x below Node 22 (the newest SDK
// that supports Node 20) and the newest published one from Node 22 on.
import assert from "node:assert";
import fs from "node:fs";
import path from "node:path";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { ensureEngine, flowConfigArgs, makeWorkspace, REPO, runPulumi, Workspace } from "../../tools/pulumiCli";
import { DEMO, SALESFORCE } from "../helpers/emulatorApi";
import { EmulatorControl, sha256 } from "../helpers/emulatorControl";
import * as command from "../helpers/command";

const NODE_BIN = process.env.FLOWSERVICE_TEST_NODE_BIN || path.dirname(process.execPath);

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { Connection } from "pulumi-flowservice";

const config = new pulumi.Config();
const crm = new Connection("crm", {
  name: "Consumer CRM",
  connectionSpec: { id: "${SALESFORCE}", version: "1.0" },
  auth: {
    specName: "Basic Authentication",
    params: {
      environmentUrl: "login.salesforce.com",
      username: "consumer@example.com",
      password: config.requireSecret("salesforcePassword"),
      securityToken: config.requireSecret("salesforceSecurityToken"),
    },
  },
});
export const connectionId = crm.id;
// Which Node and which SDK copy really ran the program.
export const runtime = { node: process.version, sdk: require.resolve("@pulumi/pulumi") };
`;

// A Pulumi template's settings, plus esModuleInterop: the package's declarations reference zod's,
// which need it whenever `tsc` checks libraries (skipLibCheck off); the README says so.
const TSCONFIG = {
  compilerOptions: { strict: true, target: "es2020", module: "commonjs", moduleResolution: "node", esModuleInterop: true, outDir: "bin" },
  files: ["index.ts"],
};

/** The environment of the user's shell: NODE_BIN first on PATH, and not the outer `npm test`'s settings. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${NODE_BIN}${path.delimiter}${process.env.PATH}` };
  for (const k of Object.keys(env)) if (k.startsWith("npm_")) delete env[k];
  return env;
}
const run = (cmd: string, args: string[], cwd: string, stdin = "") => command.run(cmd, args, cwd, userEnv(), stdin);
const ok = (cmd: string, args: string[], cwd: string, stdin = "") => command.ok(cmd, args, cwd, userEnv(), stdin);

async function sdkWanted(nodeMajor: number): Promise<{ range: string; version: RegExp }> {
  const pinned = process.env.FLOWSERVICE_TEST_PULUMI_SDK;
  if (pinned) return { range: pinned, version: new RegExp(`^${pinned.replace(/\./g, "\\.")}$`) };
  if (nodeMajor < 22) return { range: "~3.248.0", version: /^3\.248\.\d+$/ };
  const newest = (await ok("npm", ["view", "@pulumi/pulumi", "version"], REPO)).stdout.trim();
  return { range: `^${newest}`, version: new RegExp(`^${newest.replace(/\./g, "\\.")}$`) };
}

describe("the packed package, installed into a fresh TypeScript Pulumi program", function () {
  this.timeout(180_000);
  let ws: Workspace;
  let program: string;
  let nodeVersion: string;
  let sdk: { range: string; version: RegExp };
  let packed: { filename: string; files: Array<{ path: string }> };
  let emulator: EmulatorProcess;
  let control: EmulatorControl;
  let connectionId: string;

  const manifestOf = (pkg: string) => JSON.parse(fs.readFileSync(path.join(program, "node_modules", pkg, "package.json"), "utf8"));
  const installedVersion = (pkg: string): string => manifestOf(pkg).version;
  const bin = (name: string) => path.join(program, "node_modules/.bin", name);
  // The engine first (it holds no node), then the chosen Node, for the language host and the provider.
  const pulumi = (args: string[]) =>
    runPulumi(ws, program, args, { env: { PATH: [ensureEngine(), NODE_BIN, process.env.PATH].join(path.delimiter) } });
  const pulumiOk = async (args: string[]) => {
    const r = await pulumi(args);
    if (r.code !== 0) throw new Error(`pulumi ${args[0]} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r;
  };

  before(async function () {
    this.timeout(45 * 60_000); // the first run on a machine builds the engine
    ensureEngine();
    nodeVersion = (await ok("node", ["--version"], REPO)).stdout.trim();
    const major = Number(/^v(\d+)/.exec(nodeVersion)?.[1]);
    sdk = await sdkWanted(major);
    ws = makeWorkspace("flowservice-consumer-");
    program = path.join(ws.root, "program");
    fs.mkdirSync(program);
    // dist/ is built by the caller (`npm test`, `npm run test:node24`): no second build racing it.
    const pack = await ok("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", ws.root], REPO);
    packed = JSON.parse(pack.stdout)[0];
    fs.writeFileSync(path.join(program, "Pulumi.yaml"), "name: flowservice-consumer\nruntime: nodejs\n");
    fs.writeFileSync(path.join(program, "tsconfig.json"), JSON.stringify(TSCONFIG, null, 2));
    fs.writeFileSync(path.join(program, "index.ts"), PROGRAM);
    const manifest = {
      name: "flowservice-consumer",
      private: true,
      main: "index.ts",
      dependencies: { "@pulumi/pulumi": sdk.range },
      devDependencies: { "@types/node": `^${major}.0.0`, typescript: "~5.9.0" },
    };
    fs.writeFileSync(path.join(program, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
    // As `npm install pulumi-flowservice` would, from the tarball; the local npm cache first.
    await ok("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", path.join(ws.root, packed.filename)], program);
    console.error(`consumer: Node ${nodeVersion}, @pulumi/pulumi ${installedVersion("@pulumi/pulumi")}`);
  });

  after(async () => {
    await emulator?.stop();
    if (ws) fs.rmSync(ws.root, { recursive: true, force: true });
  });

  it("holds the library with its types, both commands and what they run, and none of the repository's tools or tests", () => {
    const files = packed.files.map((f) => f.path).sort();
    const own = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));
    const commands = Object.values(own.bin as Record<string, string>).map((f) => path.posix.normalize(f));
    assert.deepStrictEqual(Object.keys(own.bin).sort(), [
      "flow-emulator",
      "flowservice-discover",
      "flowservice-health",
      "flowservice-plan",
      "flowservice-plugin",
      "flowservice-recover",
      "pulumi-resource-flowservice",
    ]);
    // What each command loads at run time: the launchers require their built module by path.
    const launched = commands.flatMap((f) =>
      [...fs.readFileSync(path.join(REPO, f), "utf8").matchAll(/require\("(\.[^"]+)"\)/g)].map((m) =>
        path.posix.join(path.posix.dirname(f), m[1].replace(/(?<!\.js)$/, ".js")),
      ),
    );
    assert.ok(launched.length >= commands.length, `no built module found in the launchers ${commands.join(", ")}`);
    // The dynamic-provider host requires this path by name from the program's folder.
    const needed = [
      "LICENSE",
      "README.md",
      "CHANGELOG.md",
      "docs/resources.md",
      "package.json",
      own.main,
      own.types,
      "dist/provider/dynamicProvider.js",
      ...commands,
      ...launched,
    ];
    for (const f of needed) assert.ok(files.includes(f), `${f} is missing from the package`);
    const foreign = files.filter(
      (f) =>
        !/^(LICENSE|README\.md|CHANGELOG\.md|docs\/[\w-]+\.md|package\.json|bin\/[\w-]+\.js|bin\/pulumi-resource-flowservice|dist\/provider\/.+\.(js|d\.ts)|dist\/(commands|emulator)\/.+\.js)$/.test(
          f,
        ),
    );
    assert.deepStrictEqual(foreign, [], "files a user does not need");
  });

  it("is installed the way the README's Install section says: `npm pack` in a checkout, then `npm install` of the tarball it names", () => {
    const readme = fs.readFileSync(path.join(REPO, "README.md"), "utf8");
    const section = readme.split(/^## /m).find((s) => s.startsWith("Install"));
    assert.ok(section, "the README has no Install section");
    const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
    const commands = block.split("\n").map((l) => l.replace(/#.*$/, "").trim());
    assert.ok(commands.includes("npm pack"), `the README's install commands do not pack the checkout:\n${block}`);
    // This test packed the same checkout and installed the tarball into a fresh program (before()).
    const install = commands.find((c) => c.startsWith("npm install ") && c.endsWith(".tgz"));
    assert.ok(install, `the README's install commands install no tarball:\n${block}`);
    assert.strictEqual(
      path.basename(install.split(/\s+/).pop() as string),
      packed.filename,
      "the README names another tarball than npm pack writes",
    );
  });

  it("installs with a clean `npm ls` and exactly one @pulumi/pulumi, the program's own", async () => {
    // --all: a bad edge deeper down (such as a self-dependency "file:.") fails only the full tree.
    const ls = await run("npm", ["ls", "--all"], program);
    assert.strictEqual(ls.code, 0, `npm ls --all failed:\n${ls.stdout}\n${ls.stderr}`);
    const all = await ok("npm", ["ls", "--all", "--parseable"], program);
    const copies = new Set(all.stdout.split("\n").filter((p) => p.endsWith(`${path.sep}node_modules${path.sep}@pulumi${path.sep}pulumi`)));
    assert.deepStrictEqual([...copies], [path.join(program, "node_modules/@pulumi/pulumi")]);
    assert.match(installedVersion("@pulumi/pulumi"), sdk.version);
    const installed = fs.lstatSync(path.join(program, "node_modules/pulumi-flowservice"));
    assert.ok(
      installed.isDirectory() && !installed.isSymbolicLink(),
      "the package is a copy from the tarball, not a link to the repository",
    );
    const own = manifestOf("pulumi-flowservice");
    assert.deepStrictEqual(
      Object.keys(own.dependencies ?? {}).filter((d) => d === "pulumi-flowservice" || d === "@pulumi/pulumi"),
      [],
    );
  });

  it("type-checks against the package's declarations and the program's SDK", async () => {
    await ok(bin("tsc"), ["--noEmit", "-p", "."], program);
  });

  it("`pulumi up` creates the connection, with the program on the chosen Node and its one SDK copy", async () => {
    emulator = await startEmulatorProcess([], { bin: bin("flow-emulator"), node: path.join(NODE_BIN, "node") });
    control = new EmulatorControl(emulator.url);
    await pulumiOk(["stack", "init", "consumer"]);
    await pulumiOk(flowConfigArgs(emulator.url, DEMO));
    await pulumiOk([
      "config",
      "set-all",
      "--secret",
      "salesforcePassword=consumer-pass-1",
      "--secret",
      "salesforceSecurityToken=consumer-tok-1",
    ]);
    await pulumiOk(["up", "--yes", "--skip-preview"]);
    const outputs = JSON.parse((await pulumiOk(["stack", "output", "--json"])).stdout);
    connectionId = outputs.connectionId;
    const stored = await control.stored(connectionId);
    assert.strictEqual(stored?.name, "Consumer CRM");
    assert.strictEqual(stored.auth.params.password, sha256("consumer-pass-1"));
    assert.strictEqual(outputs.runtime.node, nodeVersion);
    assert.ok(outputs.runtime.sdk.startsWith(path.join(program, "node_modules/@pulumi/pulumi") + path.sep), outputs.runtime.sdk);
  });

  it("a rotation: the installed flowservice-plan shows the one op, and `up` sends exactly one PATCH", async () => {
    await pulumiOk(["config", "set", "--secret", "salesforcePassword", "consumer-pass-2"]);
    const preview = await pulumiOk(["preview", "--json"]);
    const plan = await run(bin("flowservice-plan"), ["--format", "markdown"], program, preview.stdout);
    assert.strictEqual(plan.code, 2, `flowservice-plan: ${plan.stderr}`);
    assert.match(plan.stdout, /\{"op":"replace","path":"\/auth\/params\/password","value":"\[secret\]"\}/);
    assert.ok(!plan.stdout.includes("consumer-pass-2"), "the plan shows the new password");

    const before = await control.stored(connectionId);
    await control.clearRequests();
    await pulumiOk(["up", "--yes", "--skip-preview"]);
    const writes = (await control.apiRequests()).filter((r) => r.method !== "GET" && !r.path.startsWith("/ims/"));
    assert.deepStrictEqual(
      writes.map((r) => [r.method, r.path, r.headers["if-match"]]),
      [["PATCH", `/data/foundation/flowservice/connections/${connectionId}`, before.etag]],
    );
    assert.strictEqual((await control.stored(connectionId)).auth.params.password, sha256("consumer-pass-2"));
  });

  it("`pulumi destroy` deletes the connection", async () => {
    await pulumiOk(["destroy", "--yes", "--skip-preview"]);
    assert.strictEqual(await control.stored(connectionId), undefined);
  });
});
