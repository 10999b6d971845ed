// The provider's methods against the emulator over real HTTP: request counts, If-Match, the 412
// message, retries under injected faults, and the serialized provider run the way the host does.
import assert from "node:assert";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { configure, provider, requestStats } from "../../provider/dynamicProvider";
import { takeWarnings } from "../../provider/resources/warnings";
import { ConflictError } from "../../provider/core/errors";
import { DEMO, FLOW_BASE_PATH, SALESFORCE } from "../../tools/demo";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { REPO, flowConfig } from "../../tools/pulumiCli";
import { EmulatorControl, sha256 } from "../helpers/emulatorControl";

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

describe("the provider against the emulator", function () {
  this.timeout(60_000);
  let emulator: EmulatorProcess;
  let control: EmulatorControl;
  let config: Record<string, string>;

  /** A fresh provider process state: new configuration, new token, new connections. */
  const freshProvider = (extra: Record<string, string> = {}) => configure((k) => ({ ...config, ...extra })[k], {});
  const requests = async () => (await control.requests()).filter((r) => !r.path.startsWith("/__emulator"));

  before(async () => {
    emulator = await startEmulatorProcess();
    control = new EmulatorControl(emulator.url);
    config = flowConfig(emulator.url, DEMO);
  });
  after(() => emulator?.stop());
  beforeEach(async () => {
    await fetch(`${emulator.url}/__emulator/reset`, { method: "POST" });
    freshProvider();
  });

  async function created(password = "pw-one-123") {
    const checked = await provider.check!({}, inputs(password));
    const r = await provider.create(checked.inputs);
    return { id: r.id, outs: r.outs as Record<string, any> };
  }

  it("rotates one secret with one token request, one PATCH carrying the planned op and the state's etag, and one credential test", async () => {
    const { id, outs } = await created();
    freshProvider(); // as in a new `pulumi up`: the first call of the process
    await control.clearRequests();
    const news = (await provider.check!(inputs("pw-one-123"), inputs("pw-two-456"))).inputs;
    const result = await provider.update!(id, outs, news);
    const sent = await requests();
    assert.deepStrictEqual(
      sent.map((r) => `${r.method} ${r.path}`),
      ["POST /ims/token/v3", `PATCH ${FLOW_BASE_PATH}/connections/${id}`, `GET ${FLOW_BASE_PATH}/connections/${id}/test`],
    );
    assert.strictEqual(sent[1].headers["if-match"], outs.etag);
    assert.deepStrictEqual(sent[1].body, [{ op: "replace", path: "/auth/params/password", value: "[redacted]" }]);
    const stored = await control.stored(id);
    assert.strictEqual(stored.auth.params.password, sha256("pw-two-456"));
    assert.strictEqual(result.outs.etag, stored.etag);
    assert.notStrictEqual(result.outs.etag, outs.etag);
  });

  it("shares one token among many resources created at once", async () => {
    await Promise.all(Array.from({ length: 8 }, (_, i) => created(`pw-${i}-abcdef`)));
    assert.strictEqual(requestStats().token, 1);
    assert.strictEqual((await requests()).filter((r) => r.path === "/ims/token/v3").length, 1);
  });

  it("makes no request to diff an unchanged program, nor to update with an empty plan", async () => {
    const { id, outs } = await created();
    await control.clearRequests();
    const news = (await provider.check!(inputs("pw-one-123"), inputs("pw-one-123"))).inputs;
    const diff = await provider.diff!(id, outs, { ...news, __provider: outs.__provider });
    assert.strictEqual(diff.changes, false);
    const result = await provider.update!(id, outs, news);
    assert.strictEqual(result.outs.etag, outs.etag);
    assert.deepStrictEqual(await requests(), []);
  });

  it("refuses to overwrite an out-of-band edit with a 412 that names both versions, the change and the recovery", async () => {
    const { id, outs } = await created();
    const edit = await control.editOutOfBand(id, [{ op: "replace", path: "/description", value: "edited in the UI" }], "jane@example.com");
    const news = (await provider.check!(inputs("pw-one-123"), inputs("pw-two-456", { name: "Renamed" }))).inputs;
    await assert.rejects(provider.update!(id, outs, news), (e: Error) => {
      assert.ok(e instanceof ConflictError, e.message);
      assert.ok(e.message.includes(id));
      assert.ok(e.message.includes(outs.etag) && e.message.includes(edit.etag), e.message);
      assert.match(e.message, /jane@example\.com/);
      assert.match(e.message, /description: "CRM" → "edited in the UI"/);
      assert.match(e.message, /pulumi refresh/);
      assert.ok(!e.message.includes("pw-two-456"));
      return true;
    });
    const stored = await control.stored(id);
    assert.strictEqual(stored.etag, edit.etag);
    assert.strictEqual(stored.name, "Salesforce prod");
    assert.strictEqual(stored.auth.params.password, sha256("pw-one-123"));
  });

  it("names each bad argument in check failures", async () => {
    const bad = inputs("pw");
    const r = await provider.check!(
      {},
      {
        ...bad,
        name: undefined,
        adoptId: "not-a-uuid",
        auth: { specName: "Basic Authentication", params: { ...bad.auth.params, username: 7 } },
      },
    );
    // A nested path goes to the engine in the reason, not as the property (core/failures.ts).
    const where = (f: { property: string; reason: string }) => f.property || f.reason.split(":")[0];
    assert.deepStrictEqual(r.failures!.map(where).sort(), ["adoptId", "auth.params.username", "name"]);
    // An auth spec the offline catalog does not know is a warning (Adobe may have added it); `up` asks the live spec.
    takeWarnings();
    const spec = await provider.check!({}, { ...bad, auth: { specName: "Token", params: {} } });
    assert.deepStrictEqual(spec.failures, []);
    assert.deepStrictEqual(
      takeWarnings().map((w) => /^Connection ".*": auth\.specName "Token" is not an auth spec of Salesforce/.test(w)),
      [true],
    );
  });

  it("explains a delete refused because dataflows use the connection (1418), and what to do", async () => {
    const { id, outs } = await created();
    const flags = await fetch(`${emulator.url}/__emulator/connections/${id}/flags`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ usedByFlows: true }),
    });
    assert.strictEqual(flags.status, 200);
    await assert.rejects(provider.delete!(id, outs), (e: Error) => {
      assert.match(e.message, /FLOW-1418-400/);
      assert.match(e.message, /used by dataflows/);
      assert.match(e.message, /deleteOnDestroy: false/);
      return true;
    });
    assert.ok(await control.stored(id), "still there");
  });

  it("treats a 404 on delete as success, and keeps an adopted connection unless told otherwise", async () => {
    const { id, outs } = await created();
    await control.api("DELETE", `/connections/${id}`);
    await provider.delete!(id, outs);
    const other = await created("pw-kept-123");
    await control.clearRequests();
    await provider.delete!(other.id, { ...other.outs, adopted: true });
    assert.deepStrictEqual(await requests(), [], "no DELETE for an adopted connection");
    assert.ok(await control.stored(other.id));
  });

  it("surfaces the status, code, title, message and request id of both error body shapes", async () => {
    const { id, outs } = await created();
    const news = (await provider.check!(inputs("pw-one-123"), inputs("pw-one-123", { name: "Renamed" }))).inputs;
    await control.addFault({
      action: "respond",
      method: "PATCH",
      status: 400,
      body: {
        type: "https://ns.adobe.com/aep/errors/FLOW-1455-400",
        title: "Patch validation failed",
        status: 400,
        report: { "detailed-message": "name is too long", "request-id": "req-problem-1" },
      },
    });
    await assert.rejects(
      provider.update!(id, outs, news),
      /HTTP 400 FLOW-1455-400 Patch validation failed: name is too long \(request id req-problem-1\)/,
    );
    // The older, minimal body.
    await control.addFault({
      action: "respond",
      method: "PATCH",
      status: 400,
      body: { errorMessage: "Invalid patch", errorDetails: "path /nom is not allowed" },
    });
    await assert.rejects(provider.update!(id, outs, news), /HTTP 400: Invalid patch — path \/nom is not allowed/);
    // A gateway body.
    await control.addFault({
      action: "respond",
      method: "PATCH",
      status: 403,
      body: { error_code: "403025", message: "Profile is not valid" },
    });
    await assert.rejects(provider.update!(id, outs, news), /HTTP 403 403025: Profile is not valid/);
  });

  describe("under injected faults", () => {
    const faults = [
      {
        what: "three 429s without Retry-After",
        fault: { action: "respond", status: 429, body: { error_code: "429050", message: "Too many requests" }, times: 3 },
      },
      { what: "a 429 with Retry-After: 1", fault: { action: "respond", status: 429, headers: { "Retry-After": "1" }, times: 1 } },
      { what: "two 503s", fault: { action: "respond", status: 503, body: "<html><body>Service Unavailable</body></html>", times: 2 } },
      { what: "a reset connection", fault: { action: "drop", times: 1 } },
    ];
    for (const { what, fault } of faults) {
      it(`creates exactly one connection and rotates its secret despite ${what}`, async () => {
        await control.addFault({ ...fault, method: "POST", path: "/connections" });
        const { id, outs } = await created();
        await control.addFault({ ...fault, method: "PATCH", path: "/connections" });
        const news = (await provider.check!(inputs("pw-one-123"), inputs("pw-two-456"))).inputs;
        const result = await provider.update!(id, outs, news);
        const all = (await (await fetch(`${emulator.url}/__emulator/connections`)).json()) as { items: Array<{ id: string }> };
        assert.strictEqual(all.items.length, 1, "no duplicate connection");
        const stored = await control.stored(id);
        assert.strictEqual(stored.auth.params.password, sha256("pw-two-456"));
        assert.strictEqual(result.outs.etag, stored.etag);
      });
    }

    it("recognises a PATCH that was applied but whose reply was lost, instead of reporting a conflict", async () => {
      const { id, outs } = await created();
      await control.addFault({ action: "apply-then-drop", method: "PATCH", path: "/connections", times: 1 });
      const news = (await provider.check!(inputs("pw-one-123"), inputs("pw-two-456", { description: "after" }))).inputs;
      const result = await provider.update!(id, outs, news);
      const stored = await control.stored(id);
      assert.strictEqual(stored.description, "after");
      assert.strictEqual(result.outs.etag, stored.etag);
    });

    it("creates exactly one connection when the POST was applied but its reply was lost", async () => {
      await control.addFault({ action: "apply-then-drop", method: "POST", path: "/connections", times: 1 });
      const { id } = await created();
      const all = (await (await fetch(`${emulator.url}/__emulator/connections`)).json()) as { items: Array<{ id: string }> };
      assert.strictEqual(all.items.length, 1);
      assert.strictEqual(all.items[0].id, id);
    });
  });

  it("runs from its serialized form in a fresh Node process, small and free of secrets", async () => {
    const { connectionProvider } = require("pulumi-flowservice/dist/provider/resources/connection");
    const serialized = await pulumi.runtime.serializeFunction(() => connectionProvider, { allowSecrets: true });
    const text = serialized.text;
    assert.ok(text.length < 8192, `serialized provider is ${text.length} bytes`);
    for (const s of [DEMO.clientSecret, "pw-one-123", "pw-two-456", "tok-123456", "Bearer"]) assert.ok(!text.includes(s), s);

    // The host's way: require-from-string, then .handler(), then configure and CRUD.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowservice-serialized-"));
    fs.writeFileSync(path.join(dir, "provider.js"), text);
    const script = `
      const requireFromString = require("require-from-string");
      const fs = require("fs");
      const p = requireFromString(fs.readFileSync(${JSON.stringify(path.join(dir, "provider.js"))}, "utf8")).handler();
      const cfg = JSON.parse(process.env.CFG);
      const input = (pw, extra) => Object.assign(${JSON.stringify(inputs("X"))}, extra || {}, { auth: { specName: "Basic Authentication", params: { username: "u", password: pw, securityToken: "tok-123456" } } });
      (async () => {
        await p.configure({ config: { get: (k) => cfg[k] } });
        const checked = await p.check({}, input("pw-one-123"));
        const c = await p.create(checked.inputs);
        const r = await p.read(c.id, c.outs);
        const u = await p.update(c.id, r.props, (await p.check(checked.inputs, input("pw-two-456"))).inputs);
        await p.delete(c.id, u.outs);
        process.stdout.write(JSON.stringify({ id: c.id, created: c.outs.etag, read: r.props.etag, updated: u.outs.etag }));
      })().catch((e) => { console.error(e.message); process.exit(1); });`;
    const out = JSON.parse(
      execFileSync(process.execPath, ["-e", script], { cwd: REPO, env: { ...process.env, CFG: JSON.stringify(config) }, encoding: "utf8" }),
    );
    fs.rmSync(dir, { recursive: true, force: true });
    assert.strictEqual(out.read, out.created);
    assert.notStrictEqual(out.updated, out.created);
    assert.strictEqual(await control.stored(out.id), undefined, "deleted");
    const methods = (await requests()).map((r) => r.method);
    // token, the duplicate check's listing, create, its read-back and test, refresh, rotation and its test, delete
    assert.deepStrictEqual(methods, ["POST", "GET", "POST", "GET", "GET", "GET", "PATCH", "GET", "DELETE"]);
  });
});
