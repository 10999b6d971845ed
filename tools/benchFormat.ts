// The benchmark's report as text: the table printed at the end of `npm run bench`, the same table
// in Markdown (bench/results/latest.md, copied into the README), and the files written.
import fs from "fs";
import path from "path";
import { BenchReport, OpResult, OPS, OP_LABELS } from "./benchTypes";
import { median } from "./benchWire";

/** The median wall time of an operation, in seconds. */
export const fmtS = (o?: OpResult) => (o ? `${(median(o.runsMs) / 1000).toFixed(2)} s` : "?");

/** Requests by method: "3 GET + 1 PATCH", or "0". */
export const fmtFlow = (f: Record<string, number>) =>
  Object.keys(f).length === 0 ? "0" : Object.entries(f).map(([m, c]) => `${c} ${m}`).join(" + ");

/** Bytes as whole MiB. */
export const mb = (b: number) => (b / 1048576).toFixed(0);

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
