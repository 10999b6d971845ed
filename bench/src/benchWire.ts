// The benchmark's two floors that involve no engine:
//  - the wire floor: the same requests the provider sends for "rotate all" (each connection's PATCH,
//    then its credential test GET …/test, as flowservice:verifyCredentials does by default), sent
//    by a plain script (Node's http module, keep-alive, one cached token) at the same concurrency;
//  - the provider in process: the provider's own create/update/delete functions (the module the
//    dynamic-provider host loads) called directly, N at a time, so its cost per request can be
//    compared with the wire's without the engine in between.
import http from "node:http";
import path from "node:path";
import { connectionArgs } from "./benchConnection";
import { type Credentials, FLOW_BASE_PATH, IMS_TOKEN_PATH } from "../../tools/demo";
import { REPO } from "../../tools/pulumiCli";

type Creds = Required<Credentials>;

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

function request(agent: http.Agent, url: string, method: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method, headers: body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) }, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Runs `fn(i)` for i in 0..n-1 with at most `concurrency` in flight. */
async function pool(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
}

async function token(agent: http.Agent, baseUrl: string, creds: Creds): Promise<string> {
  const form = new URLSearchParams({
    grant_type: "client_credentials",
    client_id: creds.clientId,
    client_secret: creds.clientSecret,
    scope: "openid",
  });
  const r = await request(
    agent,
    `${baseUrl}${IMS_TOKEN_PATH}`,
    "POST",
    { "content-type": "application/x-www-form-urlencoded" },
    form.toString(),
  );
  if (r.status !== 200) throw new Error(`wire floor: token request answered ${r.status}: ${r.text}`);
  return (JSON.parse(r.text) as { access_token: string }).access_token;
}

/** What the emulator counted (its /__emulator/stats): PATCHes and credential tests so far. */
export interface StatsCount {
  patch: number;
  test: number;
}

export interface WireResult {
  n: number;
  concurrency: number;
  /** Wall time of each repetition of the N updates (PATCH, then GET …/test), in ms. */
  runsMs: number[];
  /** Median of runsMs. */
  ms: number;
  /** ms / n: one update (a PATCH and its test) at this concurrency. */
  perUpdateMs: number;
  /** Mean latency of one update (PATCH sent → test reply ended), in the median run. */
  meanLatencyMs: number;
  /** Mean latency of one update sent alone (concurrency 1): what one update costs on the wire. */
  serialLatencyMs: number;
  /** PATCHes and tests the emulator counted during the first timed run (sanity: N each, as the provider sends). */
  updateRequests?: number;
  testRequests?: number;
}

/**
 * The wire floor for an update. `opsTemplate` is a PATCH body the provider sent (from the
 * emulator's request log); every string value redacted in the log gets a fresh value, so each
 * request is a real rotation, and each PATCH is followed by the connection's test, as the
 * provider does after a credential write. The connections patched are created (untimed) and
 * deleted afterwards.
 */
export async function wireFloor(
  baseUrl: string,
  creds: Creds,
  n: number,
  concurrency: number,
  repeats: number,
  opsTemplate: unknown[],
  countRequests?: () => Promise<StatsCount>,
): Promise<WireResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const flow = `${baseUrl}${FLOW_BASE_PATH}`;
  try {
    const bearer = await token(agent, baseUrl, creds);
    const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
      authorization: `Bearer ${bearer}`,
      "x-api-key": creds.clientId,
      "x-gw-ims-org-id": creds.orgId,
      "x-sandbox-name": creds.sandboxName,
      accept: "application/json",
      "content-type": "application/json",
      ...extra,
    });
    const conns: Array<{ id: string; etag: string }> = new Array(n);
    await pool(n, concurrency, async (i) => {
      const r = await request(agent, `${flow}/connections`, "POST", headers(), JSON.stringify(connectionArgs(i, "wire0", "wire ")));
      if (r.status !== 201) throw new Error(`wire floor: POST answered ${r.status}: ${r.text}`);
      conns[i] = JSON.parse(r.text) as { id: string; etag: string };
    });
    const runsMs: number[] = [];
    const latencies: number[][] = [];
    const serial: number[] = [];
    let counted: StatsCount | undefined;
    // Repetition -1 is one update at a time; then `repeats` runs at the given concurrency.
    for (let rep = -1; rep < repeats; rep++) {
      const lat: number[] = [];
      const before = rep === 0 && countRequests ? await countRequests() : undefined;
      const started = performance.now();
      await pool(n, rep < 0 ? 1 : concurrency, async (i) => {
        const body = JSON.stringify(freshValues(opsTemplate, `wire-${rep}-${i}`));
        const t0 = performance.now();
        const r = await request(
          agent,
          `${flow}/connections/${conns[i].id}`,
          "PATCH",
          headers({ "if-match": conns[i].etag, "x-request-id": `wire-${rep}-${i}` }),
          body,
        );
        if (r.status !== 200) throw new Error(`wire floor: PATCH answered ${r.status}: ${r.text}`);
        conns[i].etag = (JSON.parse(r.text) as { etag: string }).etag;
        const test = await request(
          agent,
          `${flow}/connections/${conns[i].id}/test`,
          "GET",
          headers({ "x-request-id": `wire-${rep}-${i}-test` }),
        );
        lat.push(performance.now() - t0);
        if (test.status !== 200) throw new Error(`wire floor: GET …/test answered ${test.status}: ${test.text}`);
      });
      if (rep < 0) {
        serial.push(...lat);
        continue;
      }
      runsMs.push(performance.now() - started);
      latencies.push(lat);
      if (before && countRequests) {
        const after = await countRequests();
        counted = { patch: after.patch - before.patch, test: after.test - before.test };
      }
    }
    await pool(n, concurrency, async (i) => {
      await request(agent, `${flow}/connections/${conns[i].id}`, "DELETE", headers());
    });
    const ms = median(runsMs);
    const medianRun = latencies[runsMs.indexOf(ms)] ?? latencies[0];
    return {
      n,
      concurrency,
      runsMs: runsMs.map(round2),
      ms: round2(ms),
      perUpdateMs: round2(ms / n),
      meanLatencyMs: round2(mean(medianRun)),
      serialLatencyMs: round2(mean(serial)),
      updateRequests: counted?.patch,
      testRequests: counted?.test,
    };
  } finally {
    agent.destroy();
  }
}

function freshValues(template: unknown, value: string): unknown {
  if (template === "[redacted]") return value;
  if (Array.isArray(template)) return template.map((t) => freshValues(t, value));
  if (template && typeof template === "object") {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, freshValues(v, value)]));
  }
  return template;
}

export interface InProcessResult {
  n: number;
  /** Median wall time of N concurrent calls of each provider function, in ms. */
  createMs: number;
  updateMs: number;
  deleteMs: number;
  updateRunsMs: number[];
  perUpdateMs: number;
  /** PATCHes and tests the emulator saw for the update phase of the first run (sanity: N each). */
  updateRequests?: number;
  testRequests?: number;
}

type Provider = {
  configure(req: { config: { get(key: string): unknown } }): Promise<void>;
  check(olds: unknown, news: unknown): Promise<{ inputs: Record<string, unknown>; failures?: unknown[] }>;
  create(inputs: unknown): Promise<{ id: string; outs: Record<string, unknown> }>;
  update(id: string, olds: unknown, news: unknown): Promise<{ outs: Record<string, unknown> }>;
  delete(id: string, props: unknown): Promise<void>;
};

/**
 * The provider's functions as the dynamic-provider host calls them, without the engine: `check`
 * then `create` for N connections at once, then `check` + `update` rotating every password, then
 * `delete`. All N calls are started together (the provider's own flowservice:maxConcurrency limit
 * applies, as in the host). It runs as configured by default: each update is a PATCH and a
 * credential test, which the wire floor sends too. One untimed warm-up round, then `repeats`
 * timed ones; the median is kept.
 */
export async function providerInProcess(
  config: Record<string, string>,
  n: number,
  repeats: number,
  countRequests?: () => Promise<StatsCount>,
): Promise<InProcessResult> {
  // The built provider, exactly what the host loads (pulumi-flowservice/dist/provider/…).
  const mod = require(path.join(REPO, "dist/provider/dynamicProvider.js")) as { provider: Provider };
  const provider = mod.provider;
  // The provider falls back to AEP_* variables: keep this process's out of the measurement.
  const saved: Record<string, string | undefined> = {};
  for (const k of Object.keys(process.env)) {
    if (!k.startsWith("AEP_")) continue;
    saved[k] = process.env[k];
    delete process.env[k];
  }
  try {
    await provider.configure({ config: { get: (k: string) => config[k] } });
    const secretKeys = ["password", "securityToken"];
    const creates: number[] = [];
    const updates: number[] = [];
    const deletes: number[] = [];
    let counted: StatsCount | undefined;
    // Repetition -1 warms up, untimed: the wire floor's first, one-at-a-time pass warms up its
    // side (agent, sockets, JIT) the same way before its timed runs.
    for (let rep = -1; rep < repeats; rep++) {
      const tag = `inproc${rep} `;
      const news = Array.from({ length: n }, (_, i) => ({ ...connectionArgs(i, "a", tag), secretKeys }));
      let t0 = performance.now();
      const made = await Promise.all(
        news.map(async (nw) => {
          const checked = await provider.check({}, nw);
          const r = await provider.create(checked.inputs);
          return { id: r.id, outs: r.outs, inputs: checked.inputs };
        }),
      );
      if (rep >= 0) creates.push(performance.now() - t0);
      const before = rep === 0 && countRequests ? await countRequests() : undefined;
      t0 = performance.now();
      const updated = await Promise.all(
        made.map(async (m, i) => {
          const checked = await provider.check(m.inputs, { ...connectionArgs(i, "b", tag), secretKeys });
          const r = await provider.update(m.id, m.outs, checked.inputs);
          return { id: m.id, outs: r.outs };
        }),
      );
      if (rep >= 0) updates.push(performance.now() - t0);
      if (before && countRequests) {
        const after = await countRequests();
        counted = { patch: after.patch - before.patch, test: after.test - before.test };
      }
      t0 = performance.now();
      await Promise.all(updated.map((u) => provider.delete(u.id, u.outs)));
      if (rep >= 0) deletes.push(performance.now() - t0);
    }
    const updateMs = median(updates);
    return {
      n,
      createMs: round2(median(creates)),
      updateMs: round2(updateMs),
      deleteMs: round2(median(deletes)),
      updateRunsMs: updates.map(round2),
      perUpdateMs: round2(updateMs / n),
      updateRequests: counted?.patch,
      testRequests: counted?.test,
    };
  } finally {
    Object.assign(process.env, saved);
  }
}

export const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};
export const mean = (xs: number[]): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
export const round2 = (x: number): number => Math.round(x * 100) / 100;
