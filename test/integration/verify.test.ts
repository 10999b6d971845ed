// Safe credential changes (each credential write verified by a connection test), the provider's methods against the emulator over HTTP: one
// test after each credential write, a refused write undone (a new connection deleted, an update
// or adoption PATCHed back), what the engine is told to record, and tests that cannot be made.
import assert from "node:assert";
import { configure, provider } from "../../provider/dynamicProvider";
import { CredentialsRefusedError } from "../../provider/core/errors";
import { FLOW_BASE_PATH } from "../../tools/demo";
import { flowConfig } from "../../tools/pulumiCli";
import { recordCase } from "../../tools/reliabilityReport";
import { DEMO, NO_TEST_CONNECTOR, SALESFORCE, useEmulator } from "../helpers/emulatorApi";
import { EmulatorControl, LoggedRequest, sha256 } from "../helpers/emulatorControl";

const TEST = "test/integration/verify.test.ts";
const CODE = "exports.handler = () => require('pulumi-flowservice/dist/provider/dynamicProvider').provider;";

function inputs(password: string, extra: Record<string, unknown> = {}) {
  return {
    name: "Salesforce prod",
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

/** A partial failure as the dynamic-provider host sends it to the engine. */
type Recorded = CredentialsRefusedError & { id?: string; properties?: Record<string, any>; reasons?: string[] };

describe("credential verification against the emulator", function () {
  this.timeout(60_000);
  let control: EmulatorControl;
  let url = "";
  useEmulator((emu) => {
    url = emu.url;
    control = new EmulatorControl(emu.url);
  });

  /** A new provider process (new token); retries kept short so an unavailable test endpoint fails fast. */
  const fresh = (extra: Record<string, string> = {}) => {
    const config = flowConfig(url, DEMO, { "flowservice:maxRetries": "2", ...extra });
    configure((k) => config[k], {});
  };
  beforeEach(() => fresh());

  const sent = async (): Promise<LoggedRequest[]> => (await control.requests()).filter((r) => !r.path.startsWith("/__emulator"));
  const lines = (rs: LoggedRequest[]) => rs.map((r) => `${r.method} ${r.path.replace(FLOW_BASE_PATH, "")}`);
  const allStored = async () => ((await control.control("GET", "/connections")) as { items: any[] }).items;
  const checked = async (olds: Record<string, unknown>, news: Record<string, unknown>) => ({
    ...(await provider.check!(olds, news)).inputs,
    __provider: CODE,
  });

  /** What the dynamic-provider host can send: plain JSON, no undefined member ("Unexpected struct type"). */
  const hostSafe = <T>(outs: T): T => {
    assert.deepStrictEqual(outs, JSON.parse(JSON.stringify(outs)));
    return outs;
  };

  async function created(password = "pw-good-111", extra: Record<string, unknown> = {}) {
    const r = await provider.create(await checked({}, inputs(password, extra)));
    hostSafe(r.outs);
    const outs: Record<string, any> = { ...r.outs, __provider: CODE };
    return { id: r.id, outs };
  }

  async function refusal(run: Promise<unknown>): Promise<Recorded> {
    let caught: unknown;
    await run.catch((e) => (caught = e));
    assert.ok(caught instanceof CredentialsRefusedError, `expected a refusal, got ${caught}`);
    return caught as Recorded;
  }

  it("tests a new connection once, after creating it, and records the passed test", async () => {
    const { id, outs } = await created();
    assert.deepStrictEqual(lines(await sent()), [
      "POST /ims/token/v3",
      "GET /connections", // the listing a create looks in for an interrupted run's connection (once per run)
      "POST /connections",
      `GET /connections/${id}`,
      `GET /connections/${id}/test`,
    ]);
    assert.strictEqual(outs.verification, "passed");
    assert.ok(Math.abs(Date.parse(outs.verifiedAt) - Date.now()) < 60_000, outs.verifiedAt);
  });

  it("rotates a password with exactly one token, one PATCH and one test, and records the passed test", async () => {
    const { id, outs } = await created();
    fresh();
    await control.clearRequests();
    const result = await provider.update!(id, outs, await checked(inputs("pw-good-111"), inputs("pw-good-222")));
    assert.deepStrictEqual(lines(await sent()), ["POST /ims/token/v3", `PATCH /connections/${id}`, `GET /connections/${id}/test`]);
    assert.strictEqual(result.outs.verification, "passed");
    assert.ok(result.outs.verifiedAt >= outs.verifiedAt);
    assert.strictEqual((await control.stored(id)).auth.params.password, sha256("pw-good-222"));
  });

  it("does not test after a patch that writes no credential, and keeps the last test's outcome", async () => {
    const { id, outs } = await created();
    await control.clearRequests();
    const result = await provider.update!(id, outs, await checked(inputs("pw-good-111"), inputs("pw-good-111", { name: "Renamed" })));
    assert.deepStrictEqual(lines(await sent()), [`PATCH /connections/${id}`]);
    assert.strictEqual(result.outs.verification, "passed");
    assert.strictEqual(result.outs.verifiedAt, outs.verifiedAt);
  });

  it("rolls a refused rotation back with If-Match from the PATCH, fails clearly, and has the engine record the previous values with the rollback's etag", async () => {
    const { id, outs } = await created();
    await control.refuseCredential({ connectionSpecId: SALESFORCE, param: "password", value: "pw-bad-999" });
    await control.clearRequests();
    const e = await refusal(
      provider.update!(id, outs, await checked(inputs("pw-good-111"), inputs("pw-bad-999", { description: "CRM (rotated)" }))),
    );
    const log = await sent();
    assert.deepStrictEqual(lines(log), [
      `PATCH /connections/${id}`,
      `GET /connections/${id}/test`,
      `PATCH /connections/${id}`,
      `GET /connections/${id}/test`,
    ]);
    assert.strictEqual(log[0].headers["if-match"], outs.etag);
    // If-Match of the rollback: neither the state's etag nor the final one, and accepted: the first PATCH's.
    assert.notStrictEqual(log[2].headers["if-match"], outs.etag);
    assert.deepStrictEqual([log[0].status, log[2].status], [200, 200]);
    assert.deepStrictEqual(log[2].body, [
      { op: "replace", path: "/description", value: "CRM" },
      { op: "replace", path: "/auth/params/password", value: "[redacted]" },
    ]);
    assert.match(e.message, new RegExp(`Connection ${id} \\("Salesforce prod"\\): the source system refused the new credentials`));
    assert.match(e.message, /They were rolled back; the previous credentials pass/);
    assert.match(e.message, /Params involved: password \(values not shown\)/);
    assert.ok(!e.message.includes("pw-bad-999") && !e.message.includes("pw-good-111"));
    const live = await control.stored(id);
    assert.strictEqual(live.auth.params.password, sha256("pw-good-111"), "the emulator holds the previous credential");
    assert.strictEqual(live.description, "CRM");
    // The partial failure: the previous outputs, the etag of the rollback, the provider code.
    assert.strictEqual(e.id, id);
    assert.deepStrictEqual(e.reasons, [e.message]);
    const { etag, verifiedAt, ...rest } = e.properties!;
    const { etag: oldEtag, verifiedAt: oldVerifiedAt, ...oldRest } = outs;
    assert.strictEqual(etag, live.etag);
    assert.notStrictEqual(etag, oldEtag);
    assert.notStrictEqual(etag, log[2].headers["if-match"], "the etag changed twice");
    assert.deepStrictEqual(rest, oldRest, "state unchanged apart from the etag and the new test");
    assert.ok(verifiedAt > oldVerifiedAt, "verifiedAt is the test after the rollback");
    // The next up, with a corrected value, from what was recorded: one PATCH and one test.
    await control.clearRequests();
    const next = await provider.update!(id, e.properties!, await checked(inputs("pw-bad-999"), inputs("pw-good-333")));
    assert.deepStrictEqual(lines(await sent()), [`PATCH /connections/${id}`, `GET /connections/${id}/test`]);
    assert.strictEqual(next.outs.verification, "passed");
    assert.strictEqual((await control.stored(id)).auth.params.password, sha256("pw-good-333"));
    recordCase({
      area: "credentials",
      case: "rotation refused by the source system",
      via: "provider",
      outcome:
        "PATCH, test false, PATCH back (If-Match: the first PATCH's etag), test again (passes: said so); clear error; previous values recorded with the rollback's etag; corrected value: 1 PATCH + 1 test",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("deletes a connection whose credentials are refused at create, so nothing is left half-made", async () => {
    await control.refuseCredential({ param: "password", value: "pw-bad-999" });
    const e = await refusal(created("pw-bad-999"));
    assert.match(e.message, /Connection "Salesforce prod" was not created: the source system refused its credentials/);
    assert.match(e.message, /was deleted, so nothing is left half-made/);
    assert.match(e.message, /Params involved: environmentUrl, password, securityToken, username \(values not shown\)/);
    assert.strictEqual(e.id, undefined, "nothing for the engine to record");
    assert.deepStrictEqual(await allStored(), []);
    assert.deepStrictEqual(lines(await sent()).slice(-2), [
      `GET /connections/${e.connectionId}/test`,
      `DELETE /connections/${e.connectionId}`,
    ]);
    recordCase({
      area: "credentials",
      case: "create refused by the source system",
      via: "provider",
      outcome: "the new connection was deleted; create failed clearly; nothing left",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("records a refused new connection it could not delete, with its credentials unverified, rather than lose it", async () => {
    await control.refuseCredential({ param: "password", value: "pw-bad-999" });
    await control.addFault({ action: "respond", method: "DELETE", status: 500, times: "always" });
    const e = await refusal(provider.create(await checked({}, inputs("pw-bad-999"))));
    assert.match(e.message, /Deleting the new connection .* failed too .*recorded in Pulumi's state so that it is not lost/);
    assert.strictEqual(e.id, e.connectionId);
    assert.ok(await control.stored(e.connectionId), "it exists");
    assert.strictEqual(hostSafe(e.properties!).verification, "refused");
    assert.deepStrictEqual(e.properties!.auth.params, {}, "the next up sends every param again, and tests them");
    assert.strictEqual(e.properties!.__provider, CODE);
    await control.clearFaults();
    // The next up with the same refused value: tested again, refused again; the params state does
    // not vouch for are not "previously absent": nothing is removed from the connection.
    const again = await refusal(provider.update!(e.connectionId, e.properties!, await checked(inputs("pw-bad-999"), inputs("pw-bad-999"))));
    assert.match(again.message, /previous values of environmentUrl, password, securityToken, username could not be restored/);
    const kept = await control.stored(e.connectionId);
    assert.strictEqual(kept.auth.params.username, "u");
    assert.strictEqual(kept.auth.params.password, sha256("pw-bad-999"));
    const next = await provider.update!(e.connectionId, again.properties!, await checked(inputs("pw-bad-999"), inputs("pw-good-111")));
    assert.strictEqual(next.outs.verification, "passed");
  });

  it("rolls a refused adoption back to what was read, never deletes the adopted connection, and says the previous secret could not be restored", async () => {
    const existing = await control.createSalesforce("Adopted CRM", {
      environmentUrl: "login.salesforce.com",
      username: "ui-user",
      password: "pw-ui-000",
      securityToken: "tok-ui-000",
    });
    await control.refuseCredential({ param: "password", value: "pw-bad-999" });
    await control.clearRequests();
    const e = await refusal(created("pw-bad-999", { name: "Adopted CRM", adoptId: existing.id }));
    assert.ok(!lines(await sent()).some((l) => l.startsWith("DELETE")), "an adopted connection is never deleted");
    const live = await control.stored(existing.id);
    assert.strictEqual(live.auth.params.username, "ui-user", "readable params restored");
    assert.strictEqual(live.description, undefined, "the description the adoption added was removed again");
    assert.match(e.message, /previous values of password, securityToken could not be restored \(the connection was adopted/);
    assert.match(e.message, /The adoption was not recorded in Pulumi's state/);
    assert.strictEqual(e.id, undefined);
    recordCase({
      area: "credentials",
      case: "adoption refused by the source system",
      via: "provider",
      outcome: "PATCHed back to what was read (readable params; secrets cannot be read back, said so); not deleted; not recorded",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("reports a rollback that meets another writer's change: the unverified credentials, their etag, refresh then up; nothing overwritten", async () => {
    const { id, outs } = await created();
    await control.refuseCredential({ param: "password", value: "pw-bad-999" });
    // The test is held 800 ms; meanwhile someone edits the connection in the UI.
    await control.addFault({ action: "delay-then-apply", delayMs: 800, method: "GET", path: "/test" });
    await control.clearRequests();
    const update = refusal(provider.update!(id, outs, await checked(inputs("pw-good-111"), inputs("pw-bad-999"))));
    let patched: LoggedRequest | undefined;
    for (let i = 0; i < 100 && !patched; i++) {
      patched = (await sent()).find((r) => r.method === "PATCH" && r.status === 200);
      if (!patched) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(patched, "the PATCH went first");
    const edit = await control.editOutOfBand(id, [{ op: "replace", path: "/description", value: "edited in the UI" }], "jane@example.com");
    const e = await update;
    const etag1 = e.properties!.etag;
    assert.match(e.message, /rolling them back failed: the connection was changed by someone else in the meantime/);
    assert.ok(e.message.includes(`now holds the new, unverified credentials: version ${etag1} has them`), e.message);
    assert.ok(e.message.includes(`Flow Service now has version ${edit.etag}, changed by jane@example.com`), e.message);
    assert.match(e.message, /Nothing was overwritten\. To recover: run 'pulumi refresh'.*then 'pulumi up'/);
    const live = await control.stored(id);
    assert.strictEqual(live.description, "edited in the UI", "the other writer's change is not lost");
    assert.strictEqual(live.auth.params.password, sha256("pw-bad-999"));
    assert.notStrictEqual(etag1, edit.etag);
    assert.strictEqual(e.properties!.verification, "refused");
    assert.ok(!("password" in e.properties!.auth.params), "the refused password is not vouched for in state");
    // Recovery: refresh takes the live version, then up sends the corrected password and tests it.
    const read = await provider.read!(id, e.properties!);
    assert.strictEqual(read.props!.etag, edit.etag);
    const next = await provider.update!(id, read.props!, await checked(read.inputs!, inputs("pw-good-444")));
    assert.strictEqual(next.outs.verification, "passed");
    assert.strictEqual((await control.stored(id)).auth.params.password, sha256("pw-good-444"));
    recordCase({
      area: "credentials",
      case: "rollback of a refused rotation meets a concurrent writer (412)",
      via: "provider",
      outcome:
        "clear error: unverified credentials, their etag, the other version, refresh then up; the other writer's edit kept; refresh + up recovered",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("reports a rollback whose retries run out, and records the version with the new credentials so the next up re-sends them", async () => {
    const { id, outs } = await created();
    await control.refuseCredential({ param: "password", value: "pw-bad-999" });
    await control.addFault({ action: "delay-then-apply", delayMs: 500, method: "GET", path: "/test" });
    const update = refusal(provider.update!(id, outs, await checked(inputs("pw-good-111"), inputs("pw-bad-999"))));
    for (let i = 0; i < 100 && !(await sent()).some((r) => r.method === "PATCH" && r.status === 200); i++)
      await new Promise((r) => setTimeout(r, 20));
    await control.addFault({ action: "respond", method: "PATCH", status: 503, times: "always" });
    const e = await update;
    await control.clearFaults();
    assert.match(e.message, /rolling them back failed: PATCH .* HTTP 503/);
    assert.ok(e.message.includes(`version ${e.properties!.etag} has them. Nothing was overwritten`), e.message);
    const live = await control.stored(id);
    assert.strictEqual(live.etag, e.properties!.etag, "state records the version that holds the new credentials");
    assert.strictEqual(live.auth.params.password, sha256("pw-bad-999"));
    assert.strictEqual(
      (await sent()).filter((r) => r.method === "PATCH" && r.status === 503).length,
      3,
      "the rollback was retried (maxRetries 2)",
    );
    const next = await provider.update!(id, e.properties!, await checked(inputs("pw-bad-999"), inputs("pw-good-222")));
    assert.strictEqual(next.outs.verification, "passed");
    recordCase({
      area: "credentials",
      case: "rollback of a refused rotation fails (503 until retries run out)",
      via: "provider",
      outcome:
        "clear error: unverified credentials and their etag, refresh then up; state: that etag, refused params unverified; next up: 1 PATCH + 1 test",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("keeps the write and reports 'unsupported' for a connector whose connections cannot be tested", async () => {
    const noTest = {
      connectionSpec: { id: NO_TEST_CONNECTOR },
      auth: { specName: "Basic Authentication", params: { username: "u", password: "pw-good-111" } },
      secretKeys: ["password"],
    };
    const r = await provider.create(await checked({}, inputs("x", noTest)));
    assert.strictEqual(hostSafe(r.outs as any).verification, "unsupported");
    assert.ok(await control.stored(r.id));
    await control.clearRequests();
    const next = { ...noTest, auth: { ...noTest.auth, params: { username: "u", password: "pw-good-222" } } };
    const u = await provider.update!(r.id, r.outs as any, await checked(inputs("x", noTest), inputs("x", next)));
    assert.strictEqual(hostSafe(u.outs).verification, "unsupported");
    assert.deepStrictEqual(lines(await sent()), [`PATCH /connections/${r.id}`, `GET /connections/${r.id}/test`], "no rollback");
    assert.strictEqual((await control.stored(r.id)).auth.params.password, sha256("pw-good-222"));
    recordCase({
      area: "credentials",
      case: "connector whose test is unsupported (400)",
      via: "provider",
      outcome: "write kept, verification: unsupported, no rollback",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("keeps the write and reports 'unavailable' when the test endpoint fails after retries", async () => {
    const { id, outs } = await created();
    await control.failConnectionTests({ status: 503 });
    await control.clearRequests();
    const u = await provider.update!(id, outs, await checked(inputs("pw-good-111"), inputs("pw-good-222")));
    assert.strictEqual(hostSafe(u.outs).verification, "unavailable");
    assert.strictEqual(u.outs.verifiedAt, outs.verifiedAt, "verifiedAt keeps the last passed test");
    const log = lines(await sent());
    assert.deepStrictEqual(
      log.filter((l) => l.startsWith("PATCH")),
      [`PATCH /connections/${id}`],
      "no rollback",
    );
    assert.strictEqual(log.filter((l) => l.endsWith("/test")).length, 3, "the test was retried (maxRetries 2)");
    assert.strictEqual((await control.stored(id)).auth.params.password, sha256("pw-good-222"));
    recordCase({
      area: "credentials",
      case: "test endpoint unavailable (503 on every attempt)",
      via: "provider",
      outcome: "write kept, verification: unavailable, no rollback",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("sends no test with verifyCredentials: false, per resource or per stack, and the resource's choice wins", async () => {
    await control.refuseCredential({ param: "password", value: "pw-bad-999" });
    const off = await created("pw-bad-999", { verifyCredentials: false });
    assert.strictEqual(off.outs.verification, "skipped");
    fresh({ "flowservice:verifyCredentials": "false" });
    const stackOff = await created("pw-bad-999", { name: "Stack default off" });
    assert.strictEqual(stackOff.outs.verification, "skipped");
    assert.ok(!lines(await sent()).some((l) => l.endsWith("/test")), "no test request");
    const on = await refusal(created("pw-bad-999", { name: "Resource on", verifyCredentials: true }));
    assert.match(on.message, /refused/);
  });

  it("rolls a refused rotation back onto credentials the source refuses too, says so, and records 'refused', never 'passed'", async () => {
    const { id, outs } = await created("pw-old-111");
    // The usual order: the password was changed at the source first, so the old one is refused too.
    await control.refuseCredential({ param: "password", value: "pw-old-111" });
    await control.refuseCredential({ param: "password", value: "pw-typo-999" });
    const e = await refusal(provider.update!(id, outs, await checked(inputs("pw-old-111"), inputs("pw-typo-999"))));
    assert.match(e.message, /rolled back; the previous credentials fail too — the source refuses both/);
    assert.doesNotMatch(e.message, /works as before|previous credentials pass/);
    assert.strictEqual(e.properties!.verification, "refused");
    assert.strictEqual(e.properties!.verifiedAt, outs.verifiedAt, "verifiedAt stays the last test that passed");
    assert.strictEqual((await control.stored(id)).auth.params.password, sha256("pw-old-111"));
    recordCase({
      area: "credentials",
      case: "rotation refused, and the previous credentials are refused too (changed at the source first)",
      via: "provider",
      outcome: "PATCH, test false, PATCH back, test again false: 'the source refuses both'; state verification: refused (not passed)",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("fails an untested write under requireVerifiedCredentials, records it without the untested params, and the next up tests them", async () => {
    fresh({ "flowservice:requireVerifiedCredentials": "true" });
    const { id, outs } = await created();
    await control.failConnectionTests({ status: 503 });
    let caught: unknown;
    await provider.update!(id, outs, await checked(inputs("pw-good-111"), inputs("pw-good-222"))).catch((e) => (caught = e));
    const e = caught as Recorded;
    assert.strictEqual(e?.code, "UNVERIFIED", String(caught));
    assert.match(e.message, new RegExp(`Connection ${id} \\("Salesforce prod"\\): its credentials were updated but not tested`));
    assert.match(e.message, /requireVerifiedCredentials is true, so this fails/);
    assert.strictEqual(e.properties!.verification, "unavailable");
    assert.strictEqual(e.properties!.auth.params.password, undefined, "the untested param is left out of state");
    assert.strictEqual((await control.stored(id)).auth.params.password, sha256("pw-good-222"), "the write stands");
    await control.clearFaults();
    await control.clearRequests();
    const next = await provider.update!(
      id,
      { ...e.properties!, __provider: CODE },
      await checked(inputs("pw-good-222"), inputs("pw-good-222")),
    );
    assert.deepStrictEqual(lines(await sent()), [`PATCH /connections/${id}`, `GET /connections/${id}/test`]);
    assert.strictEqual(next.outs.verification, "passed");
  });

  it("reports a test refused to our own API client (403) as an error that records the write, never as 'unavailable'", async () => {
    const { id, outs } = await created();
    await control.failConnectionTests({ status: 403, body: { error_code: "403003", message: "Api Key is invalid" } });
    let caught: unknown;
    await provider.update!(id, outs, await checked(inputs("pw-good-111"), inputs("pw-good-444"))).catch((e) => (caught = e));
    const e = caught as Recorded;
    assert.strictEqual(e?.code, "AUTH", String(caught));
    assert.match(e.message, /Flow Service refused this stack's own API client when the provider tested them/);
    assert.strictEqual(e.id, id);
    assert.strictEqual(e.properties!.auth.params.password, undefined, "sent again by the next up");
  });
});
