// Reads what bench/src/benchProbe.ts wrote in the dynamic-provider host during one command: the time
// of each gRPC call the engine made, and of each HTTP request the provider sent.
import fs from "node:fs";
import path from "node:path";
import { HostProbe, RpcStats } from "./benchTypes";
import { mean, round2 } from "./benchWire";

export function stats(xs: number[]): RpcStats {
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

/** The probe's files in `dir` (one per host process), summarized; undefined when there is none. */
export function readProbe(dir: string): HostProbe | undefined {
  const files = fs.readdirSync(dir).filter((f) => f.startsWith("host-"));
  return summarizeProbe(files.map((f) => fs.readFileSync(path.join(dir, f), "utf8")));
}

/** One JSON-lines text per host process, as bench/src/benchProbe.ts writes it. */
export function summarizeProbe(files: string[]): HostProbe | undefined {
  if (files.length === 0) return undefined;
  const rpc: Record<string, number[]> = {};
  const http: Array<{ at: number; ms: number; method: string }> = [];
  for (const text of files) {
    for (const line of text.split("\n")) {
      if (!line) continue;
      const e = JSON.parse(line) as { kind: string; method?: string; at: number; ms: number };
      if (e.kind === "rpc") {
        const method = e.method as string;
        rpc[method] = [...(rpc[method] ?? []), e.ms];
      } else if (e.kind === "http") http.push({ at: e.at, ms: e.ms, method: String(e.method) });
    }
  }
  const events = http.flatMap((h) => [[h.at, 1] as const, [h.at + h.ms, -1] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0;
  let maxInFlight = 0;
  for (const [, d] of events) {
    cur += d;
    maxInFlight = Math.max(maxInFlight, cur);
  }
  return {
    processes: files.length,
    rpc: Object.fromEntries(Object.entries(rpc).map(([k, v]) => [k, stats(v)])),
    http: {
      ...stats(http.map((h) => h.ms)),
      maxInFlight,
      byMethod: Object.fromEntries(
        [...new Set(http.map((h) => h.method))].map((m) => [m, stats(http.filter((h) => h.method === m).map((h) => h.ms))]),
      ),
    },
  };
}
