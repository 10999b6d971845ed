// The benchmark's arithmetic, on made-up measurements: requests in flight from the emulator's log,
// the host probe's summary, the targets a run passes or misses, and the README table.
import assert from "node:assert";
import { countRequests, inFlight, LogEntry } from "../../bench/src/benchEmulator";
import { formatMarkdown, formatText } from "../../bench/src/benchFormat";
import { summarizeProbe } from "../../bench/src/benchHostProbe";
import { derive, evaluateTargets, vsTrivial } from "../../bench/src/benchTargets";
import {
  BenchReport,
  listingFloor,
  NResult,
  Op,
  OpResult,
  OPS,
  PipelineResult,
  pipelineRefreshFloor,
  PLUGIN_OPS,
  ScenarioResult,
} from "../../bench/src/benchTypes";
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
  /** The plugin door's requests, per op (healthy when given as {}); no plugin door when undefined. */
  pluginFlows?: Partial<Record<Op, Record<string, number>>>,
): BenchReport {
  const scenario = (kind: "flowservice" | "trivial" | "plugin"): ScenarioResult => {
    const ops: ScenarioResult["ops"] = {};
    if (kind === "plugin") {
      for (const o of PLUGIN_OPS) ops[o] = op(o, { ...HEALTHY[o], ...pluginFlows?.[o] }, 400, o === "create" ? 1 : 0);
      return { kind, n: N, ops };
    }
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
  if (pluginFlows) {
    result.plugin = scenario("plugin");
    result.pluginVsTrivial = vsTrivial(result.plugin, trivial, PLUGIN_OPS);
  }
  const r: BenchReport = {
    createdAt: "2025-01-01T00:00:00.000Z",
    machine: { cpus: 2, cpuModel: "test cpu", memoryGb: 4, node: "v20", platform: "linux", pulumi: "v3.248.0", loadAverage: [0.5, 0.5] },
    options: {
      ns: [N],
      repeats: 1,
      pipelines: pipeline?.pipelines ?? 0,
      concurrencyN: 0,
      concurrencyDelayMs: 200,
      engineVariants: false,
      pluginDoor: pluginFlows !== undefined,
    },
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
    // Every collection from one listing page (reads ≤ 50 each).
    refresh: { GET: 4 },
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

describe("benchmark: the listing floor of a refresh", () => {
  it("allows ⌈n/50⌉+1 requests per collection and sandbox where n objects are read, none where none are", () => {
    assert.deepStrictEqual(
      [listingFloor([]), listingFloor([0]), listingFloor([1]), listingFloor([50]), listingFloor([51])],
      [0, 0, 2, 2, 3],
    );
    assert.strictEqual(listingFloor([100, 100, 0]), 6);
  });

  it("allows a refresh of 10 or of 50 pipelines 8 requests (4 collections in one sandbox), of 51 pipelines 12", () => {
    assert.deepStrictEqual([pipelineRefreshFloor(10), pipelineRefreshFloor(50), pipelineRefreshFloor(51)], [8, 8, 12]);
  });
});

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
        ["pipelines=3 (12 resources): refresh reads the 4 collections from listings: ≤ 4 × (⌈3/50⌉+1) = 8 GETs, ≤1 token", true],
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

  it("a refresh of 50 pipelines that reads sources, targets and flows one GET each (151 GETs) misses the listing floor of 8; 8 GETs pass", () => {
    const name = "pipelines=50 (200 resources): refresh reads the 4 collections from listings: ≤ 4 × (⌈50/50⌉+1) = 8 GETs, ≤1 token";
    const old = target(report({}, {}, pipelineRun(50, { refresh: { GET: 151 } })), name);
    assert.deepStrictEqual([old.ok, old.detail], [false, "151 GET, 1 token"]);
    assert.strictEqual(target(report({}, {}, pipelineRun(50, { refresh: { GET: 8 } })), name).ok, true);
    assert.strictEqual(target(report({}, {}, pipelineRun(50, { refresh: { GET: 9 } })), name).ok, false, "one over the floor");
    assert.strictEqual(
      target(report({}, {}, pipelineRun(50, { refresh: { GET: 4, PATCH: 1 } })), name).ok,
      false,
      "a write during refresh",
    );
  });

  it("through the plugin door, a provider that sends what the dynamic resources send passes every request-count target", () => {
    const plugin = report({}, {}, undefined, {}).targets.filter((t) => t.name.startsWith(`N=${N}, plugin door:`));
    assert.strictEqual(
      plugin.length,
      5 + 1 + PLUGIN_OPS.length,
      "no-change ×2, rotate 1, rotate all, refresh, tokens, and one per command against the dynamic door",
    );
    assert.deepStrictEqual(
      plugin.filter((t) => !t.ok),
      [],
    );
  });

  it("a plugin door that reads each connection on refresh misses the listing target and differs from the dynamic resources", () => {
    const r = report({}, {}, undefined, { refresh: { GET: N } });
    const floor = target(r, `N=${N}, plugin door: refresh makes ≤ ⌈N/50⌉+1 = 2 Flow Service requests, ≤1 token`);
    assert.deepStrictEqual([floor.ok, floor.detail], [false, "10 GET, 0 token"]);
    const same = target(r, `N=${N}, plugin door: refresh sends the same Flow Service requests as the dynamic resources`);
    assert.deepStrictEqual([same.ok, same.detail], [false, "plugin 10 GET, dynamic 1 GET"]);
    assert.strictEqual(
      target(r, `N=${N}, plugin door: up: rotate all N sends the same Flow Service requests as the dynamic resources`).ok,
      true,
    );
  });

  it("a plugin door whose no-change preview asks for a token misses its target", () => {
    const r = report({}, {}, undefined, {});
    r.results[0].plugin!.ops.preview!.token = 1;
    const t = evaluateTargets(r).find((x) => x.name === `N=${N}, plugin door: preview, no change makes no Flow Service request`);
    assert.deepStrictEqual([t?.ok, t?.detail], [false, "0 Flow Service, 1 token"]);
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
      "| 50×4 | pipelines: refresh | 5.00 | 25.0 | 4.00 | 1.25 | 4 GET | 1 | 1 | 64 | 1.50 | 1.50 |",
      "| 50×4 | pipelines: destroy | 5.00 | 25.0 | 4.00 | 1.25 | 200 DELETE | 1 | 1 | 64 | 1.50 | 1.50 |",
    ]);
    assert.ok(md.indexOf(rows[0]) > md.findIndex((l) => l.startsWith("| 10 | destroy |")));
  });

  it("adds the plugin door's rows after the dynamic rows of the same N, against the dynamic trivial floor, and says so", () => {
    const md = formatMarkdown(report({}, {}, undefined, {})).split("\n");
    const rows = md.filter((l) => l.startsWith("| 10 | plugin (YAML): "));
    assert.deepStrictEqual(rows, [
      "| 10 | plugin (YAML): up: create N | 0.40 | 40.0 | 1.00 | 0.40 | 10 POST + 21 GET | 1 | 1 | 64 | 1.50 | 1.50 |",
      "| 10 | plugin (YAML): preview, no change | 0.40 | 40.0 | 1.00 | 0.40 | 0 | 0 | 1 | 64 | 1.50 | 1.50 |",
      "| 10 | plugin (YAML): up, no change (1st after create) | 0.40 | 40.0 | 1.00 | 0.40 | 0 | 0 | 1 | 64 | 1.50 | 1.50 |",
      "| 10 | plugin (YAML): up: rotate 1 secret | 0.40 | 40.0 | 1.00 | 0.40 | 1 PATCH + 1 GET | 0 | 1 | 64 | 1.50 | 1.50 |",
      "| 10 | plugin (YAML): up: rotate all N | 0.40 | 40.0 | 1.00 | 0.40 | 10 PATCH + 10 GET | 0 | 8 | 64 | 1.50 | 1.50 |",
      "| 10 | plugin (YAML): refresh | 0.40 | 40.0 | 1.00 | 0.40 | 1 GET | 0 | 1 | 64 | 1.50 | 1.50 |",
      "| 10 | plugin (YAML): destroy | 0.40 | 40.0 | 1.00 | 0.40 | 10 DELETE | 0 | 1 | 64 | 1.50 | 1.50 |",
    ]);
    assert.ok(md.indexOf(rows[0]) > md.findIndex((l) => l.startsWith("| 10 | destroy |")), "after the dynamic rows");
    assert.ok(
      md.some((l) => /no trivial plugin provider exists.*dynamic trivial floor/.test(l)),
      "the table says which floor",
    );
    assert.ok(!formatMarkdown(report()).includes("no trivial plugin provider"), "no note without plugin rows");
    assert.match(md[0], /\(N = 10, no pipelines, repeats 1, plugin door measured; 60 s in all;/, "the run's shape in its first line");
    assert.match(formatMarkdown(report({}, {}, pipelineRun(5))), /\(N = 10, 5 pipelines, repeats 1, plugin door not measured;/);
  });

  it("states the pipeline refresh's request count against the listing floor", () => {
    const text = formatText(report({}, {}, pipelineRun(50, { refresh: { GET: 151 } })));
    assert.match(
      text,
      /^pipelines=50 \(200 resources\): refresh 5\.00 s with 151 Flow Service request\(s\) \(151 GET\), against the listing floor of 8 /m,
    );
  });

  it("prints the same rows as text, with each target as PASS or MISS", () => {
    const text = formatText(report({ "rotate-one": { PATCH: 1, GET: 2 } }));
    assert.match(text, /^10 +up: rotate 1 secret +1\.10 +110\.0 +1\.00 +1\.10 +1 PATCH \+ 2 GET +0 /m);
    assert.match(text, /^ {2}MISS {2}N=10: rotating 1 of N sends exactly 1 PATCH \+ 1 test/m);
    assert.match(text, /^ {2}PASS {2}N=10: rotating all N sends exactly N PATCHes/m);
  });
});
