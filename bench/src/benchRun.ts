// The benchmark itself: for each N, every operation on both providers (interleaved), then the
// floors without the engine; then the pipeline scenario; then the concurrency experiment; then
// the report.
import fs from "node:fs";
import os from "node:os";
import { WatchedEmulator } from "./benchEmulator";
import { mb, writeReport } from "./benchFormat";
import { BenchStack } from "./benchStack";
import { derive, evaluateTargets, vsTrivial } from "./benchTargets";
import {
  BenchOptions,
  BenchReport,
  ConcurrencyRun,
  DEFAULT_MAX_CONCURRENCY,
  DEFAULT_OPTIONS,
  Kind,
  NResult,
  Op,
  OP_LABELS,
  OpRun,
  PIPELINE_OPS,
  PipelineResult,
  PLUGIN_OPS,
  RESOURCES_PER_PIPELINE,
  ScenarioResult,
} from "./benchTypes";
import { median, providerInProcess, round2, StatsCount, wireFloor } from "./benchWire";
import { DEMO } from "../../tools/demo";
import { ensureEngine, flowConfig, makeWorkspace, runPulumi, Workspace } from "../../tools/pulumiCli";

/** The sandbox of the plugin door's stack (the dynamic stacks use the default, prod). */
export const PLUGIN_SANDBOX = "dev";

const UP = ["up", "--yes", "--skip-preview"];
const REFRESH = ["refresh", "--yes", "--skip-preview"];

const ARGS: Record<Op, string[]> = {
  create: UP,
  preview: ["preview"],
  "up-nochange": UP,
  "up-nochange-again": UP,
  "rotate-one": UP,
  "rotate-all": UP,
  "up-nochange-after-rotate": UP,
  "rotate-all-nocheckpoints": UP,
  refresh: REFRESH,
  // The same refresh with every list request refused: the provider's fallback to one GET each.
  "refresh-single": REFRESH,
  destroy: ["destroy", "--yes", "--skip-preview"],
};

/** Which result each kind of stack writes to. */
type Results = Partial<Record<Kind, ScenarioResult>>;

/** One operation on every stack given, interleaved `repeats` times; each stack's median run is kept. */
async function runGroup(stacks: BenchStack[], op: Op, results: Results, log: (s: string) => void, repeats = 1): Promise<void> {
  const env: Record<string, string> = op === "rotate-all-nocheckpoints" ? { PULUMI_SKIP_CHECKPOINTS: "true" } : {};
  const runs: Record<Kind, OpRun[]> = { flowservice: [], trivial: [], plugin: [] };
  for (let rep = 0; rep < repeats; rep++) {
    // Interleaved, so a slow minute of the machine hits every provider alike.
    for (const s of stacks) {
      if (op === "rotate-one") s.rotateOne();
      if (op === "rotate-all" || op === "rotate-all-nocheckpoints") s.rotateAll();
      const measure = () => s.measure(ARGS[op], env);
      const run = op === "refresh-single" ? await s.emulator.withListsRefused(measure) : await measure();
      runs[s.kind].push(run);
      log(
        `  ${s.label} ${s.kind.padEnd(11)} ${OP_LABELS[op].padEnd(36)} ${(run.wallMs / 1000).toFixed(2).padStart(7)} s  ` +
          `flow ${String(run.flowTotal).padStart(4)}  token ${run.token}  in-flight ${run.maxInFlight}  host ${mb(run.proc.providerHost.peakRssBytes)} MB`,
      );
    }
  }
  for (const s of stacks) {
    const rs = runs[s.kind];
    const walls = rs.map((r) => r.wallMs);
    const m = median(walls);
    const chosen = rs[walls.indexOf(m)];
    const result = results[s.kind];
    if (result) result.ops[op] = { op, ...chosen, runsMs: walls };
  }
}

async function runN(ws: Workspace, emulator: WatchedEmulator, n: number, opts: BenchOptions, log: (s: string) => void): Promise<NResult> {
  const ours = new BenchStack(ws, "flowservice", n, emulator);
  const trivial = new BenchStack(ws, "trivial", n, emulator);
  // The plugin door: the same N connections from a YAML program through the provider plugin.
  const plugin = opts.pluginDoor ? new BenchStack(ws, "plugin", n, emulator) : undefined;
  const all = [ours, ...(plugin ? [plugin] : []), trivial];
  // The plugin door's connections live in a sandbox of their own: in the dynamic stack's, each
  // refresh and create run would list the other door's N connections too (a listing serves at most
  // 1 + ⌈reads/50⌉ pages; the rest are single GETs), and the doors would not be compared alike.
  for (const s of all) await s.init(s.kind === "plugin" ? { "flowservice:sandboxName": PLUGIN_SANDBOX } : {});
  const results = {
    ours: { kind: "flowservice", n, ops: {} } as ScenarioResult,
    trivial: { kind: "trivial", n, ops: {} } as ScenarioResult,
    plugin: plugin ? ({ kind: "plugin", n, ops: {} } as ScenarioResult) : undefined,
  };
  const byKind: Results = { flowservice: results.ours, trivial: results.trivial, plugin: results.plugin };
  // The plugin door runs only its own operations (PLUGIN_OPS); the others skip it.
  const run = (op: Op, repeats = 1) =>
    runGroup(
      all.filter((s) => s.kind !== "plugin" || (PLUGIN_OPS as readonly Op[]).includes(op)),
      op,
      byKind,
      log,
      repeats,
    );

  await run("create");
  results.ours.stateAfterCreate = await ours.state();
  results.trivial.stateAfterCreate = await trivial.state();
  if (plugin && results.plugin) results.plugin.stateAfterCreate = await plugin.state();
  await run("preview");
  await run("up-nochange");
  await run("up-nochange-again");
  await run("rotate-one");
  await run("rotate-all", opts.repeats);
  const patchBody = ours.lastPatchBody;
  results.ours.stateAfterRotate = await ours.state();
  results.trivial.stateAfterRotate = await trivial.state();
  await run("up-nochange-after-rotate");
  if (opts.engineVariants) await run("rotate-all-nocheckpoints");
  // Refreshes are short (2–3 s) and noisy: repeated like "rotate all".
  await run("refresh", opts.repeats);
  await run("refresh-single", opts.repeats);
  await run("destroy");
  for (const s of all) await s.cli(["stack", "rm", "--yes"]);

  // The floors without the engine, on an idle machine (no pulumi process running).
  if (!patchBody) throw new Error(`N=${n}: no PATCH body was logged for "rotate all"`);
  const count = async (): Promise<StatsCount> => {
    const stats = (await emulator.control("GET", "/stats")) as StatsCount;
    return { patch: stats.patch, test: stats.test };
  };
  const wire = await wireFloor(emulator.url, DEMO, n, DEFAULT_MAX_CONCURRENCY, opts.repeats, patchBody, count);
  log(
    `  N=${n} wire floor: ${n} PATCHes, each followed by its test, at concurrency ${wire.concurrency} in ${wire.ms.toFixed(1)} ms ` +
      `(${wire.perUpdateMs} ms per update; runs ${wire.runsMs.join(", ")}); one at a time ${wire.serialLatencyMs} ms each`,
  );
  const inProcess = await providerInProcess(flowConfig(emulator.url, DEMO), n, opts.repeats, count);
  log(
    `  N=${n} provider in process: ${n} updates in ${inProcess.updateMs.toFixed(1)} ms (${inProcess.perUpdateMs} ms each), creates ${inProcess.createMs.toFixed(0)} ms, deletes ${inProcess.deleteMs.toFixed(0)} ms`,
  );

  return {
    n,
    ours: results.ours,
    trivial: results.trivial,
    wire,
    inProcess,
    derived: derive(results.ours, results.trivial, wire, inProcess),
    ...(results.plugin ? { plugin: results.plugin, pluginVsTrivial: vsTrivial(results.plugin, results.trivial, PLUGIN_OPS) } : {}),
  };
}

/** The pipeline scenario: `pipelines` × 4 resources, created, left unchanged, refreshed, destroyed. */
async function runPipeline(
  ws: Workspace,
  emulator: WatchedEmulator,
  pipelines: number,
  opts: BenchOptions,
  log: (s: string) => void,
): Promise<PipelineResult> {
  const ours = new BenchStack(ws, "flowservice", pipelines, emulator, `flowservice-pipeline-${pipelines}`, "pipeline");
  const trivial = new BenchStack(ws, "trivial", pipelines, emulator, `trivial-pipeline-${pipelines}`, "pipeline");
  await ours.init();
  await trivial.init();
  const results = {
    ours: { kind: "flowservice", n: pipelines, ops: {} } as ScenarioResult,
    trivial: { kind: "trivial", n: pipelines, ops: {} } as ScenarioResult,
  };
  const byKind: Results = { flowservice: results.ours, trivial: results.trivial };
  for (const op of PIPELINE_OPS) {
    await runGroup([ours, trivial], op, byKind, log, op === "refresh" ? opts.repeats : 1);
    if (op === "create") {
      results.ours.stateAfterCreate = await ours.state();
      results.trivial.stateAfterCreate = await trivial.state();
    }
  }
  await ours.cli(["stack", "rm", "--yes"]);
  await trivial.cli(["stack", "rm", "--yes"]);
  return {
    pipelines,
    resources: pipelines * RESOURCES_PER_PIPELINE,
    ...results,
    vsTrivial: vsTrivial(results.ours, results.trivial, PIPELINE_OPS),
  };
}

/**
 * flowservice:maxConcurrency: every PATCH is held `delayMs` by the emulator (a delay-then-apply
 * fault), the engine may run 32 resource operations at once (--parallel 32), and the most PATCHes
 * in flight at the emulator is recorded for the default and for maxConcurrency 4 and 1.
 */
async function runConcurrency(
  ws: Workspace,
  emulator: WatchedEmulator,
  opts: BenchOptions,
  log: (s: string) => void,
): Promise<ConcurrencyRun[]> {
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
      await emulator.control("POST", "/faults", {
        method: "PATCH",
        path: "/connections/",
        action: "delay-then-apply",
        delayMs: opts.concurrencyDelayMs,
        times: n,
      });
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
  let pipeline: PipelineResult | undefined;
  let concurrency: ConcurrencyRun[] = [];
  try {
    pulumiVersion = (await runPulumi(ws, ws.root, ["version"])).stdout.trim();
    emulator = await WatchedEmulator.start();
    log(
      `benchmark: engine ${pulumiVersion} (${engine}), emulator ${emulator.url}, N = ${opts.ns.join(", ")}, ` +
        `pipelines ${opts.pipelines || "skipped"}, workspace ${ws.root}`,
    );
    for (const n of opts.ns) results.push(await runN(ws, emulator, n, opts, log));
    if (opts.pipelines > 0) pipeline = await runPipeline(ws, emulator, opts.pipelines, opts, log);
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
    pipeline,
    concurrency,
    targets: [],
    durationSeconds: Math.round((performance.now() - t0) / 1000),
  };
  report.targets = evaluateTargets(report);
  if (opts.outDir) writeReport(report, opts.outDir);
  return report;
}
