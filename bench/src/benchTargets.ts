// What the measurements mean: the figures derived from them (against the trivial provider and the
// wire floor) and the targets each run is judged by.
import { fmtFlow, fmtS, mb } from "./benchFormat";
import { pipelineTargets, sameFlow } from "./benchPipelineTargets";
import {
  BenchReport,
  DEFAULT_MAX_CONCURRENCY,
  Derived,
  listingFloor,
  NResult,
  Op,
  OP_LABELS,
  OpResult,
  OPS,
  PLUGIN_OPS,
  REFRESH_READS_PER_REQUEST,
  ScenarioResult,
  Target,
} from "./benchTypes";
import { InProcessResult, median, round2, WireResult } from "./benchWire";

/** ours / trivial median wall time of each op both measured. */
export function vsTrivial(ours: ScenarioResult, trivial: ScenarioResult, ops: readonly Op[] = OPS): Partial<Record<Op, number>> {
  const out: Partial<Record<Op, number>> = {};
  for (const op of ops) {
    const a = ours.ops[op];
    const b = trivial.ops[op];
    if (a && b) out[op] = round2(median(a.runsMs) / median(b.runsMs));
  }
  return out;
}

/** Figures of one N against the floors: the trivial provider, the wire, the provider in process. */
export function derive(ours: ScenarioResult, trivial: ScenarioResult, wire: WireResult, inProcess: InProcessResult): Derived {
  const n = ours.n;
  const oRot = ours.ops["rotate-all"] as OpResult;
  const tRot = trivial.ops["rotate-all"] as OpResult;
  const diffs = oRot.runsMs.map((o, i) => (o - (tRot.runsMs[i] ?? median(tRot.runsMs))) / n);
  const added = (median(oRot.runsMs) - median(tRot.runsMs)) / n;
  const hostUpdate = oRot.host?.rpc.update?.meanMs;
  const hostUpdateTrivial = tRot.host?.rpc.update?.meanMs;
  const hostPatch = oRot.host?.http.byMethod.PATCH?.meanMs;
  // During "rotate all" the host's only GETs are the credential tests that follow the PATCHes.
  const hostTest = oRot.host?.http.byMethod.GET?.meanMs ?? 0;
  const hostOwn =
    hostUpdate !== undefined && hostUpdateTrivial !== undefined && hostPatch !== undefined
      ? round2(hostUpdate - hostUpdateTrivial - hostPatch - hostTest)
      : undefined;
  const own = (inProcess.updateMs - wire.ms) / n;
  return {
    vsTrivial: vsTrivial(ours, trivial),
    rotateAllVsWire: round2(median(oRot.runsMs) / wire.ms),
    ownAddedPerUpdateMs: round2(own),
    ownAddedVsWire: round2(own / wire.perUpdateMs),
    inProcessPerUpdateMs: inProcess.perUpdateMs,
    inProcessVsWire: round2(inProcess.updateMs / wire.ms),
    hostOwnAddedMs: hostOwn,
    hostOwnAddedVsWire: hostOwn !== undefined ? round2(hostOwn / wire.serialLatencyMs) : undefined,
    hostUpdateMs: hostUpdate,
    hostUpdateTrivialMs: hostUpdateTrivial,
    hostPatchMs: hostPatch,
    hostTestMs: hostTest,
    e2eAddedPerUpdateMs: round2(added),
    e2eAddedVsWire: round2(added / wire.perUpdateMs),
    e2eAddedRangeMs: [round2(Math.min(...diffs)), round2(Math.max(...diffs))],
  };
}

/**
 * The request-count targets of N connections, for one door: what each command needs at the least
 * (docs/benchmark.md). `ops` holds the commands measured; the others are not judged.
 */
function countTargets(at: string, n: number, o: ScenarioResult["ops"]): Target[] {
  const t: Target[] = [];
  const add = (name: string, ok: boolean, detail: string) => t.push({ name, ok, detail });
  for (const op of ["preview", "up-nochange", "up-nochange-again", "up-nochange-after-rotate"] as Op[]) {
    const x = o[op];
    if (x)
      add(
        `${at}: ${OP_LABELS[op]} makes no Flow Service request`,
        x.flowTotal === 0 && x.token === 0,
        `${x.flowTotal} Flow Service, ${x.token} token`,
      );
  }
  const one = o["rotate-one"];
  // Each credential write is followed by one connection test (GET …/test), which verifies the new credentials.
  if (one)
    add(
      `${at}: rotating 1 of N sends exactly 1 PATCH + 1 test, ≤1 token`,
      (one.flow.PATCH ?? 0) === 1 && (one.flow.GET ?? 0) === 1 && one.flowTotal === 2 && one.token <= 1,
      `${fmtFlow(one.flow)}, ${one.token} token`,
    );
  const all = o["rotate-all"];
  if (all)
    add(
      `${at}: rotating all N sends exactly N PATCHes + N tests, ≤1 token`,
      (all.flow.PATCH ?? 0) === n && (all.flow.GET ?? 0) === n && all.flowTotal === 2 * n && all.token <= 1,
      `${fmtFlow(all.flow)}, ${all.token} token`,
    );
  const refresh = o.refresh;
  if (refresh) {
    const bound = listingFloor([n]);
    add(
      `${at}: refresh makes ≤ ⌈N/${REFRESH_READS_PER_REQUEST}⌉+1 = ${bound} Flow Service requests, ≤1 token`,
      refresh.flowTotal <= bound && refresh.token <= 1,
      `${fmtFlow(refresh.flow)}, ${refresh.token} token`,
    );
  }
  const single = o["refresh-single"];
  if (single) {
    add(
      `${at}: refresh with lists refused: 1 refused list, then N single GETs, ≤1 token`,
      (single.flow.GET ?? 0) === n + 1 && single.flowTotal === n + 1 && single.flowFailed === 1 && single.token <= 1,
      `${fmtFlow(single.flow)} (${single.flowFailed} refused), ${single.token} token`,
    );
  }
  const maxToken = Math.max(...OPS.map((op) => o[op]?.token ?? 0));
  add(`${at}: every command makes ≤1 token request`, maxToken <= 1, `max ${maxToken}`);
  return t;
}

/**
 * The plugin door: the same count targets as the dynamic door, and the same requests
 * as the dynamic door sent for each command both measured (one machinery: a door adds none).
 */
function pluginTargets(r: NResult): Target[] {
  const p = r.plugin as ScenarioResult;
  const at = `N=${r.n}, plugin door`;
  const t = countTargets(at, r.n, p.ops);
  for (const op of PLUGIN_OPS) {
    const x = p.ops[op];
    const y = r.ours.ops[op];
    if (x && y)
      t.push({
        name: `${at}: ${OP_LABELS[op]} sends the same Flow Service requests as the dynamic resources`,
        ok: sameFlow(x.flow, y.flow),
        detail: `plugin ${fmtFlow(x.flow)}, dynamic ${fmtFlow(y.flow)}`,
      });
  }
  return t;
}

/** Each target of docs/benchmark.md, judged on the report: pass or miss, and what was measured. */
export function evaluateTargets(report: BenchReport): Target[] {
  const t: Target[] = [];
  const add = (name: string, ok: boolean, detail: string) => t.push({ name, ok, detail });
  for (const r of report.results) {
    const o = r.ours.ops;
    const n = r.n;
    const at = `N=${n}`;
    t.push(...countTargets(at, n, o));
    if (r.plugin) t.push(...pluginTargets(r));
    const s = r.ours.stateAfterRotate ?? r.ours.stateAfterCreate;
    if (s) {
      const bytes = Math.max(...s.providerBytes);
      add(
        `${at}: __provider is the same text for every resource and < 4 KB`,
        s.providerDistinct === 1 && bytes < 4096 && s.providerInputsEqualOutputs,
        `${s.providerDistinct} distinct, ${bytes} B`,
      );
    }
  }
  const big = report.results[report.results.length - 1];
  if (big) {
    const ratio = big.derived.vsTrivial["rotate-all"] ?? NaN;
    add(
      `N=${big.n}: up rotating all within 1.25× the trivial-provider floor`,
      ratio <= 1.25,
      `${ratio}× (${fmtS(big.ours.ops["rotate-all"])} vs ${fmtS(big.trivial.ops["rotate-all"])})`,
    );
    const rr = big.derived.vsTrivial.refresh;
    if (rr !== undefined)
      add(
        `N=${big.n}: refresh within 1.25× the trivial-provider floor`,
        rr <= 1.25,
        `${rr}× (${fmtS(big.ours.ops.refresh)} vs ${fmtS(big.trivial.ops.refresh)})`,
      );
    const d = big.derived;
    add(
      `N=${big.n}: provider's own added time per update (PATCH + test) within 2× the wire floor (throughput, in process)`,
      d.ownAddedVsWire <= 2,
      `(${big.inProcess.updateMs.toFixed(1)} − ${big.wire.ms.toFixed(1)} ms) / ${big.n} = ${d.ownAddedPerUpdateMs} ms vs ${big.wire.perUpdateMs} ms = ${d.ownAddedVsWire}× (provider ${d.inProcessPerUpdateMs} ms/update HTTP included = ${d.inProcessVsWire}× the wire)`,
    );
    if (d.hostOwnAddedMs !== undefined) {
      add(
        `N=${big.n}: provider's own added time per update (PATCH + test) within 2× the wire floor (latency, in the host during up)`,
        (d.hostOwnAddedVsWire ?? Infinity) <= 2,
        `Update call ${d.hostUpdateMs} − trivial ${d.hostUpdateTrivialMs} − PATCH ${d.hostPatchMs} − test ${d.hostTestMs} = ${d.hostOwnAddedMs} ms vs one PATCH + test alone ${big.wire.serialLatencyMs} ms = ${d.hostOwnAddedVsWire}×`,
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
    // A create run also lists the sandbox once (the duplicate check, api/duplicates.ts): not per connection.
    const perConn = (r: NResult, op: Op) => ((r.ours.ops[op]?.flowTotal ?? 0) - (op === "create" ? 1 : 0)) / r.n;
    // Not per connection by design: rotate-one (2 requests), the refreshes (their own targets above).
    const linearOps = OPS.filter((op) => !["rotate-one", "refresh", "refresh-single"].includes(op));
    const reqOk = linearOps.every((op) => rs.every((r) => perConn(r, op) === perConn(rs[0], op)));
    add(
      `linear: Flow Service requests per connection are the same at every N (but rotate-one and refresh)`,
      reqOk,
      linearOps.map((op) => `${op} ${perConn(b, op)}`).join(", "),
    );
    const st = (r: NResult) => r.ours.stateAfterRotate?.resourceBytesMean ?? 0;
    add(`linear: state bytes per connection`, st(b) <= st(rs[0]) * 1.1, rs.map((r) => `${st(r)}`).join(" → ") + " B");
    const rss = (r: NResult) => r.ours.ops["rotate-all"]?.proc.providerHost.peakRssBytes ?? 0;
    const rssPerConn = (rss(b) - rss(rs[0])) / (b.n - rs[0].n);
    add(
      `linear: provider host peak RSS grows < 100 KB per connection`,
      rssPerConn < 100 * 1024,
      rs.map((r) => mb(rss(r))).join(" → ") + ` MB (${Math.round(rssPerConn / 1024)} KB/connection)`,
    );
    for (const [op, rpc] of [
      ["create", "create"],
      ["rotate-all", "update"],
      ["refresh", "read"],
      ["destroy", "delete"],
    ] as Array<[Op, string]>) {
      const x = a.ours.ops[op]?.host?.rpc[rpc]?.meanMs;
      const y = b.ours.ops[op]?.host?.rpc[rpc]?.meanMs;
      if (x !== undefined && y !== undefined)
        add(`linear: provider time per ${rpc} call does not grow (${span})`, y <= Math.max(2 * x, x + 2), `${x} → ${y} ms`);
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
    add(
      `engine floor, not the provider (informative): trivial-provider rotate all grows at most linearly (${span})`,
      et <= 1.1,
      `time ∝ N^${round2(et)}`,
    );
  }
  if (report.pipeline) t.push(...pipelineTargets(report.pipeline));
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
