// Secret params (format: password) never come back in clear: not in GET or list replies, not in the
// request log, not in the --state file.
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type RunningEmulator, startEmulator } from "../../emulator/main";
import { DEMO, EmulatorApi, SALESFORCE, flowCode } from "../helpers/emulatorApi";

const sha = (s: string) => "sha256:" + createHash("sha256").update(s).digest("hex");

// Distinctive values: if any of them shows up anywhere, it leaked.
const SECRETS = {
  password: "pw-LEAKCHECK-7f3a91",
  securityToken: "st-LEAKCHECK-c0ffee",
  rotatedPassword: "pw-LEAKCHECK-rotated-42",
  rotatedToken: "st-LEAKCHECK-rotated-43",
  s3SecretKey: "s3-LEAKCHECK-b16b00b5",
  s3SessionToken: "s3tok-LEAKCHECK-d00d",
  imsSecret: DEMO.clientSecret,
};

function assertNoSecret(text: string, where: string): void {
  for (const [name, value] of Object.entries(SECRETS)) {
    assert.ok(!text.includes(value), `${name} appears in clear in ${where}`);
  }
}

describe("emulator secret handling", function () {
  let emu: RunningEmulator;
  let api: EmulatorApi;
  let dir: string;
  let stateFile: string;
  const replies: Array<{ where: string; text: string }> = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "flow-emulator-secrets-"));
    stateFile = path.join(dir, "state.json");
    emu = await startEmulator({ stateFile });
    api = new EmulatorApi(emu.url);
  });
  after(async () => {
    await emu.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("never shows a secret param in clear in any GET, list or write reply, nor in the request log or state file", async () => {
    const record = (where: string, text: string) => replies.push({ where, text });

    const sf = await api.call("POST", "/connections", {
      body: {
        name: "secrets",
        connectionSpec: { id: SALESFORCE },
        auth: {
          specName: "Basic Authentication",
          params: { username: "u", password: SECRETS.password, securityToken: SECRETS.securityToken },
        },
      },
    });
    record("POST reply", sf.text);
    const s3 = await api.call("POST", "/connections", {
      body: {
        name: "s3",
        connectionSpec: { id: "ecadc60c-7455-4d87-84dc-2a0e293d997b" },
        auth: {
          specName: "Access Key",
          params: { s3AccessKey: "AK", s3SecretKey: SECRETS.s3SecretKey, s3SessionToken: SECRETS.s3SessionToken },
        },
      },
    });
    record("POST reply", s3.text);

    let get = await api.get(`/connections/${sf.json.id}`);
    record("GET", get.text);
    assert.equal(get.json.items[0].auth.params.password, "********");
    assert.equal(get.json.items[0].auth.params.securityToken, "********");
    assert.equal(get.json.items[0].auth.params.username, "u");

    // Rotate one secret by key, the other through a whole-/auth/params replace.
    let r = await api.patch(sf.json.id, [{ op: "replace", path: "/auth/params/password", value: SECRETS.rotatedPassword }], sf.json.etag);
    record("PATCH reply", r.text);
    r = await api.patch(
      sf.json.id,
      [
        {
          op: "replace",
          path: "/auth/params",
          value: { username: "u", password: SECRETS.rotatedPassword, securityToken: SECRETS.rotatedToken },
        },
      ],
      r.json.etag,
    );
    assert.equal(r.status, 200, r.text);
    record("PATCH reply", r.text);
    // A rejected patch carrying a secret must not echo it either.
    const rejected = await api.patch(sf.json.id, [{ op: "add", path: "/auth/params/password", value: SECRETS.password }], '"stale"');
    assert.equal(rejected.status, 412);
    record("412 reply", rejected.text);

    get = await api.get(`/connections/${sf.json.id}`);
    record("GET after rotation", get.text);
    const list = await api.get("/connections");
    record("list", list.text);
    assert.equal(list.json.items.find((c: any) => c.name === "s3").auth.params.s3SecretKey, "********");
    record("GET s3", (await api.get(`/connections/${s3.json.id}`)).text);

    const log = await api.control("GET", "/requests");
    record("request log", log.text);
    record("state file", fs.readFileSync(stateFile, "utf8"));

    for (const { where, text } of replies) assertNoSecret(text, where);

    // The log shows where the secrets were, redacted.
    const posts = log.json.items.filter((e: any) => e.method === "POST" && e.path.endsWith("/connections"));
    assert.equal(posts[0].body.auth.params.password, "[redacted]");
    assert.equal(posts[0].body.auth.params.username, "u");
    const patches = log.json.items.filter((e: any) => e.method === "PATCH");
    assert.equal(patches[0].body[0].value, "[redacted]");
    assert.equal(patches[1].body[0].value.password, "[redacted]");
    assert.equal(patches[1].body[0].value.username, "u");
    const tokenRequest = log.json.items.find((e: any) => e.path === "/ims/token/v3");
    assert.match(tokenRequest.body, /client_secret=\[redacted\]/);
    assert.ok(log.json.items.every((e: any) => !e.headers.authorization || e.headers.authorization === "Bearer [redacted]"));
  });

  it("lets a test verify a rotated secret by its sha256 digest through the control route", async () => {
    const { id, etag } = await api.createSalesforce("digest", { username: "u", password: "first-pw", securityToken: "first-st" });
    let stored = (await api.control("GET", `/connections/${id}`)).json;
    assert.equal(stored.auth.params.password, sha("first-pw"));
    assert.equal(stored.imsOrgId, DEMO.orgId);
    assert.equal(stored.sandboxName, "prod");
    await api.patch(id, [{ op: "replace", path: "/auth/params/password", value: "second-pw" }], etag);
    stored = (await api.control("GET", `/connections/${id}`)).json;
    assert.equal(stored.auth.params.password, sha("second-pw"));
    assert.equal(stored.auth.params.securityToken, sha("first-st"));
  });

  it("refuses the GET mask written back as a secret value (1455), on create and on patch", async () => {
    const create = await api.call("POST", "/connections", {
      body: {
        name: "m",
        connectionSpec: { id: SALESFORCE },
        auth: { specName: "Basic Authentication", params: { username: "u", password: "********", securityToken: "x" } },
      },
    });
    assert.equal(flowCode(create), "1455-400");
    assert.match(create.json.errorMessage, /auth\.params\.password is the mask/);
    const { id, etag } = await api.createSalesforce("mask");
    const current = await api.connection(id);
    // A client that writes back the params it read.
    const r = await api.patch(id, [{ op: "replace", path: "/auth/params", value: current.auth.params }], etag);
    assert.equal(flowCode(r), "1455-400");
    assert.match(r.json.errorMessage, /password/);
  });

  it("redacts every param of a create body whose auth spec is unknown, since its secrets cannot be told apart", async () => {
    await api.control("DELETE", "/requests");
    await api.call("POST", "/connections", {
      body: {
        name: "x",
        connectionSpec: { id: SALESFORCE },
        auth: { specName: "No Such Spec", params: { password: SECRETS.password, user: "u" } },
      },
    });
    const log = await api.control("GET", "/requests");
    assertNoSecret(log.text, "request log");
    assert.deepEqual(log.json.items[0].body.auth.params, { password: "[redacted]", user: "[redacted]" });
  });

  it("neither echoes nor logs a secret sent in a malformed JSON body, nor an IMS secret under an encoded name", async () => {
    await api.control("DELETE", "/requests");
    const broken = `{"name":"x","auth":{"specName":"Basic Authentication","params":{"password":"${SECRETS.password}"`;
    const r = await api.call("POST", "/connections", { raw: broken, headers: { "Content-Type": "application/json" } });
    assert.equal(flowCode(r), "1100-400");
    assertNoSecret(r.text, "the 400 reply");
    await fetch(`${emu.url}/ims/token/v3`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: `grant_type=client_credentials&client_id=${DEMO.clientId}&client%5Fsecret=${DEMO.clientSecret}`,
    });
    const log = await api.control("GET", "/requests");
    assertNoSecret(log.text, "request log");
    assert.match(log.json.items[0].body, /^\[unparseable body of \d+ bytes, not recorded\]$/);
  });
});
