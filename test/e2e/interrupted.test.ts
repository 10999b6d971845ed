// An interrupted `pulumi up` must not leave orphans that the next `up` duplicates. Through the real
// engine against one emulator: `up` is killed (SIGKILL of the CLI's process group) while its writes
// are held in flight by the emulator's delay-then-apply fault; the writes land after the kill;
// flowservice-recover then takes the orphans into state. A neighbour stack of the same backend owns
// same-named connections of the same client, created inside the interrupted run's time window:
// they are never adopted.
import assert from "node:assert";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { flowConfigArgs, RunResult, runPulumi } from "../../tools/pulumiCli";
import { recordCase } from "../../tools/reliabilityReport";
import { EmulatorControl, LoggedRequest, sha256 } from "../helpers/emulatorControl";
import { ConnectionDecl, DEMO, ensureEngine, REPO, TestStack } from "./harness";
import { alive, endAll, recoverCli, until, upKilledWhen } from "./interrupt";

const SALESFORCE = "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5";
const TEST = "test/e2e/interrupted.test.ts";
const tag = randomBytes(4).toString("hex");
/** How long the emulator holds each write: longer than the spread of the run's requests, so all are in flight at the kill. */
const HOLD_MS = 15_000;

const password = (i: number, v: number) => `pw-${tag}-c${i}-v${v}`;
const decl = (i: number, v = 1): ConnectionDecl => ({
  resourceName: `c${i}`,
  name: `Interrupted ${tag} #${i}`,
  connectionSpec: { id: SALESFORCE, version: "1.0" },
  auth: {
    specName: "Basic Authentication",
    params: { username: `user${i}`, password: { secret: password(i, v) }, securityToken: { secret: `tok-${tag}-${i}` } },
  },
});
const posts = (log: LoggedRequest[]) => log.filter((r) => r.method === "POST" && r.path.endsWith("/connections")).length;
const patches = (log: LoggedRequest[]) => log.filter((r) => r.method === "PATCH").length;
const CONNECTION = "pulumi-nodejs:dynamic/flowservice:Connection";

describe("an interrupted pulumi up leaves no orphan that the next up duplicates (flowservice-recover)", function () {
  this.timeout(240_000);
  let emulator: EmulatorProcess;
  let control: EmulatorControl;
  let stack: TestStack;
  let neighbourDir: string;
  const outputs: string[] = [];

  const neighbour = async (args: string[]): Promise<RunResult> => {
    const r = await runPulumi(stack.ws, neighbourDir, args);
    if (r.code !== 0) throw new Error(`neighbour: pulumi ${args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  const neighbourProgram = (decls: ConnectionDecl[]) =>
    fs.writeFileSync(path.join(neighbourDir, "program.json"), JSON.stringify({ connections: decls }));
  const neighbourIds = async () =>
    new Set(
      (JSON.parse((await neighbour(["stack", "export"])).stdout).deployment.resources as any[])
        .filter((r) => r.type === CONNECTION)
        .map((r) => r.id as string),
    );
  const remote = async (): Promise<any[]> =>
    ((await control.control("GET", "/connections")) as { items: any[] }).items.filter((c) => c.name.startsWith(`Interrupted ${tag} `));
  const pending = async () =>
    (await stack.exportState()).deployment as unknown as { pending_operations?: Array<{ type: string; resource: { urn: string } }> };
  const recover = async (args: string[]) => {
    const started = Date.now();
    const r = await recoverCli(stack, args);
    outputs.push(r.stdout, r.stderr);
    return { ...r, secs: ((Date.now() - started) / 1000).toFixed(1) };
  };

  /** Our connections against Flow Service: lost (one side only, or an update missing), duplicated (a name twice). */
  async function agreement(count: number, version: (i: number) => number): Promise<{ lost: number; duplicated: number }> {
    const state = await stack.connections();
    const theirs = await neighbourIds();
    const ours = (await remote()).filter((c) => !theirs.has(c.id));
    const stateIds = new Set(Object.values(state).map((r) => r.id));
    let lost = ours.filter((c) => !stateIds.has(c.id)).length + [...stateIds].filter((id) => !ours.some((c) => c.id === id)).length;
    const names = new Map<string, number>();
    for (const c of ours) names.set(c.name, (names.get(c.name) ?? 0) + 1);
    const duplicated = [...names.values()].reduce((a, n) => a + n - 1, 0);
    for (let i = 0; i < count; i++) {
      const live = ours.find((c) => c.id === state[`c${i}`]?.id);
      if (!live || live.auth.params.password !== sha256(password(i, version(i))) || state[`c${i}`].outputs.etag !== live.etag) lost++;
    }
    assert.strictEqual(Object.keys(state).length, count, "every resource in state");
    assert.ok(
      Object.values(state).every((r) => !theirs.has(r.id)),
      "no connection of the neighbour's in our state",
    );
    return { lost, duplicated };
  }

  /** Flow Service and IMS requests sent by `pulumi ARGS`. */
  async function requestsOf(args: string[]): Promise<number> {
    await control.clearRequests();
    await stack.ok(args);
    return (await control.apiRequests()).length;
  }

  const leaks = (...texts: string[]) =>
    [DEMO.clientSecret, ...[0, 1, 2, 3, 4, 5].flatMap((i) => [password(i, 1), password(i, 2), `tok-${tag}-${i}`])].filter((s) =>
      texts.some((t) => t.includes(s)),
    ).length;

  before(async function () {
    this.timeout(45 * 60_000);
    ensureEngine();
    emulator = await startEmulatorProcess([]);
    control = new EmulatorControl(emulator.url);
    stack = new TestStack("interrupted");
    // A short retry budget: the provider of a killed run stops sending soon, so flowservice-recover's wait is short.
    await stack.init(emulator.url, DEMO, { "flowservice:retryBudgetMs": "5000", "flowservice:requestTimeoutMs": "20000" });
    neighbourDir = path.join(stack.ws.root, "neighbour");
    fs.mkdirSync(neighbourDir);
    for (const f of ["index.js", "Pulumi.yaml", "package.json"])
      fs.copyFileSync(path.join(stack.programDir, f), path.join(neighbourDir, f));
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(neighbourDir, "node_modules"));
    await neighbour(["stack", "init", "neighbour"]);
    await neighbour(flowConfigArgs(emulator.url, DEMO));
  });

  after(async () => {
    await emulator?.stop();
    stack?.cleanup();
  });

  it("after an up killed during its 5 POSTs, pulumi cancel and up create no twin (refused, naming flowservice-recover), the killed run's provider exits, and flowservice-recover takes the 5 into state; the next up and preview send nothing", async () => {
    stack.setProgram([0, 1, 2, 3, 4].map((i) => decl(i)));
    await control.addFault({ action: "delay-then-apply", delayMs: HOLD_MS, method: "POST", path: "/^\\/connections$/", times: 5 });
    await control.clearRequests();
    const killed = await upKilledWhen(
      stack,
      () => control.apiRequests(),
      (log) => posts(log) >= 5,
    );
    const killedAt = Date.now();
    // Inside the interrupted run's window, the neighbour creates a connection of the same name, client and params.
    neighbourProgram([decl(0)]);
    await neighbour(["up", "--yes", "--skip-preview"]);
    await until("the 5 held POSTs have landed", async () => (await remote()).length === 6);
    const landedMs = Date.now() - killedAt;
    // The killed run's provider host exits once its engine is gone and its requests have settled.
    const host = killed.plugins.filter((p) => /dynamic-provider/.test(p.cmd));
    assert.ok(host.length > 0, `the dynamic-provider host was running: ${killed.plugins.map((p) => p.cmd).join("; ")}`);
    const hostExitMs =
      landedMs + (await until("the killed run's provider processes have exited", async () => host.every((p) => !alive(p.pid)), 20_000));
    endAll(killed.plugins.map((p) => p.pid)); // the language host's, if any are left

    const before = await pending();
    assert.deepStrictEqual(
      (before.pending_operations ?? []).map((o) => o.type),
      Array(5).fill("creating"),
    );
    assert.deepStrictEqual(await stack.connections(), {}, "the killed run recorded no connection");
    // The route Pulumi's lock error suggests: `pulumi cancel`, then `up`. The up refuses every
    // create whose connection the killed run made, naming flowservice-recover, and POSTs nothing.
    const locked = await stack.run(["up", "--yes", "--skip-preview"]);
    assert.notStrictEqual(locked.code, 0);
    assert.match(locked.stdout + locked.stderr, /pulumi cancel/);
    await stack.ok(["cancel", "--yes"]);
    await control.clearRequests();
    // --continue-on-error: the engine stops starting creates after the first failure, so without it
    // how many of the 5 are attempted depends on timing; with it each one is, and each is refused.
    const refused = await stack.run(["up", "--yes", "--skip-preview", "--continue-on-error"]);
    const refusedText = refused.stdout + refused.stderr;
    outputs.push(refusedText);
    assert.notStrictEqual(refused.code, 0, refusedText);
    for (let i = 0; i < 5; i++) {
      assert.match(refusedText, new RegExp(`Connection "Interrupted ${tag} #${i}" was not created: sandbox "prod" already holds`));
    }
    assert.match(refusedText, /'flowservice-recover --yes' to take such objects into the state, then 'pulumi up'/);
    assert.ok(!(await control.apiRequests()).some((r) => r.method === "POST" && r.path.endsWith("/connections")), "no POST");
    assert.strictEqual((await remote()).length, 6, "no twin");

    const check = await recover(["--check"]);
    assert.strictEqual(check.code, 2, check.stdout + check.stderr);
    assert.match(check.stdout, /5 operations were interrupted/);
    const done = await recover(["--yes"]);
    assert.strictEqual(done.code, 0, done.stdout + done.stderr);
    assert.match(done.stdout, /the creation of the provider the pending creates used/);
    assert.match(done.stdout, /5 resources taken into the state, 0 pending creates dropped/);

    assert.deepStrictEqual((await pending()).pending_operations ?? [], []);
    const { lost, duplicated } = await agreement(5, () => 1);
    const upRequests = await requestsOf(["up", "--yes", "--skip-preview"]);
    const previewRequests = await requestsOf(["preview"]);
    const remoteCount = (await remote()).length;
    const leaked = leaks(...outputs, stack.stateFiles());
    recordCase({
      area: "fault",
      case: "pulumi up killed (SIGKILL of the CLI's process group) while its 5 POSTs were in flight; a neighbour stack creates a same-named connection meanwhile; then `pulumi cancel` and `up`, as the lock error suggests",
      via: "engine",
      outcome:
        `killed ${(killed.killedAfterMs / 1000).toFixed(1)} s into up; the 5 POSTs landed ${(landedMs / 1000).toFixed(1)} s after the kill and the killed run's provider host exited ${(hostExitMs / 1000).toFixed(1)} s after it; ` +
        `pulumi cancel + up: the 5 creates refused naming flowservice-recover, no POST, no twin; flowservice-recover --yes (${done.secs} s) took the 5 into state (neighbour's excluded); next up ${upRequests} requests, preview ${previewRequests}`,
      lost,
      duplicated,
      secretsLeaked: leaked,
      test: TEST,
    });
    assert.deepStrictEqual(
      { lost, duplicated, leaked, upRequests, previewRequests, remote: remoteCount },
      { lost: 0, duplicated: 0, leaked: 0, upRequests: 0, previewRequests: 0, remote: 6 },
    );
  });

  it("loses no update and duplicates nothing after an up killed during its PATCHes and a POST that never lands; refresh and up converge", async () => {
    const ids = Object.fromEntries(Object.entries(await stack.connections()).map(([k, r]) => [k, r.id]));
    stack.setProgram([...[0, 1, 2, 3, 4].map((i) => decl(i, 2)), decl(5)]);
    await control.addFault({ action: "delay-then-apply", delayMs: HOLD_MS, method: "PATCH", times: 5 });
    // c5's POST is held and then dropped: it is never applied.
    await control.addFault({ action: "drop", delayMs: 60_000, method: "POST", path: "/^\\/connections$/" });
    await control.clearRequests();
    const killed = await upKilledWhen(
      stack,
      () => control.apiRequests(),
      (log) => patches(log) >= 5 && posts(log) >= 1,
    );
    // The neighbour now owns a connection just like c5's would be: it must not become c5.
    neighbourProgram([decl(0), decl(5)]);
    await neighbour(["up", "--yes", "--skip-preview"]);
    const rotated = async (i: number) => (await control.stored(ids[`c${i}`])).auth.params.password === sha256(password(i, 2));
    await until("the 5 held PATCHes have landed", async () => (await Promise.all([0, 1, 2, 3, 4].map(rotated))).every(Boolean));
    endAll(killed.plugins.map((p) => p.pid));
    const kinds = ((await pending()).pending_operations ?? []).map((o) => `${o.resource.urn.split("::").pop()} ${o.type}`).sort();
    assert.deepStrictEqual(kinds, ["c0 updating", "c1 updating", "c2 updating", "c3 updating", "c4 updating", "c5 creating"]);

    const done = await recover(["--yes"]);
    assert.strictEqual(done.code, 0, done.stdout + done.stderr);
    assert.match(done.stdout, /c5 +create +not created/);
    assert.match(done.stdout, /0 resources taken into the state, 1 pending create dropped, 5 refreshed/);
    // The neighbour's connection looks just like c5's would (same client and identity, minutes old):
    // the up refuses to create c5 beside it, naming it. flowservice-recover found nothing interrupted
    // for c5, so it belongs to something else: the documented override creates c5.
    const blocked = await stack.run(["up", "--yes", "--skip-preview"]);
    outputs.push(blocked.stdout, blocked.stderr);
    assert.notStrictEqual(blocked.code, 0);
    assert.match(
      blocked.stdout + blocked.stderr,
      new RegExp(`Connection "Interrupted ${tag} #5" was not created: sandbox "prod" already holds`),
    );
    const up = await stack.ok(["up", "--yes", "--skip-preview"], { env: { AEP_DUPLICATE_CHECK_MINUTES: "0" } });
    assert.match(up.stdout, /1 created/);
    const { lost, duplicated } = await agreement(6, (i) => (i < 5 ? 2 : 1));
    const theirs = await neighbourIds();
    assert.ok(!theirs.has((await stack.connections()).c5.id), "c5 is a connection of its own, not the neighbour's");
    const refresh = await stack.run(["refresh", "--yes", "--expect-no-changes"]);
    assert.strictEqual(refresh.code, 0, refresh.stdout + refresh.stderr);
    const upRequests = await requestsOf(["up", "--yes", "--skip-preview"]);
    const leaked = leaks(...outputs, up.stdout, up.stderr, stack.stateFiles());
    recordCase({
      area: "fault",
      case: "pulumi up killed while its 5 PATCHes (held, then applied) and a POST (never applied) were in flight; the neighbour stack owns a connection like the unapplied one",
      via: "engine",
      outcome: `5 pending updates + 1 pending create; flowservice-recover --yes (${done.secs} s): c5 not created (neighbour's not adopted), 5 refreshed; up re-sent the secrets and refused to create c5 beside the neighbour's look-alike (naming it); up with AEP_DUPLICATE_CHECK_MINUTES=0 created c5; refresh: no changes; next up ${upRequests} requests`,
      lost,
      duplicated,
      secretsLeaked: leaked,
      test: TEST,
    });
    assert.deepStrictEqual({ lost, duplicated, leaked, upRequests }, { lost: 0, duplicated: 0, leaked: 0, upRequests: 0 });
  });
});
