// Safe credential changes (each credential write verified by a connection test) through the real `pulumi` CLI against the emulator, on one
// stack: each credential write is tested once; a refused rotation, create or adoption is undone
// and `up` fails clearly; a rollback that meets another writer says how to recover; a test that
// cannot be made keeps the write with a warning (or fails under requireVerifiedCredentials); verifyCredentials:
// false sends no test. The steps build on each other.
import assert from "node:assert";
import { randomBytes } from "node:crypto";
import { recordCase } from "../../tools/reliabilityReport";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { NO_TEST_CONNECTOR } from "../helpers/emulatorApi";
import { EmulatorControl, LoggedRequest, sha256 } from "../helpers/emulatorControl";
import { ConnectionDecl, ensureEngine, TestStack } from "./harness";
import { salesforceConnection, salesforceParams } from "../../tools/demo";

const TEST = "test/e2e/verify.test.ts";
const tag = randomBytes(4).toString("hex");
const pw = (what: string) => `pw-${what}-${tag}`;
const TOKEN = `sf-token-${tag}`;

function salesforce(resourceName: string, password: string, extra: Partial<ConnectionDecl> = {}): ConnectionDecl {
  return {
    resourceName,
    ...salesforceConnection(
      `Salesforce ${resourceName}`,
      salesforceParams("sf-user", { secret: password }, { secret: TOKEN }),
      "CRM accounts",
    ),
    ...extra,
  };
}
const untestable = (password: string): ConnectionDecl => ({
  resourceName: "legacy",
  name: "Legacy system",
  connectionSpec: { id: NO_TEST_CONNECTOR },
  auth: { specName: "Basic Authentication", params: { username: "legacy-user", password: { secret: password } } },
});

describe("end to end: credential changes are tested, and refused ones undone", function () {
  this.timeout(180_000);
  let emulator: EmulatorProcess;
  let control: EmulatorControl;
  let stack: TestStack;
  const used = new Set<string>([TOKEN]);
  let crmId = "";

  before(async function () {
    this.timeout(45 * 60_000);
    ensureEngine();
    emulator = await startEmulatorProcess();
    control = new EmulatorControl(emulator.url);
    stack = new TestStack("verify");
    // Few retries: the unavailable-test case waits through them.
    await stack.init(emulator.url, undefined, { "flowservice:maxRetries": "2" });
  });
  after(async () => {
    await emulator?.stop();
    stack?.cleanup();
  });

  const program = (decls: ConnectionDecl[]) => {
    for (const d of decls) for (const v of Object.values(d.auth.params)) if (typeof v === "object") used.add(v.secret);
    stack.setProgram(decls);
  };
  const up = () => stack.run(["up", "--yes", "--skip-preview"]);
  const outputText = (r: { stdout: string; stderr: string }) => `${r.stdout}\n${r.stderr}`;
  const flow = async (): Promise<LoggedRequest[]> => control.apiRequests();
  const summary = (rs: LoggedRequest[]) => rs.map((r) => `${r.method} ${r.path.replace("/data/foundation/flowservice", "")}`);
  /** State outputs with secrets in clear: compared only, never kept in the scanned transcript. */
  const clearOutputs = async (name: string): Promise<Record<string, any>> => {
    const r = await stack.ok(["stack", "export", "--show-secrets"]);
    stack.transcript.pop();
    const res = JSON.parse(r.stdout).deployment.resources.find((x: any) => String(x.urn).endsWith(`::${name}`));
    return res?.outputs;
  };

  it("creates a connection, tests it once, and records the passed test", async () => {
    program([salesforce("crm", pw("one"))]);
    const r = await up();
    assert.strictEqual(r.code, 0, outputText(r));
    const crm = (await stack.connections()).crm;
    crmId = crm.id;
    assert.strictEqual(crm.outputs.verification, "passed");
    assert.ok(Date.parse(crm.outputs.verifiedAt) > Date.now() - 120_000);
    assert.strictEqual(summary(await flow()).filter((l) => l.endsWith("/test")).length, 1);
  });

  it("rotates a password with exactly one token, one PATCH and one test", async () => {
    const before = (await stack.connections()).crm.outputs;
    program([salesforce("crm", pw("two"))]);
    await control.clearRequests();
    const r = await up();
    assert.strictEqual(r.code, 0, outputText(r));
    assert.deepStrictEqual(summary(await flow()), ["POST /ims/token/v3", `PATCH /connections/${crmId}`, `GET /connections/${crmId}/test`]);
    const after = (await stack.connections()).crm.outputs;
    assert.strictEqual(after.verification, "passed");
    assert.ok(after.verifiedAt > before.verifiedAt, "verifiedAt records the new test");
    assert.strictEqual((await control.stored(crmId)).auth.params.password, sha256(pw("two")));
    recordCase({
      area: "credentials",
      case: "rotation accepted by the source system, through pulumi up",
      via: "engine",
      outcome: "1 token, 1 PATCH, 1 test; verification: passed",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("fails a refused rotation clearly, rolls the credential back, tests it again, and changes only the etag and verifiedAt in state", async () => {
    await control.refuseCredential({ param: "password", value: pw("bad") });
    const before = await clearOutputs("crm");
    program([salesforce("crm", pw("bad"))]);
    await control.clearRequests();
    const r = await up();
    assert.notStrictEqual(r.code, 0);
    const text = outputText(r);
    assert.ok(text.includes(`Connection ${crmId} ("Salesforce crm"): the source system refused the new credentials`), text);
    assert.match(text, /They were rolled back; the previous credentials pass/);
    assert.match(text, /Tested again after the rollback: the previous credentials pass/);
    assert.match(text, /Params involved: password \(values not shown\)/);
    assert.deepStrictEqual(
      summary(await flow()).filter((l) => !l.includes("/ims/")),
      [`PATCH /connections/${crmId}`, `GET /connections/${crmId}/test`, `PATCH /connections/${crmId}`, `GET /connections/${crmId}/test`],
    );
    const live = await control.stored(crmId);
    assert.strictEqual(live.auth.params.password, sha256(pw("two")), "the emulator holds the previous credential");
    const after = await clearOutputs("crm");
    assert.strictEqual(after.etag, live.etag, "state has the rollback's etag: the next up does not meet a 412");
    assert.notStrictEqual(after.etag, before.etag);
    assert.strictEqual(after.verification, "passed");
    assert.ok(after.verifiedAt > before.verifiedAt, "verifiedAt: the test after the rollback");
    assert.deepStrictEqual(
      { ...after, etag: undefined, verifiedAt: undefined },
      { ...before, etag: undefined, verifiedAt: undefined },
      "state unchanged apart from the etag and the new test",
    );
    recordCase({
      area: "credentials",
      case: "rotation refused by the source system, through pulumi up",
      via: "engine",
      outcome:
        "up failed clearly; PATCH, test, PATCH back, test again (the previous credentials pass: said so); emulator holds the previous credential; state: previous values, rollback's etag",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("converges with a corrected value: one PATCH and one test", async () => {
    program([salesforce("crm", pw("three"))]);
    await control.clearRequests();
    const r = await up();
    assert.strictEqual(r.code, 0, outputText(r));
    assert.deepStrictEqual(
      summary(await flow()).filter((l) => !l.includes("/ims/")),
      [`PATCH /connections/${crmId}`, `GET /connections/${crmId}/test`],
    );
    assert.strictEqual((await control.stored(crmId)).auth.params.password, sha256(pw("three")));
    assert.strictEqual((await stack.connections()).crm.outputs.verification, "passed");
  });

  it("rolls a refused rotation back onto a credential the source no longer accepts, says both fail, and records 'refused', never 'passed'", async () => {
    // The usual order: the password was changed at the source first (three is refused now), then a mistyped one is pushed.
    await control.refuseCredential({ param: "password", value: pw("three") });
    const before = (await stack.connections()).crm.outputs;
    program([salesforce("crm", pw("typo"))]);
    await control.refuseCredential({ param: "password", value: pw("typo") });
    const r = await up();
    assert.notStrictEqual(r.code, 0);
    const text = outputText(r);
    assert.match(text, /rolled back; the previous credentials fail too — the source refuses both/);
    assert.doesNotMatch(text, /works as before|previous credentials pass/);
    const after = (await stack.connections()).crm.outputs;
    assert.strictEqual(after.verification, "refused", "not passed: the test after the rollback failed");
    assert.strictEqual(after.verifiedAt, before.verifiedAt, "verifiedAt stays the last test that passed");
    assert.strictEqual((await control.stored(crmId)).auth.params.password, sha256(pw("three")));
    recordCase({
      area: "credentials",
      case: "rotation refused, and the previous credential is refused too (changed at the source first), through pulumi up",
      via: "engine",
      outcome:
        "up failed: 'rolled back; the previous credentials fail too — the source refuses both'; state verification: refused (never passed)",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
    program([salesforce("crm", pw("three"))]);
    await control.clearRefusedCredentials();
    await control.refuseCredential({ param: "password", value: pw("bad") });
  });

  it("deletes a new connection whose credentials are refused, so a failed up leaves nothing behind", async () => {
    program([salesforce("crm", pw("three")), salesforce("partners", pw("bad"))]);
    const r = await up();
    assert.notStrictEqual(r.code, 0);
    assert.match(outputText(r), /Connection "Salesforce partners" was not created: the source system refused its credentials/);
    assert.match(outputText(r), /was deleted, so nothing is left half-made/);
    const remote = ((await control.control("GET", "/connections")) as { items: any[] }).items;
    assert.deepStrictEqual(
      remote.map((c) => c.id),
      [crmId],
      "nothing left in the emulator",
    );
    assert.strictEqual((await stack.connections()).partners, undefined);
    recordCase({
      area: "credentials",
      case: "create refused by the source system, through pulumi up",
      via: "engine",
      outcome: "up failed clearly; the new connection was deleted; nothing in state or in Flow Service",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("rolls a refused adoption back and never deletes the adopted connection", async () => {
    const existing = await control.createSalesforce("Adopted CRM", {
      environmentUrl: "login.salesforce.com",
      username: "ui-user",
      password: `ui-pass-${tag}`,
      securityToken: `ui-tok-${tag}`,
    });
    used.add(`ui-pass-${tag}`).add(`ui-tok-${tag}`);
    program([salesforce("crm", pw("three")), salesforce("adopted", pw("bad"), { name: "Adopted CRM", adoptId: existing.id })]);
    const r = await up();
    assert.notStrictEqual(r.code, 0);
    assert.match(outputText(r), /the previous values of password, securityToken could not be restored \(the connection was adopted/);
    const live = await control.stored(existing.id);
    assert.ok(live, "not deleted");
    assert.strictEqual(live.username ?? live.auth.params.username, "ui-user", "readable params restored");
    assert.strictEqual((await stack.connections()).adopted, undefined, "the adoption is not recorded");
    recordCase({
      area: "credentials",
      case: "adoption refused by the source system, through pulumi up",
      via: "engine",
      outcome:
        "up failed clearly; PATCHed back to what was read (the secrets, never returned by Flow Service, could not be: said so); not deleted",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("reports a rollback that meets another writer, loses neither write, and recovers with refresh then up", async () => {
    // The test is held 1.5 s; as soon as the PATCH has landed, someone edits the connection in the UI.
    await control.addFault({ action: "delay-then-apply", delayMs: 1500, method: "GET", path: "/test" });
    program([salesforce("crm", pw("bad"))]);
    await control.clearRequests();
    const running = up();
    let edit: { etag: string } | undefined;
    for (let i = 0; i < 600 && !edit; i++) {
      if ((await flow()).some((q) => q.method === "PATCH" && q.status === 200)) {
        edit = await control.editOutOfBand(crmId, [{ op: "replace", path: "/description", value: "edited in the UI" }], "jane@example.com");
      } else await new Promise((res) => setTimeout(res, 50));
    }
    assert.ok(edit, "the PATCH landed");
    const r = await running;
    assert.notStrictEqual(r.code, 0);
    const text = outputText(r);
    assert.match(text, /rolling them back failed: the connection was changed by someone else in the meantime/);
    assert.match(
      text,
      /The connection now holds the new, unverified credentials: version "[^"]+" has them; someone else has changed it since/,
    );
    assert.ok(text.includes(`Flow Service now has version ${edit!.etag}`), text);
    assert.match(text, /Nothing was overwritten\. To recover: run 'pulumi refresh'.*then 'pulumi up'/);
    const live = await control.stored(crmId);
    assert.strictEqual(live.description, "edited in the UI", "the other writer's change is kept");
    assert.strictEqual(live.auth.params.password, sha256(pw("bad")));
    const recorded = (await stack.connections()).crm.outputs;
    assert.strictEqual(recorded.verification, "refused");
    assert.notStrictEqual(recorded.etag, live.etag, "state holds the version with the new credentials, not the other writer's");
    // Recovery, as the message says.
    await stack.ok(["refresh", "--yes", "--skip-preview"]);
    program([salesforce("crm", pw("four"), { description: "edited in the UI" })]);
    await control.clearRequests();
    const fixed = await up();
    assert.strictEqual(fixed.code, 0, outputText(fixed));
    assert.deepStrictEqual(
      summary(await flow()).filter((l) => !l.includes("/ims/")),
      [`PATCH /connections/${crmId}`, `GET /connections/${crmId}/test`],
    );
    const after = await control.stored(crmId);
    assert.strictEqual(after.auth.params.password, sha256(pw("four")));
    assert.strictEqual(after.description, "edited in the UI");
    assert.strictEqual((await stack.connections()).crm.outputs.verification, "passed");
    recordCase({
      area: "credentials",
      case: "rollback of a refused rotation meets a concurrent writer (412), through pulumi up",
      via: "engine",
      outcome:
        "up failed: unverified credentials, their etag, the other version, refresh then up; other writer's edit kept; refresh + up: 1 PATCH + 1 test",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("keeps the write and reports it when the connector cannot be tested, or the test endpoint is down", async () => {
    const crm = salesforce("crm", pw("four"), { description: "edited in the UI" });
    program([crm, untestable(pw("legacy-one"))]);
    let r = await up();
    assert.strictEqual(r.code, 0, outputText(r));
    assert.strictEqual((await stack.connections()).legacy.outputs.verification, "unsupported");
    await control.failConnectionTests({ status: 503 });
    program([salesforce("crm", pw("five"), { description: "edited in the UI" }), untestable(pw("legacy-two"))]);
    await control.clearRequests();
    r = await up();
    await control.clearFaults();
    assert.strictEqual(r.code, 0, outputText(r));
    const conns = await stack.connections();
    assert.strictEqual(conns.crm.outputs.verification, "unavailable");
    assert.strictEqual(conns.legacy.outputs.verification, "unavailable");
    // Each untested write is a warning naming the connection and why.
    const warned = outputText(r);
    assert.match(warned, /warning: /);
    assert.ok(
      warned.includes(
        `Connection ${crmId} ("Salesforce crm"): its credentials were updated but not tested — the test endpoint did not answer`,
      ),
      warned,
    );
    assert.ok(warned.includes(`Connection ${conns.legacy.id} ("Legacy system"): its credentials were updated but not tested`), warned);
    assert.strictEqual((await flow()).filter((q) => q.method === "PATCH").length, 2, "one PATCH each, no rollback");
    assert.strictEqual((await control.stored(crmId)).auth.params.password, sha256(pw("five")));
    recordCase({
      area: "credentials",
      case: "connector whose test is unsupported; test endpoint down (503 after retries), through pulumi up",
      via: "engine",
      outcome:
        "up succeeded with a warning naming each connection and why; writes kept; verification: unsupported / unavailable; no rollback",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("fails the up on an untested credential write under flowservice:requireVerifiedCredentials; the next up sends and tests it again", async () => {
    await stack.ok(["config", "set", "flowservice:requireVerifiedCredentials", "true"]);
    const crm = (v: string) => salesforce("crm", pw(v), { description: "edited in the UI" });
    await control.failConnectionTests({ status: 503 });
    program([crm("strict"), untestable(pw("legacy-two"))]);
    const r = await up();
    await control.clearFaults();
    assert.notStrictEqual(r.code, 0, outputText(r));
    assert.ok(outputText(r).includes(`Connection ${crmId} ("Salesforce crm"): its credentials were updated but not tested`), outputText(r));
    assert.match(outputText(r), /requireVerifiedCredentials is true, so this fails/);
    assert.strictEqual((await control.stored(crmId)).auth.params.password, sha256(pw("strict")), "the write stands");
    await control.clearRequests();
    const again = await up();
    assert.strictEqual(again.code, 0, outputText(again));
    assert.deepStrictEqual(
      summary(await flow()).filter((l) => !l.includes("/ims/")),
      [`PATCH /connections/${crmId}`, `GET /connections/${crmId}/test`],
      "the untested param is sent and tested again",
    );
    assert.strictEqual((await stack.connections()).crm.outputs.verification, "passed");
    await stack.ok(["config", "rm", "flowservice:requireVerifiedCredentials"]);
    recordCase({
      area: "credentials",
      case: "test endpoint down (503 after retries) under flowservice:requireVerifiedCredentials true, through pulumi up",
      via: "engine",
      outcome: "up failed naming the connection; the write stands, recorded without the untested param; next up: 1 PATCH + 1 test, passed",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("sends no test for a resource with verifyCredentials: false, nor for any with flowservice:verifyCredentials false", async () => {
    program([salesforce("crm", pw("bad"), { description: "edited in the UI", verifyCredentials: false }), untestable(pw("legacy-two"))]);
    await control.clearRequests();
    let r = await up();
    assert.strictEqual(r.code, 0, outputText(r));
    assert.ok(!summary(await flow()).some((l) => l.endsWith("/test")), "no test request");
    assert.strictEqual((await stack.connections()).crm.outputs.verification, "skipped");
    await stack.ok(["config", "set", "flowservice:verifyCredentials", "false"]);
    program([salesforce("crm", pw("six"), { description: "edited in the UI" }), untestable(pw("legacy-three"))]);
    await control.clearRequests();
    r = await up();
    assert.strictEqual(r.code, 0, outputText(r));
    assert.deepStrictEqual(
      (await flow()).filter((q) => q.method !== "POST").map((q) => q.method),
      ["PATCH", "PATCH"],
    );
    const conns = await stack.connections();
    assert.deepStrictEqual([conns.crm.outputs.verification, conns.legacy.outputs.verification], ["skipped", "skipped"]);
  });

  it("leaves no secret value in any CLI output or state file", () => {
    const haystack = [...stack.transcript, stack.stateFiles()].join("\n");
    const hits = [...used].filter((s) => haystack.includes(s));
    recordCase({
      area: "secrets",
      case: "credential verification run (refusals, rollbacks, partial failures) scanned",
      via: "engine",
      outcome: hits.length ? `leaked: ${hits.length}` : "no secret value in any CLI output or state file",
      lost: 0,
      duplicated: 0,
      secretsLeaked: hits.length,
      test: TEST,
    });
    assert.deepStrictEqual(hits, []);
  });
});
