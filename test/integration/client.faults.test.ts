// Every fault of the reliability matrix, one at a time, against the provider's create and update
// over real HTTP (no engine; the engine runs of the same faults are in test/e2e/reliability*.ts).
// Each case ends in one of two ways: success with exactly one connection holding the new values,
// or a clear error with state and remote still in agreement. Outcomes go to the reliability table.
import assert from "node:assert";
import { configure, provider } from "../../provider/dynamicProvider";
import { DEMO, SALESFORCE } from "../../tools/demo";
import { flowConfig } from "../../tools/pulumiCli";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { recordCase } from "../../tools/reliabilityReport";
import { EmulatorControl, sha256 } from "../helpers/emulatorControl";

const TEST = "test/integration/client.faults.test.ts";

function inputs(password: string, name = "Salesforce prod", extra: Record<string, unknown> = {}) {
  return {
    name,
    description: "CRM",
    connectionSpec: { id: SALESFORCE, version: "1.0" },
    auth: {
      specName: "Basic Authentication",
      params: { environmentUrl: "login.salesforce.com", username: "u", password, securityToken: "tok-123456" },
    },
    secretKeys: ["password", "securityToken"],
    ...extra,
  };
}

const GATEWAY_HTML =
  "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";

interface FaultCase {
  what: string;
  fault: Record<string, unknown>;
  /** For update: the run must fail with an error matching this (the fault is a reply the client cannot trust). */
  updateFails?: RegExp;
  config?: Record<string, string>;
}

const CASES: FaultCase[] = [
  {
    what: "429 without Retry-After (x3)",
    fault: { action: "respond", status: 429, body: { error_code: "429050", message: "Too many requests" }, times: 3 },
  },
  {
    what: "429 with Retry-After: 1",
    fault: {
      action: "respond",
      status: 429,
      headers: { "Retry-After": "1" },
      body: { error_code: "429050", message: "Too many requests" },
    },
  },
  { what: "500 (x2)", fault: { action: "respond", status: 500, body: { title: "Internal Server Error", status: 500 }, times: 2 } },
  { what: "502 HTML page from the gateway", fault: { action: "respond", status: 502, body: GATEWAY_HTML } },
  { what: "503 (x2)", fault: { action: "respond", status: 503, times: 2 } },
  { what: "504", fault: { action: "respond", status: 504, body: "Gateway Timeout" } },
  { what: "connection reset mid-request", fault: { action: "drop" } },
  {
    what: "reply slower than the client timeout (1.5 s vs 500 ms)",
    fault: { action: "delay-then-apply", delayMs: 1500 },
    config: { "flowservice:requestTimeoutMs": "500" },
  },
  { what: "write applied, reply lost", fault: { action: "apply-then-drop" } },
  { what: "2xx reply that is not JSON", fault: { action: "respond", status: 200, body: "OK" }, updateFails: /not JSON|expected JSON/ },
  { what: "2xx reply without etag", fault: { action: "respond", status: 200, body: { id: "x" } }, updateFails: /etag/ },
];

describe("the client under every fault of the reliability matrix (provider methods, real HTTP)", function () {
  this.timeout(60_000);
  let emulator: EmulatorProcess;
  let control: EmulatorControl;
  let base: Record<string, string>;
  const fresh = (extra: Record<string, string> = {}) => configure((k) => ({ ...base, ...extra })[k], {});

  before(async () => {
    emulator = await startEmulatorProcess();
    control = new EmulatorControl(emulator.url);
    base = flowConfig(emulator.url, DEMO);
  });
  after(() => emulator?.stop());
  beforeEach(async () => {
    await fetch(`${emulator.url}/__emulator/reset`, { method: "POST" });
    fresh();
  });

  const stored = async () => ((await (await fetch(`${emulator.url}/__emulator/connections`)).json()) as { items: any[] }).items;

  async function create(password: string, name?: string) {
    const checked = await provider.check!({}, inputs(password, name));
    const r = await provider.create(checked.inputs);
    return { id: r.id, outs: r.outs as Record<string, any> };
  }

  for (const c of CASES) {
    it(`creates exactly one connection when the POST meets: ${c.what}`, async () => {
      fresh(c.config);
      await control.addFault({ ...c.fault, method: "POST", path: "/connections" });
      const started = Date.now();
      const { id } = await create("pw-one-123");
      await new Promise((r) => setTimeout(r, Number(c.fault.delayMs ?? 0))); // let a slow original land
      const all = await stored();
      recordCase({
        area: "fault",
        case: `POST: ${c.what}`,
        via: "provider",
        outcome: `create succeeded in ${((Date.now() - started) / 1000).toFixed(1)} s; ${all.length} connection`,
        lost: all.some((s) => s.id === id) ? 0 : 1,
        duplicated: Math.max(0, all.length - 1),
        secretsLeaked: 0,
        test: TEST,
      });
      assert.deepStrictEqual(
        all.map((s) => s.id),
        [id],
        "exactly the connection in state",
      );
      assert.strictEqual(all[0].auth.params.password, sha256("pw-one-123"));
    });

    it(`rotates the secret, or fails clearly with state and remote in agreement, when the PATCH meets: ${c.what}`, async () => {
      const { id, outs } = await create("pw-one-123");
      fresh(c.config);
      await control.addFault({ ...c.fault, method: "PATCH", path: "/connections" });
      const news = (await provider.check!(inputs("pw-one-123"), inputs("pw-two-456"))).inputs;
      let outcome: string;
      let lost = 0;
      if (c.updateFails) {
        await assert.rejects(provider.update!(id, outs, news), (e: Error) => {
          assert.match(e.message, c.updateFails!);
          assert.match(e.message, /pulumi refresh/, "tells the user how to reconcile");
          assert.ok(!e.message.includes("pw-two-456"));
          return true;
        });
        // The fault answered without applying: the remote still holds the old version, as the state does.
        const remote = await control.stored(id);
        const read = await provider.read!(id, outs);
        assert.strictEqual(read.props!.etag, remote.etag, "refresh takes the live version");
        assert.strictEqual(remote.etag, outs.etag, "state and remote agree");
        // The next up (state unchanged, so the same plan) converges.
        const retried = await provider.update!(id, outs, news);
        const after = await control.stored(id);
        assert.strictEqual(after.auth.params.password, sha256("pw-two-456"));
        assert.strictEqual(retried.outs.etag, after.etag);
        outcome = "update failed with a clear error naming 'pulumi refresh'; remote untouched; refresh agreed; next up converged";
      } else {
        const started = Date.now();
        const result = await provider.update!(id, outs, news);
        await new Promise((r) => setTimeout(r, Number(c.fault.delayMs ?? 0)));
        const remote = await control.stored(id);
        lost = remote.auth.params.password === sha256("pw-two-456") ? 0 : 1;
        const read = await provider.read!(id, result.outs);
        assert.strictEqual(remote.auth.params.password, sha256("pw-two-456"), "the update landed");
        assert.strictEqual(read.props!.etag, remote.etag);
        assert.strictEqual(result.outs.etag, remote.etag, "state holds the live etag: refresh shows no drift");
        outcome = `update succeeded in ${((Date.now() - started) / 1000).toFixed(1)} s; state etag = live etag`;
      }
      const all = await stored();
      assert.strictEqual(all.length, 1);
      recordCase({
        area: "fault",
        case: `PATCH: ${c.what}`,
        via: "provider",
        outcome,
        lost,
        duplicated: all.length - 1,
        secretsLeaked: 0,
        test: TEST,
      });
    });
  }

  it("does not let two same-named resources created at once take each other's connection when one POST reply is lost", async () => {
    await control.addFault({ action: "apply-then-drop", method: "POST", path: "/connections", times: 1 });
    const [a, b] = await Promise.all([create("pw-aaa-111", "Twin"), create("pw-bbb-222", "Twin")]);
    const all = await stored();
    assert.notStrictEqual(a.id, b.id, "two resources, two connections");
    assert.deepStrictEqual(all.map((s) => s.id).sort(), [a.id, b.id].sort());
    assert.strictEqual(all.find((s) => s.id === a.id).auth.params.password, sha256("pw-aaa-111"));
    assert.strictEqual(all.find((s) => s.id === b.id).auth.params.password, sha256("pw-bbb-222"));
    recordCase({
      area: "concurrency",
      case: "two same-named creates at once in one process, one POST reply lost",
      via: "provider",
      outcome: "each resource got its own connection with its own secret (creates of one name are serialized; known ids are never 'found')",
      lost: 0,
      duplicated: all.length - 2,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("never takes an older same-named connection of this process as the one a lost POST created", async () => {
    const first = await create("pw-old-111", "Same name");
    // The second create's POST is answered 503 without being applied: the search must not return `first`.
    await control.addFault({ action: "respond", method: "POST", path: "/connections", status: 503, times: 1 });
    const second = await create("pw-new-222", "Same name");
    assert.notStrictEqual(second.id, first.id);
    assert.strictEqual((await control.stored(second.id)).auth.params.password, sha256("pw-new-222"));
    assert.strictEqual((await stored()).length, 2);
  });

  it("finds its lost connection by exact name even when the name cannot be a list filter (comma, newline)", async () => {
    const name = "Sales, EU\nline two";
    await control.addFault({ action: "apply-then-drop", method: "POST", path: "/connections", times: 1 });
    const { id } = await create("pw-one-123", name);
    const all = await stored();
    assert.deepStrictEqual(
      all.map((s) => s.id),
      [id],
    );
    assert.strictEqual(all[0].name, name);
    recordCase({
      area: "fault",
      case: "POST reply lost, name with a comma and a newline",
      via: "provider",
      outcome: "create succeeded; the search matched the exact name client-side",
      lost: 0,
      duplicated: all.length - 1,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("retries a transient IMS outage, and reports a lasting one as an outage, not as bad credentials", async () => {
    await control.addFault({ action: "respond", path: "/ims/token/v3", status: 503, times: 2 });
    const { id } = await create("pw-one-123");
    assert.ok(await control.stored(id));
    fresh({ "flowservice:maxRetries": "1" });
    await control.addFault({ action: "respond", path: "/ims/token/v3", status: 503, body: "<html>down</html>", times: 10 });
    const checked = await provider.check!({}, inputs("pw-x-123", "Other"));
    await assert.rejects(provider.create(checked.inputs), (e: Error) => {
      assert.match(e.message, /IMS is unavailable/);
      assert.match(e.message, /no Flow Service request was sent/);
      assert.doesNotMatch(e.message, /clientSecret/);
      return true;
    });
    assert.strictEqual((await stored()).length, 1, "nothing was created");
    recordCase({
      area: "fault",
      case: "IMS outage (503 x2, then lasting)",
      via: "provider",
      outcome: "transient: create succeeded; lasting: clear 'IMS is unavailable' error, nothing created",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("renews a token that lives 1 s before it expires, across a run longer than its lifetime, without a 401", async () => {
    await fetch(`${emulator.url}/__emulator/config`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tokenTtlSeconds: 1 }),
    });
    fresh();
    const { id, outs } = await create("pw-one-123");
    await new Promise((r) => setTimeout(r, 1300)); // the first token has expired by now
    const news = (await provider.check!(inputs("pw-one-123"), inputs("pw-two-456"))).inputs;
    const result = await provider.update!(id, outs, news);
    const log = await control.apiRequests();
    assert.strictEqual(log.filter((r) => r.path === "/ims/token/v3").length, 2, "a second token");
    assert.strictEqual(log.filter((r) => r.status === 401).length, 0, "renewed before expiry, never refused");
    assert.strictEqual(result.outs.etag, (await control.stored(id)).etag);
    recordCase({
      area: "fault",
      case: "token expiring mid-run (lifetime 1 s, run 1.3 s)",
      via: "provider",
      outcome: "renewed before expiry (at half its lifetime); no 401; update succeeded",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("redacts the secrets a 400 echoes back, whatever the body shape, including a cut-off excerpt", async () => {
    const { id, outs } = await create("pw-one-123");
    const secret = "pw-two-echoed-9876543210";
    const news = (await provider.check!(inputs("pw-one-123"), inputs(secret))).inputs;
    const bodies = [
      { title: "Bad request", status: 400, report: { "detailed-message": `password '${secret}' is not allowed` } },
      { errorMessage: "invalid", errorDetails: JSON.stringify([{ op: "replace", value: secret }]) },
      { error_code: "400000", message: `bad value ${secret}` },
      `<html><body>${"x".repeat(150)} ${secret} rejected</body></html>`,
    ];
    for (const body of bodies) {
      await control.addFault({ action: "respond", method: "PATCH", status: 400, body });
      await assert.rejects(provider.update!(id, outs, news), (e: Error) => {
        assert.match(e.message, /HTTP 400/);
        assert.ok(!e.message.includes(secret.slice(0, 8)), e.message); // not even the start of it
        return true;
      });
    }
    recordCase({
      area: "secrets",
      case: "API 400 echoing the secret sent (problem body, old body, gateway body, HTML cut at 160 chars)",
      via: "provider",
      outcome: "error shown with the value as [secret]; not even a prefix left",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });
});
