// The `pulumi new` templates (templates/typescript, python, yaml), as a user runs them: `pulumi new
// ./templates/LANG --yes` in an empty folder (the stack config from the template: flowservice:*
// settings, the sandbox's default, and secrets left for `pulumi config set --secret`), then `up`
// against the emulator through the real engine and the language's host, then destroy.
// One emulator for the three; each template its own folder, PULUMI_HOME and state.
import assert from "node:assert";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { FLOW_BASE_PATH, IMS_TOKEN_PATH } from "../../tools/demo";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { ensureHosts } from "../../tools/languageHosts";
import { buildPluginTarball } from "../../tools/pluginPackage";
import { ensureEngine, makeWorkspace, REPO, runPulumi, Workspace } from "../../tools/pulumiCli";
import { DEMO } from "../helpers/emulatorApi";
import { EmulatorControl, sha256 } from "../helpers/emulatorControl";
import { CONNECTIONS, isWrite } from "./pluginStack";
import { ok } from "../helpers/command";

const tag = randomBytes(4).toString("hex");

describe("the pulumi new templates: a new project from each, then up against the emulator", function () {
  this.timeout(300_000);
  let emulator: EmulatorProcess;
  let control: EmulatorControl;
  let scratch: string;
  let pluginTarball: string;
  let packageTarball: string;
  let wheels: string;
  let hosts: string[];
  /** The machine's PATH without this repository's node_modules/.bin (where mocha runs from). */
  const machine = () => [
    path.dirname(process.execPath),
    ...(process.env.PATH ?? "").split(path.delimiter).filter((d) => !d.includes(`node_modules${path.sep}.bin`)),
  ];

  before(async function () {
    this.timeout(45 * 60_000);
    ensureEngine();
    hosts = ensureHosts("all");
    emulator = await startEmulatorProcess();
    control = new EmulatorControl(emulator.url);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "flowservice-templates-"));
    pluginTarball = buildPluginTarball(scratch);
    const env = { ...process.env, PATH: machine().join(path.delimiter) };
    const pack = await ok("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", scratch], REPO, env);
    packageTarball = path.join(scratch, JSON.parse(pack.stdout)[0].filename);
    wheels = path.join(scratch, "wheels");
    await ok("bash", [path.join(REPO, "scripts/sdk.sh"), "wheel", wheels], REPO, env);
  });

  after(async () => {
    await emulator?.stop();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  /** One template: a fresh folder, its own PULUMI_HOME (the plugin installed there) and state. */
  function templateCase(lang: "typescript" | "python" | "yaml", prepare: (program: string, env: NodeJS.ProcessEnv) => Promise<void>) {
    describe(`templates/${lang}`, () => {
      let ws: Workspace;
      let program: string;
      let PATH: string;
      const extraEnv: Record<string, string> = {};
      const pulumi = async (args: string[]) => {
        const r = await runPulumi(ws, program, args, { env: { PATH, ...extraEnv } });
        if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
        return r;
      };

      before(async function () {
        this.timeout(10 * 60_000);
        ws = makeWorkspace(`flowservice-template-${lang}-`);
        program = path.join(ws.root, "program");
        fs.mkdirSync(program);
        // The Python host built offline here (v3.68) ignores the template's `virtualenv` option and
        // makes the project folder the virtual environment: its bin/ runs the program.
        PATH = [ensureEngine(), ...hosts.filter((h) => !h.endsWith(`${path.sep}bin`)), path.join(program, "bin"), ...machine()].join(
          path.delimiter,
        );
        // The SDK's wheel is not on PyPI yet: pip finds it beside PyPI's packages.
        if (lang === "python") extraEnv.PIP_FIND_LINKS = wheels;
        const env = { ...process.env, PATH, PULUMI_HOME: ws.homeDir, ...extraEnv };
        await prepare(program, env);
        if (lang !== "typescript")
          await pulumi([
            "plugin",
            "install",
            "resource",
            "flowservice",
            JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")).version,
            "--file",
            pluginTarball,
          ]);
      });

      it(`\`pulumi new ./templates/${lang} --yes\` writes the stack config: flowservice settings, the default sandbox, no secret in clear`, async () => {
        await pulumi([
          "new",
          path.join(REPO, "templates", lang),
          "--yes",
          "--force",
          "--name",
          `tpl-${lang}`,
          "--stack",
          "dev",
          "-c",
          `flowservice:clientId=${DEMO.clientId}`,
          "-c",
          `flowservice:orgId=${DEMO.orgId}`,
          "-c",
          `flowservice:endpoint=${emulator.url}${FLOW_BASE_PATH}`,
          "-c",
          `flowservice:imsEndpoint=${emulator.url}${IMS_TOKEN_PATH}`,
        ]);
        const config = fs.readFileSync(path.join(program, "Pulumi.dev.yaml"), "utf8");
        assert.match(config, /flowservice:sandboxName: prod/);
        assert.match(config, new RegExp(`flowservice:clientId: ${DEMO.clientId}`));
        assert.doesNotMatch(config, /clientSecret|salesforcePassword/, "secrets are left for `pulumi config set --secret`");
        // What the template's description tells the user to set, as secrets.
        await pulumi(["config", "set", "--secret", "flowservice:clientSecret", DEMO.clientSecret]);
        await pulumi(["config", "set", "--secret", "salesforcePassword", `tpl-pass-${tag}`]);
        await pulumi(["config", "set", "--secret", "salesforceSecurityToken", `tpl-tok-${tag}`]);
        const secured = fs.readFileSync(path.join(program, "Pulumi.dev.yaml"), "utf8");
        assert.ok(!secured.includes(DEMO.clientSecret) && !secured.includes(`tpl-pass-${tag}`), "secrets are encrypted in the stack file");
      });

      it("`pulumi up` creates the template's connection with one POST; destroy deletes it", async () => {
        await control.clearRequests();
        await pulumi(["up", "--yes", "--skip-preview"]);
        const writes = (await control.apiRequests()).filter(isWrite);
        assert.deepStrictEqual(
          writes.map((r) => `${r.method} ${r.path}`),
          [`POST ${CONNECTIONS}`],
        );
        const outputs = JSON.parse((await pulumi(["stack", "output", "--json"])).stdout);
        assert.strictEqual(outputs.state, "enabled");
        const stored = await control.stored(outputs.connectionId);
        assert.strictEqual(stored.auth.params.password, sha256(`tpl-pass-${tag}`));
        await control.clearRequests();
        await pulumi(["destroy", "--yes", "--skip-preview"]);
        assert.deepStrictEqual(
          (await control.apiRequests()).filter(isWrite).map((r) => `${r.method} ${r.path}`),
          [`DELETE ${CONNECTIONS}/${outputs.connectionId}`],
        );
      });
    });
  }

  // pulumi-flowservice is not on the npm registry yet: the packed package (and the SDK version these
  // tests pin) are installed first; the template's `npm install` keeps them, as they satisfy its ranges.
  templateCase("typescript", async (program, env) => {
    await ok(
      "npm",
      ["install", "--no-save", "--prefer-offline", "--no-audit", "--no-fund", packageTarball, "@pulumi/pulumi@3.248.0"],
      program,
      env,
    );
  });
  templateCase("python", async () => {});
  templateCase("yaml", async () => {});
});
