// A small run of `npm run bench` (N = 5, 3 pipelines): the benchmark still works end to end (real
// engine, emulator, trivial floor, plugin door, wire floor, provider in process, pipeline scenario, concurrency
// experiment), and the request-count targets hold. No timing is asserted: times on a shared
// machine are not a test.
import assert from "node:assert";
import {
  BenchReport,
  formatMarkdown,
  formatText,
  NResult,
  OPS,
  PLUGIN_OPS,
  pipelineRefreshFloor,
  runBenchmark,
} from "../../bench/src/bench";
import { ensureEngine } from "./harness";

describe("benchmark smoke run (npm run bench, N = 5, 3 pipelines)", function () {
  this.timeout(15 * 60_000);
  const N = 5;
  // 3, not fewer: reading sources, targets and flows one GET each (10 GETs) must miss the listing floor (8).
  const PIPELINES = 3;
  let report: BenchReport;
  let r: NResult;

  before(async function () {
    this.timeout(45 * 60_000); // the first run on a machine builds the engine
    ensureEngine();
    report = await runBenchmark({
      ns: [N],
      repeats: 1,
      pipelines: PIPELINES,
      concurrencyN: 6,
      concurrencyDelayMs: 50,
      engineVariants: false,
      outDir: undefined, // never overwrite bench/results from a test
      log: () => undefined,
    });
    r = report.results[0];
  });

  it("measures every operation for both providers and prints a table", () => {
    for (const op of OPS.filter((o) => o !== "rotate-all-nocheckpoints")) {
      assert.ok(r.ours.ops[op], `ours: ${op}`);
      assert.ok(r.trivial.ops[op], `trivial: ${op}`);
      assert.ok(r.ours.ops[op]!.wallMs > 0);
    }
    assert.ok(r.wire.ms > 0 && r.inProcess.updateMs > 0);
    const text = formatText(report);
    assert.match(text, /up: rotate all N/);
    assert.match(formatMarkdown(report), /^\| N \| operation \|/m);
  });

  it("a no-change preview and up make no Flow Service request and no token request", () => {
    for (const op of ["preview", "up-nochange", "up-nochange-again", "up-nochange-after-rotate"] as const) {
      const o = r.ours.ops[op]!;
      assert.deepStrictEqual(o.flow, {}, op);
      assert.strictEqual(o.token, 0, op);
    }
  });

  it("rotating k of N secrets sends exactly k PATCHes and k credential tests, nothing else, with at most one token request", () => {
    const one = r.ours.ops["rotate-one"]!;
    assert.deepStrictEqual(one.flow, { PATCH: 1, GET: 1 });
    assert.ok(one.token <= 1);
    const all = r.ours.ops["rotate-all"]!;
    assert.deepStrictEqual(all.flow, { PATCH: N, GET: N });
    assert.ok(all.token <= 1);
  });

  it("every command makes at most one token request; create, refresh and destroy make N-proportional requests", () => {
    for (const op of OPS) {
      const o = r.ours.ops[op];
      if (o) assert.ok(o.token <= 1, `${op}: ${o.token} token requests`);
    }
    // A refresh lists the sandbox (N ≤ 100: one page) instead of reading each connection.
    assert.deepStrictEqual(r.ours.ops.refresh!.flow, { GET: 1 });
    assert.strictEqual(r.ours.ops.refresh!.flowFailed, 0);
    assert.deepStrictEqual(r.ours.ops.destroy!.flow, { DELETE: N });
    const create = r.ours.ops.create!.flow;
    assert.strictEqual(create.POST, N);
    // The trivial provider is the engine alone: it must reach no service at all.
    for (const op of OPS) {
      const t = r.trivial.ops[op];
      if (t) assert.strictEqual(t.flowTotal + t.token, 0, `trivial ${op}`);
    }
  });

  it("with list requests refused, refresh falls back to one GET per connection after the one refused list", () => {
    const single = r.ours.ops["refresh-single"]!;
    assert.deepStrictEqual(single.flow, { GET: N + 1 });
    assert.strictEqual(single.flowFailed, 1);
    assert.ok(single.token <= 1);
    // The fault is gone afterwards: the destroy that follows went through.
    assert.deepStrictEqual(r.ours.ops.destroy!.flow, { DELETE: N });
  });

  it("the pipeline scenario creates, leaves unchanged, refreshes and destroys 4 resources a pipeline, the trivial provider making no request", () => {
    const p = report.pipeline!;
    assert.strictEqual(p.resources, 4 * PIPELINES);
    const R = p.resources;
    assert.deepStrictEqual(
      p.ours.ops.create!.flow,
      { POST: R, GET: R + PIPELINES + 4 },
      "a POST and a read back each, a test per base connection, a listing per collection (the duplicate check)",
    );
    assert.deepStrictEqual(p.ours.ops["up-nochange"]!.flow, {});
    // Every collection read from the sandbox's listings: ≤ ⌈P/50⌉+1 per collection.
    const refresh = p.ours.ops.refresh!;
    assert.deepStrictEqual(Object.keys(refresh.flow), ["GET"], "a refresh only reads");
    assert.ok(refresh.flow.GET <= pipelineRefreshFloor(PIPELINES), `${refresh.flow.GET} GETs`);
    assert.deepStrictEqual(p.ours.ops.destroy!.flow, { DELETE: R });
    for (const op of ["create", "up-nochange", "refresh", "destroy"] as const) {
      assert.ok(p.ours.ops[op]!.token <= 1, op);
      assert.strictEqual(p.trivial.ops[op]!.flowTotal + p.trivial.ops[op]!.token, 0, `trivial ${op}`);
    }
    assert.ok(p.ours.stateAfterCreate && p.ours.stateAfterCreate.checkpointBytes > 0);
    assert.match(formatText(report), new RegExp(`^${PIPELINES}×4 +pipelines: up, create all`, "m"));
  });

  it("through the plugin door (a YAML program), every command sends exactly the Flow Service requests the dynamic resources send", () => {
    const plugin = r.plugin!;
    for (const op of PLUGIN_OPS) {
      const x = plugin.ops[op];
      assert.ok(x, `plugin: ${op}`);
      assert.deepStrictEqual(x.flow, r.ours.ops[op]!.flow, op);
      assert.ok(x.token <= 1, `${op}: ${x.token} token requests`);
    }
    assert.deepStrictEqual(plugin.ops["rotate-all"]!.flow, { PATCH: N, GET: N });
    for (const op of ["preview", "up-nochange"] as const) assert.strictEqual(plugin.ops[op]!.flowTotal + plugin.ops[op]!.token, 0, op);
    // The plugin process is the provider host of this door: observed like the dynamic one.
    assert.ok(plugin.ops["rotate-all"]!.proc.providerHost.peakRssBytes > 0);
    assert.match(formatText(report), new RegExp(`^${N} +plugin \\(YAML\\): up: rotate all N`, "m"));
  });

  it("__provider is the same text for every resource, in inputs and outputs, and under 4 KB", () => {
    for (const s of [r.ours.stateAfterCreate!, r.ours.stateAfterRotate!]) {
      assert.strictEqual(s.providerDistinct, 1);
      assert.ok(s.providerInputsEqualOutputs);
      assert.strictEqual(s.providerBytes.length, 1);
      assert.ok(s.providerBytes[0] > 0 && s.providerBytes[0] < 4096, `${s.providerBytes[0]} bytes`);
    }
  });

  it("the provider run in process and the wire floor each send exactly N PATCHes and N credential tests, as counted by the emulator", () => {
    assert.deepStrictEqual([r.inProcess.updateRequests, r.inProcess.testRequests], [N, N]);
    assert.deepStrictEqual([r.wire.updateRequests, r.wire.testRequests], [N, N]);
  });

  it("the dynamic-provider host was observed (memory and the probe of its calls)", () => {
    const rot = r.ours.ops["rotate-all"]!;
    assert.ok(rot.proc.providerHost.peakRssBytes > 0, "peak RSS of the provider host");
    assert.strictEqual(rot.host?.rpc.update?.count, N);
    assert.strictEqual(rot.host?.http.count, 2 * N + rot.token);
  });

  it("never has more PATCHes in flight than flowservice:maxConcurrency", () => {
    assert.strictEqual(report.concurrency.length, 3);
    for (const c of report.concurrency) {
      const limit = c.maxConcurrency === "default" ? 8 : c.maxConcurrency; // the documented default
      assert.strictEqual(c.patches, c.n);
      assert.ok(c.maxInFlight >= 1 && c.maxInFlight <= limit, `maxConcurrency ${c.maxConcurrency}: ${c.maxInFlight} in flight`);
    }
    assert.strictEqual(report.concurrency.find((c) => c.maxConcurrency === 1)!.maxInFlight, 1);
  });

  it("the count targets pass", () => {
    const countTargets = report.targets.filter((t) => /request|PATCH|DELETE|__provider|in flight/.test(t.name) && !/time/.test(t.name));
    assert.ok(countTargets.length >= 13);
    for (const t of countTargets) assert.ok(t.ok, `${t.name}: ${t.detail}`);
  });
});
