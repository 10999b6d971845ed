// One benchmark stack: a throwaway Pulumi project with N connections (bench/program, or
// bench/trivial for the floor, or a YAML program through the provider plugin: benchPluginProgram)
// or N pipelines (bench/pipeline, bench/trivial/pipeline.js), its secrets rotated by rewriting
// bench.json (the YAML program itself for the plugin door), and each measured command run through
// the real CLI with /proc sampled under it and the host probe loaded.
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { countRequests, WatchedEmulator } from "./benchEmulator";
import { ProcSampler, ProcUsage } from "./benchProc";
import { readProbe } from "./benchHostProbe";
import { pluginProgramYaml } from "./benchPluginProgram";
import { Kind, OpRun, Shape, StateFacts } from "./benchTypes";
import { mean, round2 } from "./benchWire";
import { DEMO } from "../../tools/demo";
import { ensureHosts } from "../../tools/languageHosts";
import { ensureEngine, flowConfigArgs, REPO, RunResult, runPulumi, Workspace } from "../../tools/pulumiCli";

const PROBE = path.join(REPO, "dist/bench/src/benchProbe.js");

/** The program file (copied as index.js; none for the generated YAML program) and project name of each provider and shape. */
const PROGRAMS: Record<Shape, Partial<Record<Kind, { file?: string; project: string }>>> = {
  connections: {
    flowservice: { file: "bench/program/index.js", project: "flowservice-bench" },
    trivial: { file: "bench/trivial/index.js", project: "flowservice-bench-trivial" },
    plugin: { project: "flowservice-bench-plugin" },
  },
  pipeline: {
    flowservice: { file: "bench/pipeline/index.js", project: "flowservice-bench-pipeline" },
    trivial: { file: "bench/trivial/pipeline.js", project: "flowservice-bench-trivial-pipeline" },
  },
};

let yamlHostPath: string[] | undefined;
/** PATH for the plugin door: the YAML language host (scripts/hosts.sh, built once) before the engine. */
function pluginPath(): string {
  yamlHostPath ??= ensureHosts("yaml");
  return [...yamlHostPath, ensureEngine(), process.env.PATH].join(path.delimiter);
}

export class BenchStack {
  readonly dir: string;
  readonly stack: string;
  readonly project: string;
  private version = 1;
  /** The body of the last PATCH this stack's provider sent, as logged (secrets redacted). */
  lastPatchBody?: unknown[];
  private overrides: Record<number, string> = {};
  private seq = 0;
  /** Environment of every command of this stack (the YAML host on PATH for the plugin door). */
  private readonly env: Record<string, string> = {};

  constructor(
    readonly ws: Workspace,
    readonly kind: Kind,
    readonly n: number,
    readonly emulator: WatchedEmulator,
    name = `${kind}-${n}`,
    readonly shape: Shape = "connections",
  ) {
    const program = PROGRAMS[shape][kind];
    if (!program) throw new Error(`no ${kind} program for the ${shape} scenario`);
    this.stack = `bench-${name}`;
    this.project = program.project;
    this.dir = path.join(ws.root, name);
    fs.mkdirSync(this.dir);
    if (program.file) {
      fs.copyFileSync(path.join(REPO, program.file), path.join(this.dir, "index.js"));
      fs.writeFileSync(path.join(this.dir, "Pulumi.yaml"), `name: ${this.project}\nruntime: nodejs\n`);
      fs.writeFileSync(path.join(this.dir, "package.json"), `{"name":"${this.project}","private":true}\n`);
      // The program reaches pulumi-flowservice and @pulumi/pulumi through the repository's node_modules.
      fs.symlinkSync(path.join(REPO, "node_modules"), path.join(this.dir, "node_modules"));
    } else this.env = { PATH: pluginPath() };
    this.writeSpec();
  }

  private writeSpec(): void {
    const spec = { n: this.n, version: `v${this.version}`, overrides: this.overrides };
    if (this.kind === "plugin")
      fs.writeFileSync(path.join(this.dir, "Pulumi.yaml"), pluginProgramYaml(this.project, path.join(REPO, "bin"), spec));
    else fs.writeFileSync(path.join(this.dir, "bench.json"), JSON.stringify(spec));
  }

  rotateOne(): void {
    this.overrides = { ...this.overrides, 0: `v${this.version}-one${++this.seq}` };
    this.writeSpec();
  }

  rotateAll(): void {
    this.version++;
    this.overrides = {};
    this.writeSpec();
  }

  /** How progress lines name this stack's size. */
  get label(): string {
    return this.shape === "pipeline" ? `pipelines=${this.n}` : `N=${this.n}`;
  }

  async init(extraConfig: Record<string, string> = {}): Promise<void> {
    await this.cli(["stack", "init", this.stack]);
    await this.cli(flowConfigArgs(this.emulator.url, DEMO, extraConfig));
  }

  /** A CLI command whose cost is not measured; throws on failure. */
  async cli(args: string[], env: Record<string, string> = {}): Promise<string> {
    const r = await runCli(this.ws, this.dir, args, { ...this.env, ...env });
    if (r.code !== 0) throw new Error(`pulumi ${args[0]} (${this.kind}, ${this.label}) exited ${r.code}\n${tail(r.stdout + r.stderr)}`);
    return r.stdout;
  }

  /** One measured command: wall time, requests, /proc usage, host probe. */
  async measure(args: string[], env: Record<string, string> = {}): Promise<OpRun> {
    await this.emulator.clearLog();
    const probeDir = fs.mkdtempSync(path.join(this.ws.root, "probe-"));
    // Without a built probe (dist/ stale), measure without it rather than break every node process.
    const nodeOptions = [process.env.NODE_OPTIONS, fs.existsSync(PROBE) ? `--require ${PROBE}` : ""].filter(Boolean).join(" ");
    const cpu0 = this.emulator.cpuSeconds();
    const r = await runCli(
      this.ws,
      this.dir,
      args,
      { ...this.env, ...env, NODE_OPTIONS: nodeOptions, FLOWSERVICE_BENCH_PROBE_DIR: probeDir },
      true,
    );
    const cpu1 = this.emulator.cpuSeconds();
    if (r.code !== 0)
      throw new Error(`pulumi ${args.join(" ")} (${this.kind}, ${this.label}) exited ${r.code}\n${tail(r.stdout + r.stderr)}`);
    const entries = await this.emulator.log();
    const patch = entries.find((e) => e.method === "PATCH" && Array.isArray(e.body));
    if (patch) this.lastPatchBody = patch.body as unknown[];
    return {
      wallMs: Math.round(r.wallMs),
      ...countRequests(entries),
      ...this.emulator.inFlight(entries),
      proc: r.proc as ProcUsage,
      emulatorCpuSeconds: cpu0 !== undefined && cpu1 !== undefined ? round2(cpu1 - cpu0) : undefined,
      host: readProbe(probeDir),
    };
  }

  async state(): Promise<StateFacts> {
    const exported = JSON.parse(await this.cli(["stack", "export"])) as {
      deployment: { resources: Array<{ type: string; inputs?: { __provider?: string }; outputs?: { __provider?: string } }> };
    };
    // The program's own resources: everything but the stack and the default providers (pulumi:…).
    const resources = exported.deployment.resources.filter((r) => !String(r.type).startsWith("pulumi:"));
    const providers = resources.map((r) => String(r.inputs?.__provider ?? ""));
    const checkpoint = findFile(path.join(this.ws.stateDir, ".pulumi", "stacks"), new RegExp(`^${this.stack}\\.json(\\.gz|\\.zst)?$`));
    const checkpointBytes = checkpoint ? fs.statSync(checkpoint).size : 0;
    return {
      providerBytes: [...new Set(providers.map((p) => Buffer.byteLength(p)))],
      providerDistinct: new Set(providers).size,
      providerInputsEqualOutputs: resources.every((r) => r.inputs?.__provider === r.outputs?.__provider),
      resourceBytesMean: Math.round(mean(resources.map((r) => Buffer.byteLength(JSON.stringify(r))))),
      checkpointBytes,
      checkpointBytesPerResource: Math.round(checkpointBytes / Math.max(1, resources.length)),
    };
  }
}

function findFile(dir: string, name: RegExp): string | undefined {
  if (!fs.existsSync(dir)) return undefined;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const found = findFile(p, name);
      if (found) return found;
    } else if (name.test(e.name)) return p;
  }
  return undefined;
}

const tail = (s: string, lines = 40) => s.split("\n").slice(-lines).join("\n");

export interface CliRun extends RunResult {
  wallMs: number;
  proc?: ProcUsage;
}

/** tools/pulumiCli.ts runPulumi, timed, with /proc sampled under the command's pid when `sample`. */
export async function runCli(ws: Workspace, cwd: string, args: string[], env: Record<string, string>, sample = false): Promise<CliRun> {
  const started = performance.now();
  let sampler: ProcSampler | undefined;
  const onSpawn = (child: ChildProcess) => {
    if (!sample || !child.pid) return;
    sampler = new ProcSampler(child.pid, 100);
    sampler.start();
    // One last sample as the command exits, before its children are gone.
    child.on("exit", () => sampler?.sample());
  };
  try {
    const r = await runPulumi(ws, cwd, args, { env, onSpawn });
    return { ...r, wallMs: performance.now() - started, proc: sampler?.stop() };
  } finally {
    sampler?.stop();
  }
}
