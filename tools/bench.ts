// `npm run bench [-- --n 10,50,200 --repeats 3 --concurrency-n 50 --out bench/results]`
//
// Drives the real `pulumi` CLI (tools/pulumiCli.ts) against the Flow Service emulator and measures,
// for N connections: wall time, Flow Service and token requests (the emulator's request log), the
// most requests in flight at the emulator, the serialized `__provider` and state size per
// connection (`pulumi stack export`), and peak memory and CPU of the dynamic-provider host (/proc),
// for the first `up`, a no-change `preview` and `up`, rotating one secret and all N, `refresh` and
// `destroy`. The same operations run on a trivial dynamic provider that makes no request (the
// engine's floor, bench/trivial), the same PATCHes are sent by a plain script and through the
// provider's own functions in process (tools/benchWire.ts), and the provider host's calls are timed
// from inside (tools/benchProbe.ts). Prints one table and writes bench/results/latest.{json,md}.
// See docs/benchmark.md for what each figure means.
import { ChildProcess, spawn } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";
import { cpuSecondsOf, ProcSampler, ProcUsage } from "./benchProc";
import { InProcessResult, mean, median, providerInProcess, round2, WireResult, wireFloor } from "./benchWire";
import { EmulatorProcess, startEmulatorProcess } from "./emulatorProcess";
import { ensureEngine, flowConfigArgs, makeWorkspace, pulumiEnv, REPO, Workspace } from "./pulumiCli";

export const DEMO = {
  clientId: "flowservice-demo-client",
  clientSecret: "flowservice-demo-secret",
  orgId: "DEMO0000000000000000000@AdobeOrg",
  sandboxName: "prod",
};

/** The provider's default flowservice:maxConcurrency (provider/config.ts). */
export const DEFAULT_MAX_CONCURRENCY = 8;

export type Kind = "flowservice" | "trivial";

export const OPS = [
  "create",
  "preview",
  "up-nochange",
  "up-nochange-again",
  "rotate-one",
  "rotate-all",
  "up-nochange-after-rotate",
  "rotate-all-nocheckpoints",
  "refresh",
  "destroy",
] as const;
export type Op = (typeof OPS)[number];

export const OP_LABELS: Record<Op, string> = {
  create: "up: create N",
  preview: "preview, no change",
  "up-nochange": "up, no change (1st after create)",
  "up-nochange-again": "up, no change (again)",
  "rotate-one": "up: rotate 1 secret",
  "rotate-all": "up: rotate all N",
  "up-nochange-after-rotate": "up, no change (1st after rotate all)",
  "rotate-all-nocheckpoints": "up: rotate all N, SKIP_CHECKPOINTS",
  refresh: "refresh",
  destroy: "destroy",
};

export interface RpcStats {
  count: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  totalMs: number;
}

/** What the dynamic-provider host did during one command (tools/benchProbe.ts). */
export interface HostProbe {
  processes: number;
  rpc: Record<string, RpcStats>;
  http: RpcStats & { maxInFlight: number; byMethod: Record<string, RpcStats> };
}

export interface OpRun {
  wallMs: number;
  /** Flow Service requests (paths under /data/), by method, and their total. */
  flow: Record<string, number>;
  flowTotal: number;
  /** IMS token requests. */
  token: number;
  /** Most Flow Service requests in progress at the emulator at one time (ms resolution). */
  maxInFlight: number;
  /** Mean Flow Service requests in progress while at least one was: Σ handling time / busy time. */
  meanInFlight: number;
  /** Time during which at least one Flow Service request was in progress at the emulator, ms. */
  busyMs: number;
  proc: ProcUsage;
  emulatorCpuSeconds?: number;
  host?: HostProbe;
}

export interface OpResult extends OpRun {
  op: Op;
  /** Every repetition (rotate-all only has more than one); the fields above are the median run's. */
  runsMs: number[];
}

export interface StateFacts {
  /** UTF-8 bytes of the serialized provider, per resource (they are all the same when distinct === 1). */
  providerBytes: number[];
  providerDistinct: number;
  /** inputs.__provider and outputs.__provider are the same text. */
  providerInputsEqualOutputs: boolean;
  /** Mean bytes of one resource's entry in `pulumi stack export` (compact JSON). */
  resourceBytesMean: number;
  /** Size of the stack's checkpoint file and that divided by N. */
  checkpointBytes: number;
  checkpointBytesPerResource: number;
}

export interface ScenarioResult {
  kind: Kind;
  n: number;
  ops: Partial<Record<Op, OpResult>>;
  stateAfterCreate?: StateFacts;
  stateAfterRotate?: StateFacts;
}

export interface ConcurrencyRun {
  maxConcurrency: number | "default";
  parallel: number;
  delayMs: number;
  n: number;
  wallMs: number;
  patches: number;
  maxInFlight: number;
  meanInFlight: number;
  /** Time with at least one PATCH in progress at the emulator, ms. */
  busyMs: number;
  hostMaxInFlight?: number;
}

export interface NResult {
  n: number;
  ours: ScenarioResult;
  trivial: ScenarioResult;
  wire: WireResult;
  inProcess: InProcessResult;
  derived: Derived;
}

export interface Derived {
  /** ours / trivial wall time for each op (medians). */
  vsTrivial: Partial<Record<Op, number>>;
  /** ours rotate-all / wire floor (the whole `up` against sending its PATCHes alone). */
  rotateAllVsWire: number;
  /**
   * The provider's own added time per request, throughput view: N updates through the provider's
   * own functions in process (P) against the same N PATCHes from a plain script (W), same
   * concurrency, same emulator, no engine: (P − W) / N, and that / (W / N). Target ≤ 2.
   */
  ownAddedPerRequestMs: number;
  ownAddedVsWire: number;
  /** P / N (HTTP included) and P / W. */
  inProcessPerRequestMs: number;
  inProcessVsWire: number;
  /**
   * Latency view, inside the real `up` rotating all N (tools/benchProbe.ts in the provider host):
   * mean Update call of ours − mean Update call of the trivial provider − mean PATCH round trip
   * as the host saw it; compared with one PATCH sent alone on the wire (the engine hands the
   * provider about one update at a time). Target ≤ 2.
   */
  hostOwnAddedMs?: number;
  hostOwnAddedVsWire?: number;
  hostUpdateMs?: number;
  hostUpdateTrivialMs?: number;
  hostPatchMs?: number;
  /** Informative, noise-bound: (ours − trivial) rotate-all wall / N, ms, its ratio to the wire floor, and the spread of paired runs. */
  e2eAddedPerRequestMs: number;
  e2eAddedVsWire: number;
  e2eAddedRangeMs: [number, number];
}

export interface Target {
  name: string;
  ok: boolean;
  detail: string;
}

export interface BenchReport {
  createdAt: string;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGb: number;
    node: string;
    platform: string;
    pulumi: string;
    /** 1-minute load average when the run started and ended: other work on the machine skews times. */
    loadAverage: [number, number];
  };
  options: BenchOptions;
  results: NResult[];
  concurrency: ConcurrencyRun[];
  targets: Target[];
  durationSeconds: number;
}

export interface BenchOptions {
  ns: number[];
  /** Repetitions of rotate-all (both providers, interleaved) and of the wire and in-process floors. */
  repeats: number;
  /** N of the concurrency experiment; 0 skips it. */
  concurrencyN: number;
  /** Injected latency per PATCH in the concurrency experiment, ms. */
  concurrencyDelayMs: number;
  /** Where latest.json and latest.md go; undefined writes nothing. */
  outDir?: string;
  /** Also run "rotate all" with PULUMI_SKIP_CHECKPOINTS=true (the engine without per-step checkpoints). */
  engineVariants: boolean;
  log?: (line: string) => void;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  ns: [10, 50, 200],
  repeats: 3,
  concurrencyN: 50,
  concurrencyDelayMs: 200,
  outDir: path.join(REPO, "bench/results"),
  engineVariants: true,
};

// ---- the emulator, watched -------------------------------------------------------------------

interface LogEntry {
  seq: number;
  time: string;
  method: string;
  path: string;
  requestId: string;
  status: number | null;
  body: unknown;
}

class WatchedEmulator {
  /** request id → handling time in ms, from the emulator's per-request stdout lines. */
  private readonly durations = new Map<string, number>();
  private buffered = "";

  private constructor(readonly emu: EmulatorProcess) {
    emu.process.stdout?.on("data", (d: Buffer) => {
      this.buffered += String(d);
      const lines = this.buffered.split("\n");
      this.buffered = lines.pop() ?? "";
      for (const line of lines) {
        // METHOD PATH STATUS TIMEms REQUEST-ID
        const m = /^\S+ \S+ \d+ (\d+)ms (\S+)$/.exec(line.trim());
        if (m) this.durations.set(m[2], Number(m[1]));
      }
    });
  }

  static async start(): Promise<WatchedEmulator> {
    return new WatchedEmulator(await startEmulatorProcess());
  }

  get url(): string {
    return this.emu.url;
  }

  async control(method: string, route: string, body?: unknown): Promise<any> {
    const r = await fetch(`${this.url}/__emulator${route}`, {
      method,
      headers: body === undefined ? undefined : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`emulator ${method} ${route}: ${r.status} ${await r.text()}`);
    return r.json();
  }

  async clearLog(): Promise<void> {
    await this.control("DELETE", "/requests");
    this.durations.clear();
  }

  async log(): Promise<LogEntry[]> {
    // Lines are written when the reply is sent: give the last ones a moment to arrive.
    await new Promise((r) => setTimeout(r, 50));
    return ((await this.control("GET", "/requests")) as { items: LogEntry[] }).items;
  }

  /**
   * Flow Service requests in progress at the emulator, from [arrival, arrival + handling time]
   * (the log's arrival time and the per-request line's duration, both in whole ms): the most at
   * one time, the time with at least one, and the mean number while busy.
   */
  inFlight(entries: LogEntry[]): { maxInFlight: number; meanInFlight: number; busyMs: number } {
    const events: Array<[number, number]> = [];
    let total = 0;
    for (const e of entries) {
      if (!e.path.startsWith("/data/")) continue;
      const start = Date.parse(e.time);
      const ms = Math.max(this.durations.get(e.requestId) ?? 0, 0.5);
      total += ms;
      events.push([start, 1], [start + ms, -1]);
    }
    // Ends before starts at the same instant: a request answered in the same ms is not overlapping.
    events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let cur = 0;
    let max = 0;
    let busy = 0;
    let since = 0;
    for (const [t, d] of events) {
      if (cur === 0 && d > 0) since = t;
      cur += d;
      if (cur === 0) busy += t - since;
      max = Math.max(max, cur);
    }
    return { maxInFlight: max, meanInFlight: busy > 0 ? round2(total / busy) : 0, busyMs: Math.round(busy) };
  }

  cpuSeconds(): number | undefined {
    return this.emu.process.pid ? cpuSecondsOf(this.emu.process.pid) : undefined;
  }

  stop(): Promise<void> {
    return this.emu.stop();
  }
}

function countRequests(entries: LogEntry[]): { flow: Record<string, number>; flowTotal: number; token: number } {
  const flow: Record<string, number> = {};
  let token = 0;
  for (const e of entries) {
    if (e.path.startsWith("/ims/")) token++;
    else if (e.path.startsWith("/data/")) flow[e.method] = (flow[e.method] ?? 0) + 1;
  }
  return { flow, flowTotal: Object.values(flow).reduce((a, b) => a + b, 0), token };
}

// ---- one stack -------------------------------------------------------------------------------

const PROBE = path.join(REPO, "dist/tools/benchProbe.js");

class BenchStack {
  readonly dir: string;
  readonly stack: string;
  readonly project: string;
  private version = 1;
  /** The body of the last PATCH this stack's provider sent, as logged (secrets redacted). */
  lastPatchBody?: unknown[];
  private overrides: Record<number, string> = {};
  private seq = 0;

  constructor(
    readonly ws: Workspace,
    readonly kind: Kind,
    readonly n: number,
    readonly emulator: WatchedEmulator,
    name = `${kind}-${n}`,
  ) {
    this.stack = `bench-${name}`;
    this.project = kind === "flowservice" ? "flowservice-bench" : "flowservice-bench-trivial";
    this.dir = path.join(ws.root, name);
    fs.mkdirSync(this.dir);
    fs.copyFileSync(path.join(REPO, kind === "flowservice" ? "bench/program/index.js" : "bench/trivial/index.js"), path.join(this.dir, "index.js"));
    fs.writeFileSync(path.join(this.dir, "Pulumi.yaml"), `name: ${this.project}\nruntime: nodejs\n`);
    fs.writeFileSync(path.join(this.dir, "package.json"), `{"name":"${this.project}","private":true}\n`);
    // The program reaches pulumi-flowservice and @pulumi/pulumi through the repository's node_modules.
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(this.dir, "node_modules"));
    this.writeSpec();
  }

  private writeSpec(): void {
    fs.writeFileSync(path.join(this.dir, "bench.json"), JSON.stringify({ n: this.n, version: `v${this.version}`, overrides: this.overrides }));
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

  async init(extraConfig: Record<string, string> = {}): Promise<void> {
    await this.cli(["stack", "init", this.stack]);
    await this.cli(flowConfigArgs(this.emulator.url, DEMO, extraConfig));
  }

  /** A CLI command whose cost is not measured; throws on failure. */
  async cli(args: string[], env: Record<string, string> = {}): Promise<string> {
    const r = await runCli(this.ws, this.dir, args, env);
    if (r.code !== 0) throw new Error(`pulumi ${args[0]} (${this.kind}, N=${this.n}) exited ${r.code}\n${tail(r.stdout + r.stderr)}`);
    return r.stdout;
  }

  /** One measured command: wall time, requests, /proc usage, host probe. */
  async measure(args: string[], env: Record<string, string> = {}): Promise<OpRun> {
    await this.emulator.clearLog();
    const probeDir = fs.mkdtempSync(path.join(this.ws.root, "probe-"));
    // Without a built probe (dist/ stale), measure without it rather than break every node process.
    const nodeOptions = [process.env.NODE_OPTIONS, fs.existsSync(PROBE) ? `--require ${PROBE}` : ""].filter(Boolean).join(" ");
    const cpu0 = this.emulator.cpuSeconds();
    const r = await runCli(this.ws, this.dir, args, { ...env, NODE_OPTIONS: nodeOptions, FLOWSERVICE_BENCH_PROBE_DIR: probeDir }, true);
    const cpu1 = this.emulator.cpuSeconds();
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} (${this.kind}, N=${this.n}) exited ${r.code}\n${tail(r.stdout + r.stderr)}`);
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
    const exported = JSON.parse(await this.cli(["stack", "export"])) as { deployment: { resources: Array<Record<string, any>> } };
    const resources = exported.deployment.resources.filter((r) => String(r.type).endsWith(":Connection"));
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

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  wallMs: number;
  proc?: ProcUsage;
}

/** Like tools/pulumiCli.ts runPulumi, but keeps the child's pid so /proc can be sampled under it. */
function runCli(ws: Workspace, cwd: string, args: string[], env: Record<string, string>, sample = false): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child: ChildProcess = spawn("pulumi", [...args, "--non-interactive", "--color", "never"], { cwd, env: pulumiEnv(ws, env) });
    const sampler = sample && child.pid ? new ProcSampler(child.pid, 100) : undefined;
    sampler?.start();
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d) => (stdout += d));
    child.stderr?.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("exit", () => sampler?.sample());
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr, wallMs: performance.now() - started, proc: sampler?.stop() }));
  });
}

function stats(xs: number[]): RpcStats {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : 0);
  return {
    count: s.length,
    meanMs: round2(mean(s) || 0),
    p50Ms: round2(q(0.5)),
    p95Ms: round2(q(0.95)),
    maxMs: round2(s.length ? s[s.length - 1] : 0),
    totalMs: round2(s.reduce((a, b) => a + b, 0)),
  };
}

function readProbe(dir: string): HostProbe | undefined {
  const files = fs.readdirSync(dir).filter((f) => f.startsWith("host-"));
  if (files.length === 0) return undefined;
  const rpc: Record<string, number[]> = {};
  const http: Array<{ at: number; ms: number; method: string }> = [];
  for (const f of files) {
    for (const line of fs.readFileSync(path.join(dir, f), "utf8").split("\n")) {
      if (!line) continue;
      const e = JSON.parse(line) as { kind: string; method?: string; at: number; ms: number };
      if (e.kind === "rpc") (rpc[e.method as string] ??= []).push(e.ms);
      else if (e.kind === "http") http.push({ at: e.at, ms: e.ms, method: String(e.method) });
    }
  }
  const events = http.flatMap((h) => [[h.at, 1] as const, [h.at + h.ms, -1] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0;
  let maxInFlight = 0;
  for (const [, d] of events) maxInFlight = Math.max(maxInFlight, (cur += d));
  return {
    processes: files.length,
    rpc: Object.fromEntries(Object.entries(rpc).map(([k, v]) => [k, stats(v)])),
    http: {
      ...stats(http.map((h) => h.ms)),
      maxInFlight,
      byMethod: Object.fromEntries([...new Set(http.map((h) => h.method))].map((m) => [m, stats(http.filter((h) => h.method === m).map((h) => h.ms))])),
    },
  };
}

// ---- the benchmark ---------------------------------------------------------------------------

const UP = ["up", "--yes", "--skip-preview"];

async function runPair(
  ours: BenchStack,
  trivial: BenchStack,
  op: Op,
  results: { ours: ScenarioResult; trivial: ScenarioResult },
  log: (s: string) => void,
  repeats = 1,
): Promise<void> {
  const args: Record<Op, string[]> = {
    create: UP,
    preview: ["preview"],
    "up-nochange": UP,
    "up-nochange-again": UP,
    "rotate-one": UP,
    "rotate-all": UP,
    "up-nochange-after-rotate": UP,
    "rotate-all-nocheckpoints": UP,
    refresh: ["refresh", "--yes", "--skip-preview"],
    destroy: ["destroy", "--yes", "--skip-preview"],
  };
  const env: Record<string, string> = op === "rotate-all-nocheckpoints" ? { PULUMI_SKIP_CHECKPOINTS: "true" } : {};
  const runs: Record<Kind, OpRun[]> = { flowservice: [], trivial: [] };
  for (let rep = 0; rep < repeats; rep++) {
    // Interleaved, so a slow minute of the machine hits both providers alike.
    for (const s of [ours, trivial]) {
      if (op === "rotate-one") s.rotateOne();
      if (op === "rotate-all" || op === "rotate-all-nocheckpoints") s.rotateAll();
      const run = await s.measure(args[op], env);
      runs[s.kind].push(run);
      log(
        `  N=${s.n} ${s.kind.padEnd(11)} ${OP_LABELS[op].padEnd(36)} ${(run.wallMs / 1000).toFixed(2).padStart(7)} s  ` +
          `flow ${String(run.flowTotal).padStart(4)}  token ${run.token}  in-flight ${run.maxInFlight}  host ${mb(run.proc.providerHost.peakRssBytes)} MB`,
      );
    }
  }
  for (const s of [ours, trivial]) {
    const rs = runs[s.kind];
    const walls = rs.map((r) => r.wallMs);
    const m = median(walls);
    const chosen = rs[walls.indexOf(m)];
    (s.kind === "flowservice" ? results.ours : results.trivial).ops[op] = { op, ...chosen, runsMs: walls };
  }
}

const mb = (b: number) => (b / 1048576).toFixed(0);

async function runN(ws: Workspace, emulator: WatchedEmulator, n: number, opts: BenchOptions, log: (s: string) => void): Promise<NResult> {
  const ours = new BenchStack(ws, "flowservice", n, emulator);
  const trivial = new BenchStack(ws, "trivial", n, emulator);
  await ours.init();
  await trivial.init();
  const results = { ours: { kind: "flowservice", n, ops: {} } as ScenarioResult, trivial: { kind: "trivial", n, ops: {} } as ScenarioResult };

  await runPair(ours, trivial, "create", results, log);
  results.ours.stateAfterCreate = await ours.state();
  results.trivial.stateAfterCreate = await trivial.state();
  await runPair(ours, trivial, "preview", results, log);
  await runPair(ours, trivial, "up-nochange", results, log);
  await runPair(ours, trivial, "up-nochange-again", results, log);
  await runPair(ours, trivial, "rotate-one", results, log);
  await runPair(ours, trivial, "rotate-all", results, log, opts.repeats);
  const patchBody = ours.lastPatchBody;
  results.ours.stateAfterRotate = await ours.state();
  results.trivial.stateAfterRotate = await trivial.state();
  await runPair(ours, trivial, "up-nochange-after-rotate", results, log);
  if (opts.engineVariants) await runPair(ours, trivial, "rotate-all-nocheckpoints", results, log);
  await runPair(ours, trivial, "refresh", results, log);
  await runPair(ours, trivial, "destroy", results, log);
  await ours.cli(["stack", "rm", "--yes"]);
  await trivial.cli(["stack", "rm", "--yes"]);

  // The floors without the engine, on an idle machine (no pulumi process running).
  if (!patchBody) throw new Error(`N=${n}: no PATCH body was logged for "rotate all"`);
  const template = patchBody;
  const wire = await wireFloor(emulator.url, DEMO, n, DEFAULT_MAX_CONCURRENCY, opts.repeats, template);
  log(`  N=${n} wire floor: ${n} PATCHes at concurrency ${wire.concurrency} in ${wire.ms.toFixed(1)} ms (${wire.perRequestMs} ms each; runs ${wire.runsMs.join(", ")}); one at a time ${wire.serialLatencyMs} ms each`);
  const config = {
    "flowservice:endpoint": `${emulator.url}/data/foundation/flowservice`,
    "flowservice:imsEndpoint": `${emulator.url}/ims/token/v3`,
    "flowservice:clientId": DEMO.clientId,
    "flowservice:clientSecret": DEMO.clientSecret,
    "flowservice:orgId": DEMO.orgId,
    "flowservice:sandboxName": DEMO.sandboxName,
  };
  const count = async () => ((await emulator.control("GET", "/stats")) as { patch: number }).patch;
  const inProcess = await providerInProcess(config, n, opts.repeats, count);
  log(`  N=${n} provider in process: ${n} updates in ${inProcess.updateMs.toFixed(1)} ms (${inProcess.perUpdateMs} ms each), creates ${inProcess.createMs.toFixed(0)} ms, deletes ${inProcess.deleteMs.toFixed(0)} ms`);

  return { n, ...results, wire, inProcess, derived: derive(results.ours, results.trivial, wire, inProcess) };
}

function derive(ours: ScenarioResult, trivial: ScenarioResult, wire: WireResult, inProcess: InProcessResult): Derived {
  const n = ours.n;
  const vsTrivial: Partial<Record<Op, number>> = {};
  for (const op of OPS) {
    const a = ours.ops[op];
    const b = trivial.ops[op];
    if (a && b) vsTrivial[op] = round2(median(a.runsMs) / median(b.runsMs));
  }
  const oRot = ours.ops["rotate-all"] as OpResult;
  const tRot = trivial.ops["rotate-all"] as OpResult;
  const diffs = oRot.runsMs.map((o, i) => (o - (tRot.runsMs[i] ?? median(tRot.runsMs))) / n);
  const added = (median(oRot.runsMs) - median(tRot.runsMs)) / n;
  const hostUpdate = oRot.host?.rpc.update?.meanMs;
  const hostUpdateTrivial = tRot.host?.rpc.update?.meanMs;
  const hostPatch = oRot.host?.http.byMethod.PATCH?.meanMs;
  const hostOwn = hostUpdate !== undefined && hostUpdateTrivial !== undefined && hostPatch !== undefined ? round2(hostUpdate - hostUpdateTrivial - hostPatch) : undefined;
  const own = (inProcess.updateMs - wire.ms) / n;
  return {
    vsTrivial,
    rotateAllVsWire: round2(median(oRot.runsMs) / wire.ms),
    ownAddedPerRequestMs: round2(own),
    ownAddedVsWire: round2(own / wire.perRequestMs),
    inProcessPerRequestMs: inProcess.perUpdateMs,
    inProcessVsWire: round2(inProcess.updateMs / wire.ms),
    hostOwnAddedMs: hostOwn,
    hostOwnAddedVsWire: hostOwn !== undefined ? round2(hostOwn / wire.serialLatencyMs) : undefined,
    hostUpdateMs: hostUpdate,
    hostUpdateTrivialMs: hostUpdateTrivial,
    hostPatchMs: hostPatch,
    e2eAddedPerRequestMs: round2(added),
    e2eAddedVsWire: round2(added / wire.perRequestMs),
    e2eAddedRangeMs: [round2(Math.min(...diffs)), round2(Math.max(...diffs))],
  };
}

/**
 * flowservice:maxConcurrency: every PATCH is held `delayMs` by the emulator (a delay-then-apply
 * fault), the engine may run 32 resource operations at once (--parallel 32), and the most PATCHes
 * in flight at the emulator is recorded for the default and for maxConcurrency 4 and 1.
 */
async function runConcurrency(ws: Workspace, emulator: WatchedEmulator, opts: BenchOptions, log: (s: string) => void): Promise<ConcurrencyRun[]> {
  const n = opts.concurrencyN;
  const stack = new BenchStack(ws, "flowservice", n, emulator, `concurrency-${n}`);
  await stack.init();
  await stack.cli(UP);
  const out: ConcurrencyRun[] = [];
  const parallel = 32;
  try {
    for (const setting of ["default", 4, 1] as const) {
      if (setting === "default") await stack.cli(["config", "rm", "flowservice:maxConcurrency"]);
      else await stack.cli(["config", "set", "flowservice:maxConcurrency", String(setting)]);
      await emulator.control("DELETE", "/faults");
      await emulator.control("POST", "/faults", { method: "PATCH", path: "/connections/", action: "delay-then-apply", delayMs: opts.concurrencyDelayMs, times: n });
      stack.rotateAll();
      const run = await stack.measure([...UP, "--parallel", String(parallel)]);
      const r: ConcurrencyRun = {
        maxConcurrency: setting,
        parallel,
        delayMs: opts.concurrencyDelayMs,
        n,
        wallMs: run.wallMs,
        patches: run.flow.PATCH ?? 0,
        maxInFlight: run.maxInFlight,
        meanInFlight: run.meanInFlight,
        busyMs: run.busyMs,
        hostMaxInFlight: run.host?.http.maxInFlight,
      };
      out.push(r);
      log(
        `  concurrency: maxConcurrency=${setting} --parallel ${parallel}, ${n} PATCHes held ${r.delayMs} ms: ${(r.wallMs / 1000).toFixed(2)} s, ` +
          `PATCHes in progress ${(r.busyMs / 1000).toFixed(2)} s, max in flight ${r.maxInFlight} (host ${r.hostMaxInFlight}), mean ${r.meanInFlight}`,
      );
    }
  } finally {
    await emulator.control("DELETE", "/faults");
  }
  await stack.cli(["destroy", "--yes", "--skip-preview"]);
  await stack.cli(["stack", "rm", "--yes"]);
  return out;
}

export async function runBenchmark(partial: Partial<BenchOptions> = {}): Promise<BenchReport> {
  const opts: BenchOptions = { ...DEFAULT_OPTIONS, ...partial };
  const log = opts.log ?? ((s: string) => process.stderr.write(s + "\n"));
  const t0 = performance.now();
  const load0 = os.loadavg()[0];
  const engine = ensureEngine({ quiet: true });
  const ws = makeWorkspace("flowservice-bench-");
  let emulator: WatchedEmulator | undefined;
  let pulumiVersion = "";
  const results: NResult[] = [];
  let concurrency: ConcurrencyRun[] = [];
  try {
    pulumiVersion = (await runCli(ws, ws.root, ["version"], {})).stdout.trim();
    emulator = await WatchedEmulator.start();
    log(`benchmark: engine ${pulumiVersion} (${engine}), emulator ${emulator.url}, N = ${opts.ns.join(", ")}, workspace ${ws.root}`);
    for (const n of opts.ns) results.push(await runN(ws, emulator, n, opts, log));
    if (opts.concurrencyN > 0) concurrency = await runConcurrency(ws, emulator, opts, log);
  } finally {
    await emulator?.stop();
    fs.rmSync(ws.root, { recursive: true, force: true });
  }
  const report: BenchReport = {
    createdAt: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      memoryGb: Math.round(os.totalmem() / 1024 ** 3),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      pulumi: pulumiVersion,
      loadAverage: [round2(load0), round2(os.loadavg()[0])],
    },
    options: { ...opts, log: undefined },
    results,
    concurrency,
    targets: [],
    durationSeconds: Math.round((performance.now() - t0) / 1000),
  };
  report.targets = evaluateTargets(report);
  if (opts.outDir) writeReport(report, opts.outDir);
  return report;
}

// ---- targets ---------------------------------------------------------------------------------

export function evaluateTargets(report: BenchReport): Target[] {
  const t: Target[] = [];
  const add = (name: string, ok: boolean, detail: string) => t.push({ name, ok, detail });
  for (const r of report.results) {
    const o = r.ours.ops;
    const n = r.n;
    const at = `N=${n}`;
    for (const op of ["preview", "up-nochange", "up-nochange-again", "up-nochange-after-rotate"] as Op[]) {
      const x = o[op];
      if (x) add(`${at}: ${OP_LABELS[op]} makes no Flow Service request`, x.flowTotal === 0 && x.token === 0, `${x.flowTotal} Flow Service, ${x.token} token`);
    }
    const one = o["rotate-one"];
    // Each credential write is followed by one connection test (GET …/test, issue 11).
    if (one) add(`${at}: rotating 1 of N sends exactly 1 PATCH + 1 test, ≤1 token`, (one.flow.PATCH ?? 0) === 1 && (one.flow.GET ?? 0) === 1 && one.flowTotal === 2 && one.token <= 1, `${fmtFlow(one.flow)}, ${one.token} token`);
    const all = o["rotate-all"];
    if (all) add(`${at}: rotating all N sends exactly N PATCHes + N tests, ≤1 token`, (all.flow.PATCH ?? 0) === n && (all.flow.GET ?? 0) === n && all.flowTotal === 2 * n && all.token <= 1, `${fmtFlow(all.flow)}, ${all.token} token`);
    const maxToken = Math.max(...OPS.map((op) => o[op]?.token ?? 0));
    add(`${at}: every command makes ≤1 token request`, maxToken <= 1, `max ${maxToken}`);
    const s = r.ours.stateAfterRotate ?? r.ours.stateAfterCreate;
    if (s) {
      const bytes = Math.max(...s.providerBytes);
      add(`${at}: __provider is the same text for every resource and < 4 KB`, s.providerDistinct === 1 && bytes < 4096 && s.providerInputsEqualOutputs, `${s.providerDistinct} distinct, ${bytes} B`);
    }
  }
  const big = report.results[report.results.length - 1];
  if (big) {
    const ratio = big.derived.vsTrivial["rotate-all"] ?? NaN;
    add(`N=${big.n}: up rotating all within 1.25× the trivial-provider floor`, ratio <= 1.25, `${ratio}× (${fmtS(big.ours.ops["rotate-all"])} vs ${fmtS(big.trivial.ops["rotate-all"])})`);
    const d = big.derived;
    add(
      `N=${big.n}: provider's own added time per request within 2× the wire floor (throughput, in process)`,
      d.ownAddedVsWire <= 2,
      `(${big.inProcess.updateMs.toFixed(1)} − ${big.wire.ms.toFixed(1)} ms) / ${big.n} = ${d.ownAddedPerRequestMs} ms vs ${big.wire.perRequestMs} ms = ${d.ownAddedVsWire}× (provider ${d.inProcessPerRequestMs} ms/request HTTP included = ${d.inProcessVsWire}× the wire)`,
    );
    if (d.hostOwnAddedMs !== undefined) {
      add(
        `N=${big.n}: provider's own added time per request within 2× the wire floor (latency, in the host during up)`,
        (d.hostOwnAddedVsWire ?? Infinity) <= 2,
        `Update call ${d.hostUpdateMs} − trivial ${d.hostUpdateTrivialMs} − PATCH ${d.hostPatchMs} = ${d.hostOwnAddedMs} ms vs one PATCH alone ${big.wire.serialLatencyMs} ms = ${d.hostOwnAddedVsWire}×`,
      );
    }
  }
  // Growth with N. Per connection, what the provider itself costs must not grow; whole commands
  // must grow no faster than the same commands on the trivial provider (the engine's own growth).
  if (report.results.length >= 2) {
    const rs = report.results;
    const a = rs[rs.length - 2];
    const b = rs[rs.length - 1];
    const span = `N=${a.n} → ${b.n}`;
    const perConn = (r: NResult, op: Op) => (r.ours.ops[op]?.flowTotal ?? 0) / r.n;
    const reqOk = OPS.every((op) => rs.every((r) => perConn(r, op) === perConn(rs[0], op)) || op === "rotate-one");
    add(`linear: Flow Service requests per connection are the same at every N (rotate-one: 1)`, reqOk, OPS.filter((op) => op !== "rotate-one").map((op) => `${op} ${perConn(b, op)}`).join(", "));
    const st = (r: NResult) => r.ours.stateAfterRotate?.resourceBytesMean ?? 0;
    add(`linear: state bytes per connection`, st(b) <= st(rs[0]) * 1.1, rs.map((r) => `${st(r)}`).join(" → ") + " B");
    const rss = (r: NResult) => r.ours.ops["rotate-all"]?.proc.providerHost.peakRssBytes ?? 0;
    const rssPerConn = (rss(b) - rss(rs[0])) / (b.n - rs[0].n);
    add(`linear: provider host peak RSS grows < 100 KB per connection`, rssPerConn < 100 * 1024, rs.map((r) => mb(rss(r))).join(" → ") + ` MB (${Math.round(rssPerConn / 1024)} KB/connection)`);
    for (const [op, rpc] of [["create", "create"], ["rotate-all", "update"], ["refresh", "read"], ["destroy", "delete"]] as Array<[Op, string]>) {
      const x = a.ours.ops[op]?.host?.rpc[rpc]?.meanMs;
      const y = b.ours.ops[op]?.host?.rpc[rpc]?.meanMs;
      if (x !== undefined && y !== undefined) add(`linear: provider time per ${rpc} call does not grow (${span})`, y <= Math.max(2 * x, x + 2), `${x} → ${y} ms`);
    }
    const exp = (r1: NResult, r2: NResult, kind: "ours" | "trivial", op: Op) => {
      const x = r1[kind].ops[op];
      const y = r2[kind].ops[op];
      return x && y ? Math.log(median(y.runsMs) / median(x.runsMs)) / Math.log(r2.n / r1.n) : NaN;
    };
    for (const op of OPS) {
      const eo = exp(a, b, "ours", op);
      const et = exp(a, b, "trivial", op);
      if (Number.isNaN(eo) || Number.isNaN(et)) continue;
      const ratio = b.derived.vsTrivial[op] ?? NaN;
      add(
        `linear: ${OP_LABELS[op]} grows no faster than on the trivial provider (${span})`,
        !(eo - et > 0.25 && ratio > 1.25),
        `time ∝ N^${round2(eo)} vs N^${round2(et)} on the trivial provider; ${ratio}× at N=${b.n}`,
      );
    }
    const et = exp(a, b, "trivial", "rotate-all");
    add(`engine floor, not the provider (informative): trivial-provider rotate all grows at most linearly (${span})`, et <= 1.1, `time ∝ N^${round2(et)}`);
  }
  for (const c of report.concurrency) {
    const limit = c.maxConcurrency === "default" ? DEFAULT_MAX_CONCURRENCY : c.maxConcurrency;
    add(
      `maxConcurrency=${c.maxConcurrency} (engine --parallel ${c.parallel}): ≤ ${limit} PATCHes in flight`,
      c.maxInFlight <= limit && c.patches === c.n,
      `max ${c.maxInFlight} in flight (mean ${c.meanInFlight}), ${c.patches} PATCHes in progress for ${(c.busyMs / 1000).toFixed(2)} s, up ${(c.wallMs / 1000).toFixed(2)} s`,
    );
  }
  return t;
}

const fmtS = (o?: OpResult) => (o ? `${(median(o.runsMs) / 1000).toFixed(2)} s` : "?");

const fmtFlow = (f: Record<string, number>) =>
  Object.keys(f).length === 0 ? "0" : Object.entries(f).map(([m, c]) => `${c} ${m}`).join(" + ");

// ---- output ----------------------------------------------------------------------------------

interface Row {
  cells: string[];
}

const HEADER = [
  "N",
  "operation",
  "wall s",
  "ms/conn",
  "trivial s",
  "× trivial",
  "Flow Service requests",
  "token",
  "max in flight",
  "host RSS MB",
  "host CPU s",
  "engine CPU s",
];

function rows(report: BenchReport): Row[] {
  const out: Row[] = [];
  const s = (ms: number) => (ms / 1000).toFixed(2);
  for (const r of report.results) {
    for (const op of OPS) {
      const o = r.ours.ops[op];
      const t = r.trivial.ops[op];
      if (!o) continue;
      const wall = median(o.runsMs);
      const twall = t ? median(t.runsMs) : NaN;
      const reps = o.runsMs.length > 1 ? ` (median of ${o.runsMs.length})` : "";
      out.push({
        cells: [
          String(r.n),
          OP_LABELS[op] + reps,
          s(wall),
          (wall / r.n).toFixed(1),
          t ? s(twall) : "",
          t ? (wall / twall).toFixed(2) : "",
          fmtFlow(o.flow),
          String(o.token),
          String(o.maxInFlight),
          mb(o.proc.providerHost.peakRssBytes),
          o.proc.providerHost.cpuSeconds.toFixed(2),
          o.proc.engine.cpuSeconds.toFixed(2),
        ],
      });
    }
  }
  return out;
}

function summaryLines(report: BenchReport): string[] {
  const lines: string[] = [];
  for (const r of report.results) {
    const st = r.ours.stateAfterRotate ?? r.ours.stateAfterCreate;
    const tst = r.trivial.stateAfterRotate ?? r.trivial.stateAfterCreate;
    const d = r.derived;
    lines.push(
      `N=${r.n}: __provider ${st ? Math.max(...st.providerBytes) : "?"} B, ${st?.providerDistinct} distinct text(s) across ${r.n} resources` +
        ` (trivial: ${tst ? Math.max(...tst.providerBytes) : "?"} B); state ${st?.resourceBytesMean} B/connection in export, checkpoint ${st?.checkpointBytesPerResource} B/connection` +
        ` (trivial ${tst?.resourceBytesMean} / ${tst?.checkpointBytesPerResource})`,
    );
    lines.push(
      `N=${r.n}: up rotating all = ${d.vsTrivial["rotate-all"]}× the trivial-provider floor and ${d.rotateAllVsWire}× the wire floor` +
        ` (${r.n} PATCHes by a plain script: ${r.wire.ms.toFixed(1)} ms at concurrency ${r.wire.concurrency} = ${r.wire.perRequestMs} ms/request; one at a time ${r.wire.serialLatencyMs} ms)`,
    );
    lines.push(
      `N=${r.n}: provider's own added time per request: in process ${d.ownAddedPerRequestMs} ms = ${d.ownAddedVsWire}× the wire floor` +
        ` (provider ${r.inProcess.updateMs.toFixed(1)} ms for ${r.n} updates, HTTP included = ${d.inProcessVsWire}× the wire);` +
        ` in the host during up ${d.hostOwnAddedMs} ms = ${d.hostOwnAddedVsWire}× one PATCH alone` +
        ` (Update call ${d.hostUpdateMs} ms − trivial provider's ${d.hostUpdateTrivialMs} ms − PATCH round trip ${d.hostPatchMs} ms);` +
        ` end to end (ours − trivial) / N ${d.e2eAddedPerRequestMs} ms (paired runs ${d.e2eAddedRangeMs[0]}..${d.e2eAddedRangeMs[1]}: noise)`,
    );
  }
  for (const c of report.concurrency) {
    lines.push(
      `maxConcurrency=${c.maxConcurrency}, --parallel ${c.parallel}, ${c.n} PATCHes held ${c.delayMs} ms each: up ${(c.wallMs / 1000).toFixed(2)} s, PATCHes in progress for ${(c.busyMs / 1000).toFixed(2)} s,` +
        ` max ${c.maxInFlight} in flight at the emulator (${c.hostMaxInFlight} in the host), mean ${c.meanInFlight} while busy`,
    );
  }
  return lines;
}

export function formatText(report: BenchReport): string {
  const rs = rows(report);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rs.map((r) => r.cells[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i <= 1 || i === 6 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  const out = [line(HEADER), widths.map((w) => "-".repeat(w)).join("  ")];
  let lastN = "";
  for (const r of rs) {
    if (lastN && r.cells[0] !== lastN) out.push("");
    lastN = r.cells[0];
    out.push(line(r.cells));
  }
  out.push("", ...summaryLines(report), "", "Targets:");
  for (const t of report.targets) out.push(`  ${t.ok ? "PASS" : "MISS"}  ${t.name}: ${t.detail}`);
  return out.join("\n");
}

export function formatMarkdown(report: BenchReport): string {
  const m = report.machine;
  const out = [
    `Benchmark run ${report.createdAt} on ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, ${m.platform}, Node ${m.node}, pulumi ${m.pulumi}` +
      ` (${report.durationSeconds} s in all; load average ${m.loadAverage[0]} at the start, ${m.loadAverage[1]} at the end). Wall times are medians where repeated; "× trivial" is against the trivial dynamic provider's same operation.`,
    "",
    `| ${HEADER.join(" | ")} |`,
    `|${HEADER.map((_, i) => (i <= 1 || i === 6 ? "---" : "---:")).join("|")}|`,
    ...rows(report).map((r) => `| ${r.cells.join(" | ")} |`),
    "",
    ...summaryLines(report).map((l) => `- ${l}`),
    "",
    "| target | result | measured |",
    "|---|---|---|",
    ...report.targets.map((t) => `| ${t.name} | ${t.ok ? "pass" : "**miss**"} | ${t.detail} |`),
    "",
  ];
  return out.join("\n");
}

function writeReport(report: BenchReport, outDir: string): void {
  fs.mkdirSync(outDir, { recursive: true });
  const write = (name: string, text: string) => {
    const tmp = path.join(outDir, `${name}.tmp`);
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, path.join(outDir, name));
  };
  write("latest.json", JSON.stringify(report, null, 2) + "\n");
  write("latest.md", formatMarkdown(report));
}

// ---- command line ----------------------------------------------------------------------------

function parseArgs(argv: string[]): Partial<BenchOptions> {
  const o: Partial<BenchOptions> = {};
  const list = (v: string) => v.split(",").map((x) => Number(x.trim()));
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case "--n":
        o.ns = list(value());
        if (o.ns.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--n takes positive whole numbers, e.g. --n 10,50,200`);
        break;
      case "--repeats":
        o.repeats = Number(value());
        if (!Number.isInteger(o.repeats) || o.repeats < 1) throw new Error("--repeats takes a positive whole number");
        break;
      case "--concurrency-n":
        o.concurrencyN = Number(value());
        if (!Number.isInteger(o.concurrencyN) || o.concurrencyN < 0) throw new Error("--concurrency-n takes a whole number (0 skips the experiment)");
        break;
      case "--concurrency-delay-ms":
        o.concurrencyDelayMs = Number(value());
        break;
      case "--out":
        o.outDir = path.resolve(value());
        break;
      case "--no-write":
        o.outDir = undefined;
        break;
      case "--no-engine-variants":
        o.engineVariants = false;
        break;
      case "--help":
      case "-h":
        process.stdout.write(
          "usage: npm run bench -- [--n 10,50,200] [--repeats 3] [--concurrency-n 50] [--concurrency-delay-ms 100]\n" +
            "                        [--out bench/results | --no-write] [--no-engine-variants]\n",
        );
        process.exit(0);
      // eslint-disable-next-line no-fallthrough
      default:
        throw new Error(`unknown argument ${argv[i]} (see --help)`);
    }
  }
  return o;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const report = await runBenchmark(opts);
  process.stdout.write("\n" + formatText(report) + "\n");
  if (report.options.outDir) process.stdout.write(`\nwritten: ${path.relative(process.cwd(), path.join(report.options.outDir, "latest.json"))}, latest.md\n`);
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`\nnpm run bench failed: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
