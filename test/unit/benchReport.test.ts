// The benchmark's arithmetic, on made-up measurements: requests in flight from the emulator's log,
// the host probe's summary, the targets a run passes or misses, and the README table.
import assert from "assert";
import { countRequests, inFlight, LogEntry } from "../../tools/benchEmulator";
import { formatMarkdown, formatText } from "../../tools/benchFormat";
import { summarizeProbe } from "../../tools/benchHostProbe";
import { derive, evaluateTargets } from "../../tools/benchTargets";
import { BenchReport, NResult, Op, OpResult, OPS, ScenarioResult } from "../../tools/benchTypes";
import { FLOW_BASE_PATH, IMS_TOKEN_PATH } from "../../tools/demo";

const T0 = Date.parse("2025-01-01T00:00:00.000Z");
let seq = 0;
const entry = (method: string, path: string, atMs: number): LogEntry => ({
  seq: ++seq,
  time: new Date(T0 + atMs).toISOString(),
  method,
  path,
  requestId: `r${seq}`,
  status: 200,
  body: undefined,
});

describe("benchmark: requests in flight at the emulator", () => {
  it("counts two overlapping requests as two in flight, and the time with at least one as busy", () => {
    const a = entry("PATCH", `${FLOW_BASE_PATH}/connections/a`, 0);
    const b = entry("PATCH", `${FLOW_BASE_PATH}/connections/b`, 5);
    const r = inFlight([a, b], new Map([[a.requestId, 10], [b.requestId, 10]]));
    assert.deepStrictEqual(r, { maxInFlight: 2, meanInFlight: 1.33, busyMs: 15 });
  });

  it("does not count a request that starts in the millisecond the previous one ends as overlapping", () => {
    const a = entry("PATCH", `${FLOW_BASE_PATH}/connections/a`, 0);
    const b = entry("PATCH", `${FLOW_BASE_PATH}/connections/b`, 10);
    assert.deepStrictEqual(inFlight([a, b], new Map([[a.requestId, 10], [b.requestId, 10]])), { maxInFlight: 1, meanInFlight: 1, busyMs: 20 });
  });

  it("ignores token requests, and a request without a logged duration lasts half a millisecond", () => {
    const token = entry("POST", IMS_TOKEN_PATH, 0);
    const get = entry("GET", `${FLOW_BASE_PATH}/connections/a`, 100);
    assert.deepStrictEqual(inFlight([token, get], new Map([[token.requestId, 50]])), { maxInFlight: 1, meanInFlight: 1, busyMs: 1 });
  });

  it("counts Flow Service requests by method and token requests apart; control routes are not counted", () => {
    const log = [entry("POST", IMS_TOKEN_PATH, 0), entry("GET", `${FLOW_BASE_PATH}/connections/a`, 1), entry("PATCH", `${FLOW_BASE_PATH}/connections/a`, 2), entry("PATCH", `${FLOW_BASE_PATH}/connections/b`, 3), entry("GET", "/__emulator/stats", 4)];
    assert.deepStrictEqual(countRequests(log), { flow: { GET: 1, PATCH: 2 }, flowTotal: 3, token: 1 });
  });
});

describe("benchmark: the provider host's probe", () => {
  it("summarizes each host process's calls and HTTP requests, with the most requests in flight across processes", () => {
    const host1 = [
      { kind: "start", at: 0 },
      { kind: "rpc", method: "update", at: 0, ms: 12, ok: true },
      { kind: "http", method: "PATCH", at: 1, ms: 10, status: 200 },
    ];
    const host2 = [
      { kind: "rpc", method: "update", at: 2, ms: 8, ok: true },
      { kind: "http", method: "PATCH", at: 3, ms: 4, status: 200 },
      { kind: "http", method: "POST", at: 20, ms: 2, status: 200 },
    ];
    const p = summarizeProbe([host1, host2].map((events) => events.map((e) => JSON.stringify(e)).join("\n") + "\n"));
    assert.strictEqual(p?.processes, 2);
    assert.deepStrictEqual(p?.rpc.update, { count: 2, meanMs: 10, p50Ms: 12, p95Ms: 12, maxMs: 12, totalMs: 20 });
    assert.strictEqual(p?.http.count, 3);
    assert.strictEqual(p?.http.maxInFlight, 2);
    assert.strictEqual(p?.http.byMethod.PATCH.count, 2);
    assert.strictEqual(p?.http.byMethod.POST.count, 1);
  });

  it("has nothing to say when no host wrote a file", () => {
    assert.strictEqual(summarizeProbe([]), undefined);
  });
});

// ---- a made-up run of N = 10 --------------------------------------------------------------------

const N = 10;
const usage = { peakRssBytes: 64 * 1048576, cpuSeconds: 1.5, processes: 1 };

function op(o: Op, flow: Record<string, number>, wallMs: number, token = 0): OpResult {
  return {
    op: o,
    wallMs,
    runsMs: [wallMs],
    flow,
    flowTotal: Object.values(flow).reduce((a, b) => a + b, 0),
    token,
    maxInFlight: Math.min(8, flow.PATCH ?? 1),
    meanInFlight: 1,
    busyMs: 10,
    proc: { engine: usage, languageHost: usage, program: usage, providerHost: usage, other: usage },
  };
}

/** What a correct provider sends for each operation (the targets of docs/benchmark.md). */
const HEALTHY: Partial<Record<Op, Record<string, number>>> = {
  create: { POST: N },
  preview: {},
  "up-nochange": {},
  "up-nochange-again": {},
  // Each credential write is followed by one connection test (GET …/test).
  "rotate-one": { PATCH: 1, GET: 1 },
  "rotate-all": { PATCH: N, GET: N },
  "up-nochange-after-rotate": {},
  // A refresh lists the sandbox (provider/api/reads.ts).
  refresh: { GET: 1 },
  destroy: { DELETE: N },
};

function report(flows: Partial<Record<Op, Record<string, number>>> = {}, tokens: Partial<Record<Op, number>> = {}): BenchReport {
  const scenario = (kind: "flowservice" | "trivial"): ScenarioResult => {
    const ops: ScenarioResult["ops"] = {};
    for (const o of Object.keys(HEALTHY) as Op[]) {
      ops[o] = kind === "trivial" ? op(o, {}, 1000) : op(o, { ...HEALTHY[o], ...flows[o] }, 1100, tokens[o] ?? (o === "create" ? 1 : 0));
    }
    const state = { providerBytes: [1200], providerDistinct: 1, providerInputsEqualOutputs: true, resourceBytesMean: 2000, checkpointBytes: 30000, checkpointBytesPerResource: 3000 };
    return { kind, n: N, ops, stateAfterCreate: state, stateAfterRotate: state };
  };
  const ours = scenario("flowservice");
  const trivial = scenario("trivial");
  const wire = { n: N, concurrency: 8, runsMs: [20], ms: 20, perRequestMs: 2, meanLatencyMs: 2, serialLatencyMs: 1.5 };
  const inProcess = { n: N, createMs: 30, updateMs: 25, deleteMs: 20, updateRunsMs: [25], perUpdateMs: 2.5 };
  const result: NResult = { n: N, ours, trivial, wire, inProcess, derived: derive(ours, trivial, wire, inProcess) };
  const r: BenchReport = {
    createdAt: "2025-01-01T00:00:00.000Z",
    machine: { cpus: 2, cpuModel: "test cpu", memoryGb: 4, node: "v20", platform: "linux", pulumi: "v3.248.0", loadAverage: [0.5, 0.5] },
    options: { ns: [N], repeats: 1, concurrencyN: 0, concurrencyDelayMs: 200, engineVariants: false },
    results: [result],
    concurrency: [],
    targets: [],
    durationSeconds: 60,
  };
  r.targets = evaluateTargets(r);
  return r;
}

const target = (r: BenchReport, name: string) => {
  const t = r.targets.find((x) => x.name === name);
  assert.ok(t, `no target named "${name}" in ${r.targets.map((x) => x.name).join("; ")}`);
  return t;
};

describe("benchmark: targets", () => {
  it("a provider that sends only what each operation needs passes every request-count target", () => {
    const missed = report().targets.filter((t) => !t.ok && !/time|floor/.test(t.name));
    assert.deepStrictEqual(missed, []);
  });

  it("one extra GET while rotating one secret misses its target, and the detail shows the requests", () => {
    const t = target(report({ "rotate-one": { PATCH: 1, GET: 2 } }), `N=${N}: rotating 1 of N sends exactly 1 PATCH + 1 test, ≤1 token`);
    assert.strictEqual(t.ok, false);
    assert.strictEqual(t.detail, "1 PATCH + 2 GET, 0 token");
  });

  it("a no-change preview that asks for a token misses its target", () => {
    const t = target(report({}, { preview: 1 }), `N=${N}: preview, no change makes no Flow Service request`);
    assert.strictEqual(t.ok, false);
    assert.strictEqual(t.detail, "0 Flow Service, 1 token");
  });

  it("more PATCHes in flight than maxConcurrency allows misses its target", () => {
    const r = report();
    r.concurrency = [{ maxConcurrency: 4, parallel: 32, delayMs: 200, n: 20, wallMs: 3000, patches: 20, maxInFlight: 5, meanInFlight: 4.2, busyMs: 1200 }];
    const t = evaluateTargets(r).find((x) => x.name.startsWith("maxConcurrency=4"));
    assert.strictEqual(t?.ok, false);
    assert.match(t?.detail ?? "", /^max 5 in flight/);
  });
});

describe("benchmark: the report as text", () => {
  it("writes the README table: the header, its alignment row, then one row per operation measured", () => {
    const md = formatMarkdown(report()).split("\n");
    const header = md.indexOf("| N | operation | wall s | ms/conn | trivial s | × trivial | Flow Service requests | token | max in flight | host RSS MB | host CPU s | engine CPU s |");
    assert.ok(header > 0, "the table's header row");
    assert.strictEqual(md[header + 1], "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|");
    const rows = md.slice(header + 2, md.indexOf("", header));
    assert.strictEqual(rows.length, OPS.length - 1, "every operation but the no-checkpoint variant, which did not run");
    assert.strictEqual(rows[OPS.indexOf("rotate-all")], "| 10 | up: rotate all N | 1.10 | 110.0 | 1.00 | 1.10 | 10 PATCH + 10 GET | 0 | 8 | 64 | 1.50 | 1.50 |");
  });

  it("prints the same rows as text, with each target as PASS or MISS", () => {
    const text = formatText(report({ "rotate-one": { PATCH: 1, GET: 2 } }));
    assert.match(text, /^10 +up: rotate 1 secret +1\.10 +110\.0 +1\.00 +1\.10 +1 PATCH \+ 2 GET +0 /m);
    assert.match(text, /^ {2}MISS {2}N=10: rotating 1 of N sends exactly 1 PATCH \+ 1 test/m);
    assert.match(text, /^ {2}PASS {2}N=10: rotating all N sends exactly N PATCHes/m);
  });
});
