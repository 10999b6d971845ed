// Fail safely, through the real engine: every fault of the reliability matrix injected into `pulumi
// up` runs against the emulator (run with --state, so it can be killed and restarted mid-run).
// After each run: it succeeded or failed with a clear error; `pulumi refresh` finds state and remote
// in agreement; no connection is duplicated or lost, no update lost; no secret in any output.
// Faults on different connections share one run, so the whole matrix costs a few `up`s.
import assert from "node:assert";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SALESFORCE } from "../../tools/demo";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { recordCase } from "../../tools/reliabilityReport";
import { EmulatorControl, sha256 } from "../helpers/emulatorControl";
import { ConnectionDecl, DEMO, ensureEngine, TestStack } from "./harness";

const TEST = "test/e2e/reliability.test.ts";
const tag = randomBytes(4).toString("hex");
const N = 8;
const GATEWAY_HTML = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>";

/** The faults tried on the POST of creates and the PATCH of updates, one per connection per run. */
const FAULTS: Array<[string, Record<string, unknown>]> = [
  ["429 without Retry-After", { action: "respond", status: 429, body: { error_code: "429050", message: "Too many requests" } }],
  [
    "429 with Retry-After: 1",
    { action: "respond", status: 429, headers: { "Retry-After": "1" }, body: { error_code: "429050", message: "Too many requests" } },
  ],
  ["500", { action: "respond", status: 500, body: { title: "Internal Server Error", status: 500 } }],
  ["502 HTML error page from the gateway", { action: "respond", status: 502, body: GATEWAY_HTML }],
  ["503", { action: "respond", status: 503 }],
  ["504", { action: "respond", status: 504, body: "Gateway Timeout" }],
  ["connection reset mid-request", { action: "drop" }],
  ["write applied, reply lost", { action: "apply-then-drop" }],
];

describe("reliability through the real engine: faults during pulumi up", function () {
  this.timeout(180_000);
  let emulator: EmulatorProcess;
  let control: EmulatorControl;
  let stack: TestStack;
  let stateFile: string;
  const version: number[] = Array(N + 1).fill(1);
  const usedSecrets = new Set<string>([DEMO.clientSecret]);
  const tokens = new Set<string>();

  const password = (i: number) => `pw-${tag}-c${i}-v${version[i]}`;
  const decl = (i: number): ConnectionDecl => ({
    resourceName: `c${i}`,
    name: `Reliability ${tag} #${i}`,
    connectionSpec: { id: SALESFORCE, version: "1.0" },
    auth: {
      specName: "Basic Authentication",
      params: { username: `user${i}`, password: { secret: password(i) }, securityToken: { secret: `tok-${tag}-${i}` } },
    },
  });
  const program = (count: number) => {
    const decls = Array.from({ length: count }, (_, i) => decl(i));
    for (const d of decls) for (const v of Object.values(d.auth.params)) if (typeof v === "object") usedSecrets.add(v.secret);
    stack.setProgram(decls);
  };

  async function collectTokens(): Promise<void> {
    for (const t of ((await control.control("GET", "/tokens")) as { items: Array<{ token: string }> }).items) tokens.add(t.token);
  }

  /** Secret values (params, client secret, every token issued) found in `text`. */
  async function leaks(text: string): Promise<string[]> {
    await collectTokens();
    return [...usedSecrets, ...tokens].filter((s) => text.includes(s));
  }

  /** Compares state with the emulator: lost = in one but not the other; duplicated = same name twice remotely. */
  async function agreement(count: number): Promise<{ lost: number; duplicated: number }> {
    const state = await stack.connections();
    const remote = ((await control.control("GET", "/connections")) as { items: any[] }).items;
    const stateIds = new Set(Object.values(state).map((r) => r.id));
    const remoteIds = new Set(remote.map((c) => c.id));
    let lost = [...stateIds].filter((id) => !remoteIds.has(id)).length + [...remoteIds].filter((id) => !stateIds.has(id)).length;
    const names = new Map<string, number>();
    for (const c of remote) names.set(c.name, (names.get(c.name) ?? 0) + 1);
    const duplicated = [...names.values()].reduce((a, n) => a + n - 1, 0);
    // No update lost: every connection holds the password of the program, and state holds its live etag.
    for (let i = 0; i < count; i++) {
      const r = state[`c${i}`];
      const live = r && remote.find((c) => c.id === r.id);
      if (!live || live.auth.params.password !== sha256(password(i))) lost++;
      else if (r.outputs.etag !== live.etag) lost++;
    }
    assert.strictEqual(Object.keys(state).length, count, "every resource in state");
    return { lost, duplicated };
  }

  async function refreshAgrees(): Promise<string> {
    const r = await stack.run(["refresh", "--yes", "--expect-no-changes"]);
    assert.strictEqual(r.code, 0, `refresh found a difference between state and remote:\n${r.stdout}\n${r.stderr}`);
    return "refresh: no changes";
  }

  before(async function () {
    this.timeout(45 * 60_000);
    ensureEngine();
    stateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "flowservice-reliability-")), "emulator-state.json");
    emulator = await startEmulatorProcess(["--state", stateFile]);
    control = new EmulatorControl(emulator.url);
    stack = new TestStack("reliability");
    await stack.init(emulator.url, DEMO, { "flowservice:requestTimeoutMs": "2000" });
  });

  after(async () => {
    await emulator?.stop();
    stack?.cleanup();
    if (stateFile) fs.rmSync(path.dirname(stateFile), { recursive: true, force: true });
  });

  it("creates every connection exactly once while each POST meets a different fault", async () => {
    for (const [, fault] of FAULTS) await control.addFault({ ...fault, method: "POST", path: "/^\\/connections$/" });
    program(N);
    const started = Date.now();
    const up = await stack.run(["up", "--yes", "--skip-preview"]);
    assert.strictEqual(up.code, 0, up.stdout + up.stderr);
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    assert.deepStrictEqual(((await control.control("GET", "/faults")) as { items: unknown[] }).items, [], "every fault was met");
    const { lost, duplicated } = await agreement(N);
    const refreshed = await refreshAgrees();
    const leaked = (await leaks(up.stdout + up.stderr + stack.stateFiles())).length;
    for (const [what] of FAULTS) {
      recordCase({
        area: "fault",
        case: `POST (create): ${what}`,
        via: "engine",
        outcome: `up succeeded (${N} creates, one fault each, ${secs} s); ${refreshed}`,
        lost,
        duplicated,
        secretsLeaked: leaked,
        test: TEST,
      });
    }
    assert.deepStrictEqual({ lost, duplicated, leaked }, { lost: 0, duplicated: 0, leaked: 0 });
  });

  it("rotates every password exactly once while each PATCH meets a different fault", async () => {
    const ids = Object.fromEntries(Object.entries(await stack.connections()).map(([k, r]) => [k, r.id]));
    for (const [i, [, fault]] of FAULTS.entries())
      await control.addFault({ ...fault, method: "PATCH", path: `/connections/${ids[`c${i}`]}` });
    for (let i = 0; i < N; i++) version[i]++;
    program(N);
    const up = await stack.run(["up", "--yes", "--skip-preview"]);
    assert.strictEqual(up.code, 0, up.stdout + up.stderr);
    assert.match(up.stdout, new RegExp(`${N} updated`));
    const { lost, duplicated } = await agreement(N);
    const refreshed = await refreshAgrees();
    const leaked = (await leaks(up.stdout + up.stderr + stack.stateFiles())).length;
    for (const [what] of FAULTS) {
      recordCase({
        area: "fault",
        case: `PATCH (update): ${what}`,
        via: "engine",
        outcome: `up succeeded; ${refreshed}`,
        lost,
        duplicated,
        secretsLeaked: leaked,
        test: TEST,
      });
    }
    assert.deepStrictEqual({ lost, duplicated, leaked }, { lost: 0, duplicated: 0, leaked: 0 });
  });

  it("survives replies slower than the client timeout on a create and an update without a second write", async () => {
    const ids = await stack.connections();
    await control.addFault({ action: "delay-then-apply", delayMs: 3500, method: "PATCH", path: `/connections/${ids.c0.id}` });
    await control.addFault({ action: "delay-then-apply", delayMs: 3500, method: "POST", path: "/^\\/connections$/" });
    version[0]++;
    program(N + 1);
    const up = await stack.run(["up", "--yes", "--skip-preview"]);
    assert.strictEqual(up.code, 0, up.stdout + up.stderr);
    await new Promise((r) => setTimeout(r, 1500)); // any request still delayed has landed by now
    const { lost, duplicated } = await agreement(N + 1);
    const refreshed = await refreshAgrees();
    const leaked = (await leaks(up.stdout + up.stderr)).length;
    recordCase({
      area: "fault",
      case: "reply slower than the client timeout (3.5 s vs requestTimeoutMs 2000), on a POST and a PATCH",
      via: "engine",
      outcome: `up succeeded (the timed-out POST was found by the search, not re-sent; the PATCH was retried and applied, the late original then met 412 and changed nothing); ${refreshed}`,
      lost,
      duplicated,
      secretsLeaked: leaked,
      test: TEST,
    });
    assert.deepStrictEqual({ lost, duplicated, leaked }, { lost: 0, duplicated: 0, leaked: 0 });
  });

  it("fails clearly on a 2xx reply that is not JSON or lacks the etag, and refresh then up reconcile", async () => {
    const ids = await stack.connections();
    await control.addFault({ action: "respond", status: 200, body: "OK", method: "PATCH", path: `/connections/${ids.c1.id}` });
    await control.addFault({ action: "respond", status: 200, body: { id: ids.c2.id }, method: "PATCH", path: `/connections/${ids.c2.id}` });
    version[1]++;
    version[2]++;
    program(N + 1);
    // --continue-on-error: the engine would otherwise stop scheduling updates after the first failure.
    const up = await stack.run(["up", "--yes", "--skip-preview", "--continue-on-error"]);
    assert.notStrictEqual(up.code, 0);
    assert.deepStrictEqual(((await control.control("GET", "/faults")) as { items: unknown[] }).items, [], "both faults were met");
    const text = up.stdout + up.stderr;
    assert.match(text, /expected JSON/);
    assert.match(text, /etag/);
    assert.match(text, /run 'pulumi refresh'.*then 'pulumi up'/);
    const refresh = await stack.run(["refresh", "--yes"]);
    assert.strictEqual(refresh.code, 0, refresh.stdout + refresh.stderr);
    const again = await stack.run(["up", "--yes", "--skip-preview"]);
    assert.strictEqual(again.code, 0, again.stdout + again.stderr);
    const { lost, duplicated } = await agreement(N + 1);
    const refreshed = await refreshAgrees();
    const leaked = (await leaks(text + again.stdout + again.stderr + stack.stateFiles())).length;
    for (const what of ["2xx reply that is not JSON (PATCH)", "2xx reply without etag (PATCH)"]) {
      recordCase({
        area: "fault",
        case: what,
        via: "engine",
        outcome: `up failed: "…the update was probably applied, but its new version is unknown… run 'pulumi refresh' … then 'pulumi up'"; after that: up succeeded, ${refreshed}`,
        lost,
        duplicated,
        secretsLeaked: leaked,
        test: TEST,
      });
    }
    assert.deepStrictEqual({ lost, duplicated, leaked }, { lost: 0, duplicated: 0, leaked: 0 });
  });

  it("renews the token when it is revoked mid-run, and rides out a short IMS outage", async () => {
    const ids = await stack.connections();
    await control.addFault({ action: "respond", status: 503, path: "/ims/token/v3", times: 2 });
    for (const i of [3, 4, 5])
      await control.addFault({ action: "delay-then-apply", delayMs: 1500, method: "PATCH", path: `/connections/${ids[`c${i}`].id}` });
    for (const i of [3, 4, 5]) version[i]++;
    program(N + 1);
    await control.clearRequests();
    const running = stack.run(["up", "--yes", "--skip-preview"]);
    // Once the PATCHes are held by the emulator (they carry the current token), revoke every token.
    for (let t = 0; t < 200; t++) {
      if ((await control.apiRequests()).filter((r) => r.method === "PATCH").length >= 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await collectTokens();
    await control.control("POST", "/tokens/revoke", {});
    const up = await running;
    assert.strictEqual(up.code, 0, up.stdout + up.stderr);
    const log = await control.apiRequests();
    assert.ok(
      log.some((r) => r.status === 401),
      "a request met the revoked token",
    );
    assert.strictEqual(log.filter((r) => r.path === "/ims/token/v3" && r.status === 503).length, 2, "the IMS outage was met");
    assert.ok(log.filter((r) => r.path === "/ims/token/v3" && r.status === 200).length >= 2, "a new token was fetched");
    const { lost, duplicated } = await agreement(N + 1);
    const refreshed = await refreshAgrees();
    const leaked = (await leaks(up.stdout + up.stderr + stack.stateFiles())).length;
    recordCase({
      area: "fault",
      case: "token expired (revoked) mid-run",
      via: "engine",
      outcome: `401 → one renewal → up succeeded; ${refreshed}`,
      lost,
      duplicated,
      secretsLeaked: leaked,
      test: TEST,
    });
    recordCase({
      area: "fault",
      case: "IMS outage (token endpoint 503 twice)",
      via: "engine",
      outcome: `token request retried → up succeeded; ${refreshed}`,
      lost,
      duplicated,
      secretsLeaked: leaked,
      test: TEST,
    });
    assert.deepStrictEqual({ lost, duplicated, leaked }, { lost: 0, duplicated: 0, leaked: 0 });
  });

  it("completes an up during which the emulator is killed and restarted from its --state file", async () => {
    const ids = await stack.connections();
    for (let i = 0; i <= N; i++) {
      await control.addFault({ action: "delay-then-apply", delayMs: 1500, method: "PATCH", path: `/connections/${ids[`c${i}`].id}` });
      version[i]++;
    }
    program(N + 1);
    await control.clearRequests();
    const running = stack.run(["up", "--yes", "--skip-preview"]);
    for (let t = 0; t < 200; t++) {
      if ((await control.apiRequests()).some((r) => r.method === "PATCH")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await collectTokens();
    const port = emulator.port;
    emulator.process.kill("SIGKILL"); // a crash: the PATCHes it held are never answered
    await emulator.stop();
    await new Promise((r) => setTimeout(r, 300));
    emulator = await startEmulatorProcess(["--port", String(port), "--state", stateFile]);
    const up = await running;
    assert.strictEqual(up.code, 0, up.stdout + up.stderr);
    const { lost, duplicated } = await agreement(N + 1);
    const refreshed = await refreshAgrees();
    const leaked = (await leaks(up.stdout + up.stderr + stack.stateFiles())).length;
    recordCase({
      area: "fault",
      case: "emulator killed and restarted (--state) during an up of 9 updates",
      via: "engine",
      outcome: `resets and refused connections retried; new token after restart; up succeeded; ${refreshed}`,
      lost,
      duplicated,
      secretsLeaked: leaked,
      test: TEST,
    });
    assert.deepStrictEqual({ lost, duplicated, leaked }, { lost: 0, duplicated: 0, leaked: 0 });
  });
});
