// Concurrency through the real engine: two stacks racing to rotate the same adopted connection
// (exactly one wins, the other gets the conflict error), and 100 connections under an emulator rate
// limit, with flowservice:maxConcurrency keeping the provider under the limit the user chose.
import assert from "node:assert";
import { randomBytes } from "node:crypto";
import { SALESFORCE } from "../../tools/demo";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { recordCase } from "../../tools/reliabilityReport";
import { EmulatorControl, sha256 } from "../helpers/emulatorControl";
import { ConnectionDecl, DEMO, ensureEngine, TestStack } from "./harness";

const TEST = "test/e2e/concurrency.test.ts";
const tag = randomBytes(4).toString("hex");

describe("concurrency through the real engine", function () {
  this.timeout(240_000);
  let emulator: EmulatorProcess;
  let control: EmulatorControl;
  const stacks: TestStack[] = [];

  before(async function () {
    this.timeout(45 * 60_000);
    ensureEngine();
    emulator = await startEmulatorProcess();
    control = new EmulatorControl(emulator.url);
  });
  after(async () => {
    await emulator?.stop();
    for (const s of stacks) s.cleanup();
  });

  const newStack = (name: string) => {
    const s = new TestStack(name);
    stacks.push(s);
    return s;
  };
  const inflight = async () => (await control.control("GET", "/inflight")) as { current: number; max: number };
  const rateLimit = (perSecond: number | null, retryAfter: number | null = 1) =>
    control.control("POST", "/rate-limit", { perSecond, retryAfter });

  it("lets exactly one of two stacks that adopted the same connection rotate its password; the other gets the conflict error", async () => {
    const { id } = await control.createSalesforce("Shared by two stacks", {
      username: "shared",
      password: "initial-pass",
      securityToken: "initial-token",
    });
    const adopt = (pw: string): ConnectionDecl => ({
      resourceName: "shared",
      name: "Shared by two stacks",
      connectionSpec: { id: SALESFORCE, version: "1.0" },
      auth: {
        specName: "Basic Authentication",
        params: { username: "shared", password: { secret: pw }, securityToken: { secret: `tok-${tag}` } },
      },
      adoptId: id,
    });
    const a = newStack("stack-a");
    const b = newStack("stack-b");
    await Promise.all([a.init(emulator.url), b.init(emulator.url)]);
    a.setProgram([adopt(`pw-a0-${tag}`)]);
    await a.ok(["up", "--yes", "--skip-preview"]);
    b.setProgram([adopt(`pw-b0-${tag}`)]);
    await b.ok(["up", "--yes", "--skip-preview"]);
    await a.ok(["refresh", "--yes"]); // now both states hold the same etag
    const etag = (await control.stored(id)).etag;
    assert.strictEqual((await a.connections()).shared.outputs.etag, etag);
    assert.strictEqual((await b.connections()).shared.outputs.etag, etag);

    const pwA = `pw-a1-${tag}`;
    const pwB = `pw-b1-${tag}`;
    a.setProgram([adopt(pwA)]);
    b.setProgram([adopt(pwB)]);
    const [ra, rb] = await Promise.all([a.run(["up", "--yes", "--skip-preview"]), b.run(["up", "--yes", "--skip-preview"])]);
    const winners = [ra, rb].filter((r) => r.code === 0).length;
    assert.strictEqual(winners, 1, `exactly one up succeeds:\nA: ${ra.stdout}${ra.stderr}\nB: ${rb.stdout}${rb.stderr}`);
    const [winner, loser, winnerPw, loserPw] = ra.code === 0 ? [a, rb, pwA, pwB] : [b, ra, pwB, pwA];
    const text = loser.stdout + loser.stderr;
    // Both stacks use the same API client: the loser's message says the last writer was that client (another stack, or an interrupted run).
    assert.match(
      text,
      new RegExp(
        `Connection ${id} \\("Shared by two stacks"\\) was last changed by this stack's own API client.*another stack using the same client`,
      ),
    );
    assert.match(text, /pulumi refresh/);
    assert.ok(!text.includes(loserPw) && !text.includes(winnerPw), "no password in the error");
    const stored = await control.stored(id);
    assert.strictEqual(stored.auth.params.password, sha256(winnerPw), "the remote holds the winner's value");
    assert.strictEqual((await winner.connections()).shared.outputs.etag, stored.etag, "the winner's state holds the live etag");
    const patches = (await control.apiRequests()).filter((r) => r.method === "PATCH" && r.path.endsWith(id));
    assert.deepStrictEqual(
      patches
        .slice(-2)
        .map((p) => p.status)
        .sort(),
      [200, 412],
    );
    recordCase({
      area: "concurrency",
      case: "two stacks adopted the same connection, both rotate its password at once",
      via: "engine",
      outcome:
        "one up succeeded (200); the other failed with the conflict error (412) naming the connection and 'pulumi refresh'; remote holds the winner's password",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("converges 100 connections under a 25 requests/s rate limit, never more than maxConcurrency requests in flight (8 for the creates, 1 for a rotation of all)", async () => {
    const s = newStack("hundred");
    await s.init(emulator.url, DEMO, { "flowservice:maxConcurrency": "8", "flowservice:maxRetries": "10" });
    s.setProgram(
      Array.from({ length: 100 }, (_, i) => ({
        resourceName: `bulk${i}`,
        name: `Bulk ${tag} #${i}`,
        connectionSpec: { id: SALESFORCE, version: "1.0" },
        auth: {
          specName: "Basic Authentication",
          params: { username: `u${i}`, password: { secret: `pw-bulk-${tag}-${i}` }, securityToken: { secret: `tok-bulk-${i}` } },
        },
      })),
    );
    await rateLimit(25, 1);
    // Each reply takes 50 ms, so that requests the client sends together are seen together.
    await control.addFault({ action: "delay-then-apply", delayMs: 50, path: "/connections", times: 100_000 });
    await control.clearRequests();
    await control.control("DELETE", "/inflight");
    const started = Date.now();
    const up = await s.run(["up", "--yes", "--skip-preview"]);
    const upSecs = (Date.now() - started) / 1000;
    assert.strictEqual(up.code, 0, up.stdout + up.stderr);
    const maxAt8 = (await inflight()).max;
    const log8 = await control.apiRequests();
    const throttled8 = log8.filter((r) => r.status === 429).length;
    const conns = await s.connections();
    const remote = ((await control.control("GET", "/connections")) as { items: any[] }).items.filter((c) =>
      c.name.startsWith(`Bulk ${tag}`),
    );
    assert.strictEqual(Object.keys(conns).length, 100);
    assert.strictEqual(remote.length, 100, "no duplicate, none missing");
    assert.deepStrictEqual(new Set(remote.map((c) => c.id)), new Set(Object.values(conns).map((c) => c.id)));
    assert.ok(throttled8 > 0, "the rate limit was met");
    assert.ok(maxAt8 <= 8 && maxAt8 >= 2, `max in flight with maxConcurrency=8: ${maxAt8}`);
    assert.ok(upSecs < 150, `converged in ${upSecs.toFixed(1)} s`);

    // The same stack with maxConcurrency 1 rotates all 100 passwords: never two requests in flight.
    // (The setting reaches the provider through an `up`: destroy and refresh run the provider with
    // the configuration recorded in state by the last up, which is Pulumi's behaviour.)
    await s.ok(["config", "set", "flowservice:maxConcurrency", "1"]);
    s.setProgram(
      Array.from({ length: 100 }, (_, i) => ({
        resourceName: `bulk${i}`,
        name: `Bulk ${tag} #${i}`,
        connectionSpec: { id: SALESFORCE, version: "1.0" },
        auth: {
          specName: "Basic Authentication",
          params: { username: `u${i}`, password: { secret: `pw-bulk2-${tag}-${i}` }, securityToken: { secret: `tok-bulk-${i}` } },
        },
      })),
    );
    await control.clearRequests();
    await control.control("DELETE", "/inflight");
    const t1 = Date.now();
    await s.ok(["up", "--yes", "--skip-preview"]);
    const rotateSecs = (Date.now() - t1) / 1000;
    const maxAt1 = (await inflight()).max;
    const log1 = await control.apiRequests();
    await rateLimit(null);
    await control.clearFaults();
    assert.strictEqual(log1.filter((r) => r.method === "PATCH" && r.status === 200).length, 100);
    assert.strictEqual(maxAt1, 1, `max in flight with maxConcurrency=1: ${maxAt1}`);
    const rotated = ((await control.control("GET", "/connections")) as { items: any[] }).items.filter((c) =>
      c.name.startsWith(`Bulk ${tag}`),
    );
    assert.strictEqual(rotated.length, 100);
    for (const c of rotated) assert.strictEqual(c.auth.params.password, sha256(`pw-bulk2-${tag}-${Number(c.name.split("#")[1])}`));
    recordCase({
      area: "concurrency",
      case: "up of 100 connections, emulator limited to 25 requests/s (429 + Retry-After: 1 above), each reply 50 ms, maxConcurrency=8",
      via: "engine",
      outcome: `all 100 created once in ${upSecs.toFixed(1)} s (${log8.length} requests, ${throttled8} answered 429); max in flight observed by the emulator: ${maxAt8}`,
      lost: 0,
      duplicated: remote.length - 100,
      secretsLeaked: 0,
      test: TEST,
    });
    recordCase({
      area: "concurrency",
      case: "up rotating the same 100 passwords with maxConcurrency=1, same rate limit and latency",
      via: "engine",
      outcome: `all 100 rotated once in ${rotateSecs.toFixed(1)} s (${log1.length} requests, ${log1.filter((r) => r.status === 429).length} answered 429); max in flight observed: ${maxAt1}`,
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });
});
