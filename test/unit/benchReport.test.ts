// The benchmark's arithmetic, on made-up measurements: requests in flight from the emulator's log,
// the host probe's summary, the targets a run passes or misses, and the README table.
import assert from "node:assert";
import { countRequests, inFlight, LogEntry } from "../../tools/benchEmulator";
import { formatMarkdown, formatText } from "../../tools/benchFormat";
import { summarizeProbe } from "../../tools/benchHostProbe";
import { derive, evaluateTargets } from "../../tools/benchTargets";
import { BenchReport, NResult, Op, OpResult, OPS, PipelineResult, ScenarioResult } from "../../tools/benchTypes";
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
    const r = inFlight(
      [a, b],
      new Map([
        [a.requestId, 10],
        [b.requestId, 10],
      ]),
    );
    assert.deepStrictEqual(r, { maxInFlight: 2, meanInFlight: 1.33, busyMs: 15 });
  });

  it("does not count a request that starts in the millisecond the previous one ends as overlapping", () => {
    const a = entry("PATCH", `${FLOW_BASE_PATH}/connections/a`, 0);
    const b = entry("PATCH", `${FLOW_BASE_PATH}/connections/b`, 10);
    assert.deepStrictEqual(
      inFlight(
        [a, b],
        new Map([
          [a.requestId, 10],
          [b.requestId, 10],
        ]),
      ),
      { maxInFlight: 1, meanInFlight: 1, busyMs: 20 },
    );
  });

  it("ignores token requests, and a request without a logged duration lasts half a millisecond", () => {
    const token = entry("POST", IMS_TOKEN_PATH, 0);
    const get = entry("GET", `${FLOW_BASE_PATH}/connections/a`, 100);
    assert.deepStrictEqual(inFlight([token, get], new Map([[token.requestId, 50]])), { maxInFlight: 1, meanInFlight: 1, busyMs: 1 });
  });

  it("counts Flow Service requests by method and token requests apart; control routes are not counted", () => {
    const log = [
      entry("POST", IMS_TOKEN_PATH, 0),
      entry("GET", `${FLOW_BASE_PATH}/connections/a`, 1),
      entry("PATCH", `${FLOW_BASE_PATH}/connections/a`, 2),
      entry("PATCH", `${FLOW_BASE_PATH}/connections/b`, 3),
      entry("GET", "/__emulator/stats", 4),
    ];
    assert.deepStrictEqual(countRequests(log), { flow: { GET: 1, PATCH: 2 }, flowTotal: 3, flowFailed: 0, token: 1 });
  });

  it("counts a Flow Service request answered 400 (the refused list) among the failed ones", () => {
    const refused = { ...entry("GET", `${FLOW_BASE_PATH}/connections`, 0), status: 400 };
    const log = [refused, entry("GET", `${FLOW_BASE_PATH}/connections/a`, 1)];
    assert.deepStrictEqual(countRequests(log), { flow: { GET: 2 }, flowTotal: 2, flowFailed: 1, token: 0 });
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

function op(o: Op, flow: Record<string, number>, wallMs: number, token = 0, flowFailed = 0): OpResult {
  return {
    op: o,
    wallMs,
    runsMs: [wallMs],
    flow,
    flowTotal: Object.values(flow).reduce((a, b) => a + b, 0),
    flowFailed,
    token,
    maxInFlight: Math.min(8, flow.PATCH ?? 1),
    meanInFlight: 1,
    busyMs: 10,
    proc: { engine: usage, languageHost: usage, program: usage, providerHost: usage, other: usage },
  };
}

/** What a correct provider sends for each operation (the targets of docs/benchmark.md). */
const HEALTHY: Partial<Record<Op, Record<string, number>>> = {
  // A POST, a read back, a credential test; one listing of the sandbox for the run (the duplicate check).
  create: { POST: N, GET: 2 * N + 1 },
  preview: {},
  "up-nochange": {},
  "up-nochange-again": {},
  // Each credential write is followed by one connection test (GET …/test).
  "rotate-one": { PATCH: 1, GET: 1 },
  "rotate-all": { PATCH: N, GET: N },
  "up-nochange-after-rotate": {},
  // A refresh lists the sandbox (provider/api/reads.ts).
  refresh: { GET: 1 },
  // With lists refused: the refused list, then one GET per connection.
  "refresh-single": { GET: N + 1 },
  destroy: { DELETE: N },
};

function report(
  flows: Partial<Record<Op, Record<string, number>>> = {},
  tokens: Partial<Record<Op, number>> = {},
  pipeline?: PipelineResult,
): BenchReport {
  const scenario = (kind: "flowservice" | "trivial"): ScenarioResult => {
    const ops: ScenarioResult["ops"] = {};
    for (const o of Object.keys(HEALTHY) as Op[]) {
      const failed = o === "refresh-single" ? 1 : 0;
      ops[o] =
        kind === "trivial" ? op(o, {}, 1000) : op(o, { ...HEALTHY[o], ...flows[o] }, 1100, tokens[o] ?? (o === "create" ? 1 : 0), failed);
    }
    const state = {
      providerBytes: [1200],
      providerDistinct: 1,
      providerInputsEqualOutputs: true,
      resourceBytesMean: 2000,
      checkpointBytes: 30000,
      checkpointBytesPerResource: 3000,
    };
    return { kind, n: N, ops, stateAfterCreate: state, stateAfterRotate: state };
  };
  const ours = scenario("flowservice");
  const trivial = scenario("trivial");
  const wire = { n: N, concurrency: 8, runsMs: [20], ms: 20, perUpdateMs: 2, meanLatencyMs: 2, serialLatencyMs: 1.5 };
  const inProcess = { n: N, createMs: 30, updateMs: 25, deleteMs: 20, updateRunsMs: [25], perUpdateMs: 2.5 };
  const result: NResult = { n: N, ours, trivial, wire, inProcess, derived: derive(ours, trivial, wire, inProcess) };
  const r: BenchReport = {
    createdAt: "2025-01-01T00:00:00.000Z",
    machine: { cpus: 2, cpuModel: "test cpu", memoryGb: 4, node: "v20", platform: "linux", pulumi: "v3.248.0", loadAverage: [0.5, 0.5] },
    options: { ns: [N], repeats: 1, pipelines: pipeline?.pipelines ?? 0, concurrencyN: 0, concurrencyDelayMs: 200, engineVariants: false },
    results: [result],
    pipeline,
    concurrency: [],
    targets: [],
    durationSeconds: 60,
  };
  r.targets = evaluateTargets(r);
  return r;
}

/** A made-up pipeline run: P pipelines (4P resources), each command sending `flows` (healthy by default). */
function pipelineRun(P: number, flows: Partial<Record<Op, Record<string, number>>> = {}): PipelineResult {
  const R = 4 * P;
  const healthy: Partial<Record<Op, Record<string, number>>> = {
    create: { POST: R, GET: R + P + 4 },
    "up-nochange": {},
    refresh: { GET: 1 + R - P },
    destroy: { DELETE: R },
  };
  const scenario = (kind: "flowservice" | "trivial"): ScenarioResult => {
    const ops: ScenarioResult["ops"] = {};
    for (const o of Object.keys(healthy) as Op[])
      ops[o] = kind === "trivial" ? op(o, {}, 4000) : op(o, { ...healthy[o], ...flows[o] }, 5000, o === "up-nochange" ? 0 : 1);
    return { kind, n: P, ops };
  };
  return {
    pipelines: P,
    resources: R,
    ours: scenario("flowservice"),
    trivial: scenario("trivial"),
    vsTrivial: { create: 1.25, "up-nochange": 1.25, refresh: 1.25, destroy: 1.25 },
  };
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

  it("a refresh that reads each connection with its own GET misses the batched-read target", () => {
    const t = target(report({ refresh: { GET: N } }), `N=${N}: refresh makes ≤ ⌈N/50⌉+1 = 2 Flow Service requests, ≤1 token`);
    assert.strictEqual(t.ok, false);
    assert.strictEqual(t.detail, "10 GET, 0 token");
    assert.strictEqual(target(report(), t.name).ok, true, "one list request passes");
  });

  it("with lists refused, a provider that tries the list again for every read misses the fallback target", () => {
    const name = `N=${N}: refresh with lists refused: 1 refused list, then N single GETs, ≤1 token`;
    assert.strictEqual(target(report(), name).detail, "11 GET (1 refused), 0 token");
    assert.strictEqual(target(report(), name).ok, true);
    assert.strictEqual(target(report({ "refresh-single": { GET: 2 * N } }), name).ok, false);
  });

  it("judges the refresh's time against the trivial provider at the largest N", () => {
    const t = target(report(), `N=${N}: refresh within 1.25× the trivial-provider floor`);
    assert.deepStrictEqual([t.ok, t.detail], [true, "1.1× (1.10 s vs 1.00 s)"]);
  });

  it("a pipeline run sending only what each command needs passes its request targets; one DELETE short misses", () => {
    const ok = report({}, {}, pipelineRun(3)).targets.filter((t) => t.name.startsWith("pipelines=3"));
    assert.deepStrictEqual(
      ok.map((t) => [t.name, t.ok]),
      [
        [
          "pipelines=3 (12 resources): up creating all sends 12 POSTs + 12 read-backs + 3 credential tests + 4 listings (GET), ≤1 token",
          true,
        ],
        ["pipelines=3 (12 resources): up with no change makes no request", true],
        ["pipelines=3 (12 resources): refresh makes ≤ 2 list requests for the 3 base connections + 9 single GETs, ≤1 token", true],
        ["pipelines=3 (12 resources): destroy sends exactly 12 DELETEs, ≤1 token", true],
      ],
    );
    const short = target(
      report({}, {}, pipelineRun(3, { destroy: { DELETE: 11 } })),
      "pipelines=3 (12 resources): destroy sends exactly 12 DELETEs, ≤1 token",
    );
    assert.deepStrictEqual([short.ok, short.detail], [false, "11 DELETE, 1 token"]);
    const extra = target(
      report({}, {}, pipelineRun(3, { create: { PATCH: 1 } })),
      "pipelines=3 (12 resources): up creating all sends 12 POSTs + 12 read-backs + 3 credential tests + 4 listings (GET), ≤1 token",
    );
    assert.strictEqual(extra.ok, false, "an extra PATCH while creating");
  });

  it("more PATCHes in flight than maxConcurrency allows misses its target", () => {
    const r = report();
    r.concurrency = [
      { maxConcurrency: 4, parallel: 32, delayMs: 200, n: 20, wallMs: 3000, patches: 20, maxInFlight: 5, meanInFlight: 4.2, busyMs: 1200 },
    ];
    const t = evaluateTargets(r).find((x) => x.name.startsWith("maxConcurrency=4"));
    assert.strictEqual(t?.ok, false);
    assert.match(t?.detail ?? "", /^max 5 in flight/);
  });
});

describe("benchmark: the report as text", () => {
  it("writes the README table: the header, its alignment row, then one row per operation measured", () => {
    const md = formatMarkdown(report()).split("\n");
    const header = md.indexOf(
      "| N | operation | wall s | ms/resource | trivial s | × trivial | Flow Service requests | token | max in flight | host RSS MB | host CPU s | engine CPU s |",
    );
    assert.ok(header > 0, "the table's header row");
    assert.strictEqual(md[header + 1], "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|");
    const rows = md.slice(header + 2, md.indexOf("", header));
    assert.strictEqual(rows.length, OPS.length - 1, "every operation but the no-checkpoint variant, which did not run");
    assert.strictEqual(
      rows[OPS.indexOf("rotate-all")],
      "| 10 | up: rotate all N | 1.10 | 110.0 | 1.00 | 1.10 | 10 PATCH + 10 GET | 0 | 8 | 64 | 1.50 | 1.50 |",
    );
    assert.strictEqual(
      rows[OPS.indexOf("refresh-single") - 1],
      "| 10 | refresh (single reads, list refused) | 1.10 | 110.0 | 1.00 | 1.10 | 11 GET | 0 | 1 | 64 | 1.50 | 1.50 |",
    );
  });

  it("adds the pipeline rows after the connection rows, time per resource and requests by method", () => {
    const md = formatMarkdown(report({}, {}, pipelineRun(50))).split("\n");
    const rows = md.filter((l) => l.startsWith("| 50×4 |"));
    assert.deepStrictEqual(rows, [
      "| 50×4 | pipelines: up, create all | 5.00 | 25.0 | 4.00 | 1.25 | 200 POST + 254 GET | 1 | 1 | 64 | 1.50 | 1.50 |",
      "| 50×4 | pipelines: up, no change | 5.00 | 25.0 | 4.00 | 1.25 | 0 | 0 | 1 | 64 | 1.50 | 1.50 |",
      "| 50×4 | pipelines: refresh | 5.00 | 25.0 | 4.00 | 1.25 | 151 GET | 1 | 1 | 64 | 1.50 | 1.50 |",
      "| 50×4 | pipelines: destroy | 5.00 | 25.0 | 4.00 | 1.25 | 200 DELETE | 1 | 1 | 64 | 1.50 | 1.50 |",
    ]);
    assert.ok(md.indexOf(rows[0]) > md.findIndex((l) => l.startsWith("| 10 | destroy |")));
  });

  it("prints the same rows as text, with each target as PASS or MISS", () => {
    const text = formatText(report({ "rotate-one": { PATCH: 1, GET: 2 } }));
    assert.match(text, /^10 +up: rotate 1 secret +1\.10 +110\.0 +1\.00 +1\.10 +1 PATCH \+ 2 GET +0 /m);
    assert.match(text, /^ {2}MISS {2}N=10: rotating 1 of N sends exactly 1 PATCH \+ 1 test/m);
    assert.match(text, /^ {2}PASS {2}N=10: rotating all N sends exactly N PATCHes/m);
  });
});
