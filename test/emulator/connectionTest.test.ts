// GET /connections/{id}/test for safe credential changes: the same gateway, sandbox and 404 rules
// as every route, a source system that can refuse a stored credential, connectors whose test is
// unsupported, and faults that make the test endpoint unavailable.
import { strict as assert } from "node:assert";
import type { RunningEmulator } from "../../emulator/main";
import { DATA_LAKE, EmulatorApi, NO_TEST_CONNECTOR, S3, SALESFORCE, flowCode, useEmulator } from "../helpers/emulatorApi";
import { EmulatorControl, sha256 } from "../helpers/emulatorControl";

describe("emulator GET /connections/{id}/test", function () {
  let emu: RunningEmulator;
  let api: EmulatorApi;
  let control: EmulatorControl;
  useEmulator((e, a) => {
    [emu, api] = [e, a];
    control = new EmulatorControl(e.url);
  });

  const sfParams = { username: "svc-user", password: "good-password", securityToken: "token-1" };
  const replacePassword = (id: string, etag: string, value: string) =>
    api.patch(id, [{ op: "replace", path: "/auth/params/password", value }], etag);

  describe("gateway, sandbox and 404 rules", function () {
    it("answers 403010 without a token and 401013 with an unknown one, like every route", async () => {
      const { id } = await api.createSalesforce();
      const none = await api.get(`/connections/${id}/test`, { headers: { Authorization: undefined } });
      assert.equal(none.status, 403);
      assert.deepEqual(none.json, { error_code: "403010", message: "Oauth token is missing." });
      const bad = await api.get(`/connections/${id}/test`, { headers: { Authorization: "Bearer emu-not-a-token" } });
      assert.equal(bad.status, 401);
      assert.equal(bad.json.error_code, "401013");
    });

    it("answers 2105 without x-sandbox-name and 404 1101 from another sandbox", async () => {
      const { id } = await api.createSalesforce();
      assert.equal(flowCode(await api.get(`/connections/${id}/test`, { headers: { "x-sandbox-name": undefined } })), "2105-400");
      const dev = await new EmulatorApi(emu.url, "dev").testConnection(id);
      assert.equal(dev.status, 404);
      assert.equal(flowCode(dev), "1101-404");
      assert.deepEqual((await api.testConnection(id)).json, { result: true }, "still testable in its own sandbox");
    });

    it("answers 404 1101 naming an unknown id, and 405 with Allow: GET for another method", async () => {
      const r = await api.testConnection("3f4ae131-b384-4e73-0000-000000000000");
      assert.equal(r.status, 404);
      assert.equal(flowCode(r), "1101-404");
      assert.equal(r.json.report.id, "3f4ae131-b384-4e73-0000-000000000000");
      const { id } = await api.createSalesforce();
      const post = await api.call("POST", `/connections/${id}/test`, { body: {} });
      assert.equal(post.status, 405);
      assert.equal(post.headers.get("allow"), "GET");
    });
  });

  describe("a source system that refuses a credential", function () {
    it("accepts the PATCH but tests false while the refused secret is stored, and true again after a rollback", async () => {
      const { id, etag } = await api.createSalesforce("sf", sfParams);
      const rule = await control.refuseCredential({ connectionSpecId: SALESFORCE, param: "password", value: "rotated-but-wrong" });
      assert.deepEqual((await api.testConnection(id)).json, { result: true });
      const patched = await replacePassword(id, etag, "rotated-but-wrong");
      assert.equal(patched.status, 200, "Flow Service itself stores the credential");
      assert.deepEqual((await api.testConnection(id)).json, { result: false });
      const rolledBack = await replacePassword(id, patched.json.etag, "good-password");
      assert.equal(rolledBack.status, 200);
      assert.deepEqual((await api.testConnection(id)).json, { result: true });
      assert.equal(rule.digest, sha256("rotated-but-wrong"));
    });

    it("keeps only the digest: neither the rule list nor the request log holds the refused value", async () => {
      const { id, etag } = await api.createSalesforce("sf", sfParams);
      const rule = await control.refuseCredential({ param: "password", value: "never-in-clear-7f3a" });
      await replacePassword(id, etag, "never-in-clear-7f3a");
      const everything = JSON.stringify([rule, await control.refusedCredentials(), await control.requests(), await control.stored(id)]);
      assert.doesNotMatch(everything, /never-in-clear-7f3a/);
      assert.deepEqual(await control.refusedCredentials(), [
        { id: rule.id, connectionSpecId: null, param: "password", digest: sha256("never-in-clear-7f3a") },
      ]);
    });

    it("matches a non-secret param too, and a rule given as a digest", async () => {
      const { id } = await api.createSalesforce("sf", sfParams);
      await control.refuseCredential({ param: "username", digest: sha256("svc-user") });
      assert.deepEqual((await api.testConnection(id)).json, { result: false });
    });

    it("limits a rule to its connector", async () => {
      const { id } = await api.createSalesforce("sf", sfParams);
      await control.refuseCredential({ connectionSpecId: S3, param: "password", value: "good-password" });
      assert.deepEqual((await api.testConnection(id)).json, { result: true });
    });

    it("forgets the rules on DELETE /refuse-credentials and on reset", async () => {
      const { id } = await api.createSalesforce("sf", sfParams);
      await control.refuseCredential({ param: "securityToken", value: "token-1" });
      assert.deepEqual((await api.testConnection(id)).json, { result: false });
      await control.clearRefusedCredentials();
      assert.deepEqual((await api.testConnection(id)).json, { result: true });
      await control.refuseCredential({ param: "securityToken", value: "token-1" });
      await api.control("POST", "/reset");
      assert.deepEqual(await control.refusedCredentials(), []);
    });

    it("rejects a rule without param, with both value and digest, or with a malformed digest (400)", async () => {
      for (const body of [
        { value: "x" },
        { param: "password" },
        { param: "password", value: "x", digest: sha256("x") },
        { param: "p", digest: "md5:abc" },
      ]) {
        const r = await api.control("POST", "/refuse-credentials", body);
        assert.equal(r.status, 400, JSON.stringify(body));
        assert.ok(r.json.error);
      }
    });
  });

  describe("connectors whose test is unsupported", function () {
    it("answers 400 FLOW-1100-400 'Test connection is not supported' for the no-test connector and the Data Lake", async () => {
      const created = await api.call("POST", "/connections", {
        body: {
          name: "untestable",
          connectionSpec: { id: NO_TEST_CONNECTOR },
          auth: { specName: "Basic Authentication", params: { username: "u", password: "p" } },
        },
      });
      assert.equal(created.status, 201, created.text);
      const lake = await api.createDataLake();
      for (const id of [created.json.id, lake.id]) {
        const r = await api.testConnection(id);
        assert.equal(r.status, 400);
        assert.equal(flowCode(r), "1100-400");
        assert.match(r.json.errorMessage, /Test connection is not supported for this connector/);
        assert.equal(r.json.report.id, id);
      }
      const spec = await api.get(`/connectionSpecs/${DATA_LAKE}`);
      assert.equal(spec.status, 200);
    });
  });

  describe("fault injection on the test route", function () {
    it("answers 503 on every test request until the faults are cleared, leaving other routes alone", async () => {
      const { id } = await api.createSalesforce();
      await control.failConnectionTests();
      for (let i = 0; i < 3; i++) {
        const r = await api.testConnection(id);
        assert.equal(r.status, 503);
        assert.deepEqual(r.json, { error_code: "503000", message: "Service Unavailable" });
      }
      assert.equal((await api.get(`/connections/${id}`)).status, 200);
      const faults = (await api.control("GET", "/faults")).json.items;
      assert.equal(faults.length, 1);
      assert.equal(faults[0].times, "always");
      assert.equal(faults[0].remaining, null);
      await control.clearFaults();
      assert.deepEqual((await api.testConnection(id)).json, { result: true });
    });

    it("can fail only the next N test requests", async () => {
      const { id } = await api.createSalesforce();
      await control.failConnectionTests({ status: 504, times: 2 });
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await api.testConnection(id)).status);
      assert.deepEqual(statuses, [504, 504, 200]);
    });
  });
});
