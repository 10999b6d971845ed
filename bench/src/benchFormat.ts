// The benchmark's report as text: the table printed at the end of `npm run bench`, the same table
// in Markdown (bench/results/latest.md, copied into the README), and the files written.
import fs from "node:fs";
import path from "node:path";
import { BenchReport, Op, OpResult, OPS, OP_LABELS, PIPELINE_OPS, PLUGIN_OPS, pipelineRefreshFloor, ScenarioResult } from "./benchTypes";
import { median } from "./benchWire";

/** The median wall time of an operation, in seconds. */
export const fmtS = (o?: OpResult) => (o ? `${(median(o.runsMs) / 1000).toFixed(2)} s` : "?");

/** Requests by method: "3 GET + 1 PATCH", or "0". */
export const fmtFlow = (f: Record<string, number>) =>
  Object.keys(f).length === 0
    ? "0"
    : Object.entries(f)
        .map(([m, c]) => `${c} ${m}`)
        .join(" + ");

/** Bytes as whole MiB. */
export const mb = (b: number) => (b / 1048576).toFixed(0);

interface Row {
  cells: string[];
}

const HEADER = [
  "N",
  "operation",
  "wall s",
  "ms/resource",
  "trivial s",
  "× trivial",
  "Flow Service requests",
  "token",
  "max in flight",
  "host RSS MB",
  "host CPU s",
  "engine CPU s",
];

/** The pipeline scenario's operations, named for 4 resources a pipeline. */
const PIPELINE_LABELS: Partial<Record<Op, string>> = {
  create: "pipelines: up, create all",
  "up-nochange": "pipelines: up, no change",
  refresh: "pipelines: refresh",
  destroy: "pipelines: destroy",
};

/**
 * The plugin door's operations. No trivial plugin provider exists: their "trivial s" and
 * "× trivial" are the dynamic trivial floor's (the engine's floor), as the label says.
 */
const PLUGIN_LABELS = Object.fromEntries(PLUGIN_OPS.map((op) => [op, `plugin (YAML): ${OP_LABELS[op]}`])) as Partial<Record<Op, string>>;

/** What the table says about the plugin rows' floor. */
export const PLUGIN_FLOOR_NOTE =
  'Rows "plugin (YAML): …" are the same N connections from a YAML program through the provider plugin; no trivial plugin provider exists, so their "trivial s" and "× trivial" are the dynamic trivial floor\'s (the engine\'s floor; the YAML language host replaces the Node.js one).';

function rows(report: BenchReport): Row[] {
  const out: Row[] = [];
  for (const r of report.results) {
    out.push(...scenarioRows(String(r.n), r.n, OPS, OP_LABELS, r.ours, r.trivial));
    if (r.plugin) out.push(...scenarioRows(String(r.n), r.n, PLUGIN_OPS, PLUGIN_LABELS, r.plugin, r.trivial));
  }
  const p = report.pipeline;
  if (p) out.push(...scenarioRows(`${p.pipelines}×4`, p.resources, PIPELINE_OPS, PIPELINE_LABELS, p.ours, p.trivial));
  return out;
}

function scenarioRows(
  nCell: string,
  resources: number,
  ops: readonly Op[],
  labels: Partial<Record<Op, string>>,
  ours: ScenarioResult,
  trivial: ScenarioResult,
): Row[] {
  const out: Row[] = [];
  const s = (ms: number) => (ms / 1000).toFixed(2);
  for (const op of ops) {
    const o = ours.ops[op];
    const t = trivial.ops[op];
    if (!o) continue;
    const wall = median(o.runsMs);
    const twall = t ? median(t.runsMs) : NaN;
    const reps = o.runsMs.length > 1 ? ` (median of ${o.runsMs.length})` : "";
    out.push({
      cells: [
        nCell,
        (labels[op] ?? OP_LABELS[op]) + reps,
        s(wall),
        (wall / resources).toFixed(1),
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
        ` (${r.n} PATCHes, each followed by its test, by a plain script: ${r.wire.ms.toFixed(1)} ms at concurrency ${r.wire.concurrency} = ${r.wire.perUpdateMs} ms/update; one at a time ${r.wire.serialLatencyMs} ms)`,
    );
    lines.push(
      `N=${r.n}: provider's own added time per update (PATCH + test): in process ${d.ownAddedPerUpdateMs} ms = ${d.ownAddedVsWire}× the wire floor` +
        ` (provider ${r.inProcess.updateMs.toFixed(1)} ms for ${r.n} updates, HTTP included = ${d.inProcessVsWire}× the wire);` +
        ` in the host during up ${d.hostOwnAddedMs} ms = ${d.hostOwnAddedVsWire}× one PATCH + test alone` +
        ` (Update call ${d.hostUpdateMs} ms − trivial provider's ${d.hostUpdateTrivialMs} ms − PATCH ${d.hostPatchMs} ms − test ${d.hostTestMs} ms);` +
        ` end to end (ours − trivial) / N ${d.e2eAddedPerUpdateMs} ms (paired runs ${d.e2eAddedRangeMs[0]}..${d.e2eAddedRangeMs[1]}: noise)`,
    );
    const rf = r.ours.ops.refresh;
    const rs = r.ours.ops["refresh-single"];
    if (rf && rs) {
      lines.push(
        `N=${r.n}: refresh from the sandbox's listing ${fmtS(rf)} with ${rf.flowTotal} request(s) (${d.vsTrivial.refresh}× the trivial provider);` +
          ` with lists refused, ${fmtS(rs)} with ${rs.flowTotal} (${d.vsTrivial["refresh-single"]}×)`,
      );
    }
    if (r.plugin) {
      const ratios = PLUGIN_OPS.map((op) => `${OP_LABELS[op]} ${r.pluginVsTrivial?.[op]}×`).join(", ");
      const rot = r.plugin.ops["rotate-all"];
      lines.push(
        `N=${r.n}, plugin door (YAML through the provider plugin): against the dynamic trivial floor ${ratios};` +
          ` plugin host peak ${rot ? mb(rot.proc.providerHost.peakRssBytes) : "?"} MB during rotate all` +
          (rot?.host?.rpc.update ? `, Update call ${rot.host.rpc.update.meanMs} ms mean (dynamic host ${d.hostUpdateMs} ms)` : ""),
      );
    }
  }
  const p = report.pipeline;
  if (p) {
    const st = p.ours.stateAfterCreate;
    const tst = p.trivial.stateAfterCreate;
    const ratios = PIPELINE_OPS.map((op) => `${PIPELINE_LABELS[op]?.replace("pipelines: ", "")} ${p.vsTrivial[op]}×`).join(", ");
    const rf = p.ours.ops.refresh;
    if (rf)
      lines.push(
        `pipelines=${p.pipelines} (${p.resources} resources): refresh ${fmtS(rf)} with ${rf.flowTotal} Flow Service request(s) (${fmtFlow(rf.flow)}),` +
          ` against the listing floor of ${pipelineRefreshFloor(p.pipelines)} (4 collections × (⌈${p.pipelines}/50⌉+1)) and ${p.resources} objects read one GET each`,
      );
    lines.push(
      `pipelines=${p.pipelines} (${p.resources} resources): against the trivial provider ${ratios}; state ${st?.resourceBytesMean} B/resource in export` +
        ` (trivial ${tst?.resourceBytesMean}), __provider ${st ? Math.min(...st.providerBytes) : "?"}–${st ? Math.max(...st.providerBytes) : "?"} B (${st?.providerDistinct} distinct)`,
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
  if (report.results.some((r) => r.plugin)) out.push("", PLUGIN_FLOOR_NOTE);
  out.push("", ...summaryLines(report), "", "Targets:");
  for (const t of report.targets) out.push(`  ${t.ok ? "PASS" : "MISS"}  ${t.name}: ${t.detail}`);
  return out.join("\n");
}

/** What a run measured: its sizes, pipelines and repetitions (a small run says so at once). */
export function runShape(report: BenchReport): string {
  const o = report.options;
  return (
    `N = ${o.ns.join(", ")}, ${o.pipelines ? `${o.pipelines} pipelines` : "no pipelines"}, repeats ${o.repeats}` +
    `, plugin door ${report.results.some((r) => r.plugin) ? "measured" : "not measured"}`
  );
}

export function formatMarkdown(report: BenchReport): string {
  const m = report.machine;
  const out = [
    `Benchmark run ${report.createdAt} on ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, ${m.platform}, Node ${m.node}, pulumi ${m.pulumi}` +
      ` (${runShape(report)}; ${report.durationSeconds} s in all; load average ${m.loadAverage[0]} at the start, ${m.loadAverage[1]} at the end). Wall times are medians where repeated; "× trivial" is against the trivial dynamic provider's same operation.`,
    ...(report.results.some((r) => r.plugin) ? ["", PLUGIN_FLOOR_NOTE] : []),
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

/** bench/results/latest.json and latest.md, each replaced whole (written aside, then renamed). */
export function writeReport(report: BenchReport, outDir: string): void {
  fs.mkdirSync(outDir, { recursive: true });
  const write = (name: string, text: string) => {
    const tmp = path.join(outDir, `${name}.tmp`);
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, path.join(outDir, name));
  };
  write("latest.json", JSON.stringify(report, null, 2) + "\n");
  write("latest.md", formatMarkdown(report));
}
