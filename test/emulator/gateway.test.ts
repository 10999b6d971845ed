// IMS token issuing and the API gateway's header checks, over HTTP against an in-process emulator.
import { strict as assert } from "node:assert";
import { parseArgs, type RunningEmulator, startEmulator } from "../../emulator/main";
import { BASE, DEMO, EmulatorApi, flowCode, useEmulator } from "../helpers/emulatorApi";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("emulator IMS token endpoint", function () {
  let emu: RunningEmulator;
  let api: EmulatorApi;
  useEmulator((e, a) => ([emu, api] = [e, a]));

  it("issues an opaque bearer token for the demo client credentials", async () => {
    const r = await api.requestToken();
    assert.equal(r.status, 200, r.text);
    assert.match(r.json.access_token, /^emu-[0-9a-f]{48}$/);
    assert.equal(r.json.token_type, "bearer");
    assert.equal(r.json.expires_in, 86399);
    const again = await api.requestToken();
    assert.notEqual(again.json.access_token, r.json.access_token);
  });

  it("accepts the token request parameters in the query string too", async () => {
    const q = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: DEMO.clientId,
      client_secret: DEMO.clientSecret,
      scope: "openid",
    });
    const r = await fetch(`${emu.url}/ims/token/v3?${q}`, { method: "POST" });
    assert.equal(r.status, 200);
  });

  it("answers 401 invalid_client for a wrong secret or an unknown client", async () => {
    for (const form of [{ client_secret: "wrong" }, { client_id: "someone-else" }] as Array<Record<string, string>>) {
      const r = await api.requestToken(form);
      assert.equal(r.status, 401);
      assert.equal(r.json.error, "invalid_client");
      assert.equal(typeof r.json.error_description, "string");
    }
  });

  it("answers 400 unsupported_grant_type for a grant other than client_credentials", async () => {
    const r = await api.requestToken({ grant_type: "password" });
    assert.equal(r.status, 400);
    assert.equal(r.json.error, "unsupported_grant_type");
  });

  it("answers 400 invalid_request naming a missing parameter", async () => {
    const r = await fetch(`${emu.url}/ims/token/v3`, {
      method: "POST",
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: DEMO.clientId }),
    });
    const body = (await r.json()) as any;
    assert.equal(r.status, 400);
    assert.equal(body.error, "invalid_request");
    assert.match(body.error_description, /client_secret/);
  });

  it("accepts other credentials given by options and refuses the demo ones then", async () => {
    const other = await startEmulator({ clientId: "my-client", clientSecret: "my-secret", orgId: "ORG1@AdobeOrg" });
    try {
      const demo = await new EmulatorApi(other.url).requestToken();
      assert.equal(demo.status, 401);
      const mine = await new EmulatorApi(other.url).requestToken({ client_id: "my-client", client_secret: "my-secret" });
      assert.equal(mine.status, 200);
    } finally {
      await other.close();
    }
  });
});

describe("emulator gateway checks", function () {
  let emu: RunningEmulator;
  let api: EmulatorApi;
  useEmulator((e, a) => ([emu, api] = [e, a]));

  async function gatewayError(headers: Record<string, string | undefined>): Promise<{ status: number; body: any }> {
    const r = await api.get("/connections", { headers });
    return { status: r.status, body: r.json };
  }

  it("answers 403 with 403010 when the Authorization header is missing", async () => {
    assert.deepEqual(await gatewayError({ Authorization: undefined }), {
      status: 403,
      body: { error_code: "403010", message: "Oauth token is missing." },
    });
  });

  it("answers 401 with 401013 for an unknown token", async () => {
    assert.deepEqual(await gatewayError({ Authorization: "Bearer emu-not-a-token" }), {
      status: 401,
      body: { error_code: "401013", message: "Oauth token is not valid" },
    });
  });

  it("answers 403 with 403000 when x-api-key is missing", async () => {
    assert.deepEqual(await gatewayError({ "x-api-key": undefined }), {
      status: 403,
      body: { error_code: "403000", message: "Api Key is required" },
    });
  });

  it("answers 403 with 403003 when x-api-key is not the token's client", async () => {
    assert.deepEqual(await gatewayError({ "x-api-key": "another-client" }), {
      status: 403,
      body: { error_code: "403003", message: "Api Key is invalid" },
    });
  });

  it("answers 400 with 400003 when x-gw-ims-org-id is missing", async () => {
    assert.deepEqual(await gatewayError({ "x-gw-ims-org-id": undefined }), {
      status: 400,
      body: { error_code: "400003", message: "Missing header" },
    });
  });

  it("answers 403 with 403025 when the org is not the token's", async () => {
    const r = await gatewayError({ "x-gw-ims-org-id": "OTHER000000000000000000@AdobeOrg" });
    assert.equal(r.status, 403);
    assert.equal(r.body.error_code, "403025");
  });

  it("checks the token before the api key, and the api key before the org", async () => {
    const r = await gatewayError({ Authorization: "Bearer nope", "x-api-key": undefined, "x-gw-ims-org-id": undefined });
    assert.equal(r.body.error_code, "401013");
    const r2 = await gatewayError({ "x-api-key": "wrong", "x-gw-ims-org-id": undefined });
    assert.equal(r2.body.error_code, "403003");
  });

  it("answers 400 FLOW-2105-400 when x-sandbox-name is missing", async () => {
    const r = await api.get("/connections", { headers: { "x-sandbox-name": undefined } });
    assert.equal(r.status, 400);
    assert.equal(flowCode(r), "2105-400");
    assert.equal(r.json.title, "Header is missing");
    assert.match(r.json.report["detailed-message"], /x-sandbox-name/);
  });

  it("uses --default-sandbox when x-sandbox-name is missing", async () => {
    const other = await startEmulator({ defaultSandbox: "dev" });
    try {
      const a = new EmulatorApi(other.url, "dev");
      const { id } = await a.createSalesforce();
      const r = await a.get(`/connections/${id}`, { headers: { "x-sandbox-name": undefined } });
      assert.equal(r.status, 200);
      assert.equal(r.json.items[0].sandboxName, "dev");
    } finally {
      await other.close();
    }
  });

  it("answers 404 FLOW-2100-404 for a sandbox name that cannot exist (upper case)", async () => {
    const r = await api.get("/connections", { headers: { "x-sandbox-name": "Prod" } });
    assert.equal(r.status, 404);
    assert.equal(flowCode(r), "2100-404");
  });

  it("answers 404 FLOW-2100-404 'Sandbox not found' for a sandbox the org does not have, on every route, and knows prod, dev and stage by default", async () => {
    const strict = await startEmulator();
    try {
      const org = new EmulatorApi(strict.url);
      for (const path of ["/connections", "/connections/139f6a5f-a78b-4744-9f6a-5fa78bd74431", "/connectionSpecs", "/flows"]) {
        const r = await org.get(path, { headers: { "x-sandbox-name": "prdo" } });
        assert.equal(r.status, 404, path);
        assert.equal(flowCode(r), "2100-404", path);
        assert.equal(r.json.title, "Sandbox not found");
        assert.match(r.json.report["detailed-message"], /sandbox with the name 'prdo' could not be found/);
      }
      for (const sandbox of ["prod", "dev", "stage"]) {
        assert.equal((await org.get("/connections", { headers: { "x-sandbox-name": sandbox } })).status, 200, sandbox);
      }
    } finally {
      await strict.close();
    }
  });

  it("knows only the sandboxes --sandboxes lists, or every well-formed name with '*'", async () => {
    assert.deepEqual(parseArgs(["--sandboxes", "prod, qa-1"]).sandboxes, ["prod", "qa-1"]);
    assert.equal(parseArgs(["--sandboxes", "*"]).sandboxes, "any");
    assert.throws(() => parseArgs(["--sandboxes", "prod,Dev"]), /--sandboxes takes sandbox names .*got 'Dev'/);
    const listed = await startEmulator({ sandboxes: ["qa-1"] });
    const any = await startEmulator({ sandboxes: "any" });
    try {
      assert.equal((await new EmulatorApi(listed.url, "qa-1").get("/connections")).status, 200);
      assert.equal((await new EmulatorApi(listed.url, "prod").get("/connections")).status, 404);
      assert.equal((await new EmulatorApi(any.url, "whatever-2").get("/connections")).status, 200);
    } finally {
      await listed.close();
      await any.close();
    }
  });

  it("rejects a token once its lifetime (--token-ttl) has passed", async () => {
    const short = await startEmulator({ tokenTtlSeconds: 1 });
    try {
      const a = new EmulatorApi(short.url);
      const t = await a.requestToken();
      assert.equal(t.json.expires_in, 1);
      assert.equal((await a.get("/connections")).status, 200);
      await sleep(1100);
      const r = await a.get("/connections");
      assert.equal(r.status, 401);
      assert.equal(r.json.error_code, "401013");
    } finally {
      await short.close();
    }
  });

  it("applies a token lifetime set through /__emulator/config to tokens issued afterwards", async () => {
    const cfg = await api.control("POST", "/config", { tokenTtlSeconds: 1 });
    assert.equal(cfg.json.tokenTtlSeconds, 1);
    const a = new EmulatorApi(emu.url);
    assert.equal((await a.get("/connections")).status, 200);
    await sleep(1100);
    assert.equal((await a.get("/connections")).status, 401);
    a.forgetToken();
    assert.equal((await a.get("/connections")).status, 200, "a fresh token works");
  });

  it("rejects revoked tokens with 401013 while new tokens work", async () => {
    const a = new EmulatorApi(emu.url);
    assert.equal((await a.get("/connections")).status, 200);
    const revoked = await api.control("POST", "/tokens/revoke", {});
    assert.ok(revoked.json.revoked >= 1);
    const r = await a.get("/connections");
    assert.equal(r.status, 401);
    assert.equal(r.json.error_code, "401013");
    a.forgetToken();
    assert.equal((await a.get("/connections")).status, 200);
    api.forgetToken(); // its token was revoked too
  });

  it("revokes a single token when one is named", async () => {
    const a = new EmulatorApi(emu.url);
    const b = new EmulatorApi(emu.url);
    const tokenA = await a.token();
    await b.token();
    assert.deepEqual((await api.control("POST", "/tokens/revoke", { token: tokenA })).json, { revoked: 1 });
    assert.equal((await a.get("/connections")).status, 401);
    assert.equal((await b.get("/connections")).status, 200);
  });

  it("echoes x-request-id when sent and generates one otherwise, on every kind of reply", async () => {
    const sent = await api.get("/connections", { headers: { "x-request-id": "my-request-42" } });
    assert.equal(sent.headers.get("x-request-id"), "my-request-42");
    const gw = await api.get("/connections", { headers: { Authorization: undefined } });
    assert.match(gw.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
    const problem = await api.get("/connections/nope", { headers: { "x-request-id": "rid-7" } });
    assert.equal(problem.headers.get("x-request-id"), "rid-7");
    assert.equal(problem.json.report["request-id"], "rid-7");
    const ims = await api.requestToken({ grant_type: "nope" });
    assert.ok(ims.headers.get("x-request-id"));
    const unknown = await fetch(`${emu.url}/nowhere`);
    assert.ok(unknown.headers.get("x-request-id"));
  });

  it("answers 404 with a problem body for a route outside the API", async () => {
    const r = await fetch(`${emu.url}/nowhere`);
    const body = (await r.json()) as any;
    assert.equal(r.status, 404);
    assert.match(body.type, /FLOW-1101-404$/);
    assert.match(body.errorMessage, /GET \/nowhere/);
  });

  it("runs the gateway checks before answering an unknown Flow Service route", async () => {
    // (/runs was the example until the emulator ran dataflows.)
    const r = await fetch(`${emu.url}${BASE}/landingZone`);
    assert.equal(r.status, 403);
    const ok = await api.get("/landingZone");
    assert.equal(ok.status, 404);
    assert.equal(flowCode(ok), "1101-404");
  });
});
