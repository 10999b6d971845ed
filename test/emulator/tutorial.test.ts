// The seed tutorial (Adobe's "update accounts using the Flow Service API") run against the real CLI.
import { strict as assert } from "node:assert";
import { EmulatorApi, SALESFORCE } from "../helpers/emulatorApi";
import { FLOW_BASE_PATH } from "../../tools/demo";
import { type EmulatorProcess, runEmulatorToExit, startEmulatorProcess } from "../../tools/emulatorProcess";

describe("emulator CLI and the seed tutorial", function () {
  let emu: EmulatorProcess;
  let api: EmulatorApi;

  before(async () => {
    emu = await startEmulatorProcess(["--quiet"]);
    api = new EmulatorApi(emu.url);
  });
  after(() => emu?.stop());

  it("prints `listening http://127.0.0.1:PORT` as its first stdout line", () => {
    assert.match(emu.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(emu.port > 0);
    assert.ok(emu.output().startsWith(`listening ${emu.url}\n`), emu.output());
  });

  it("runs the tutorial: create, GET with a quoted etag, the tutorial's PATCH, then GET shows the update", async () => {
    // Create a Salesforce Basic Authentication connection with the tutorial's params.
    const created = await api.call("POST", "/connections", {
      body: {
        name: "E2E_SF Base_Connection",
        connectionSpec: { id: SALESFORCE, version: "1.0" },
        auth: {
          specName: "Basic Authentication",
          params: {
            environmentUrl: "login.salesforce.com",
            username: "my-salesforce-account",
            password: "tutorial-password-1",
            securityToken: "tutorial-token-1",
          },
        },
      },
    });
    assert.equal(created.status, 201, created.text);
    const { id } = created.json;
    assert.equal(created.headers.get("location"), `${FLOW_BASE_PATH}/connections/${id}`);

    // GET: items[0], version == etag, both with literal double quotes.
    const got = await api.get(`/connections/${id}`);
    assert.equal(got.status, 200);
    assert.equal(got.json.items.length, 1);
    const before = got.json.items[0];
    assert.equal(before.id, id);
    assert.equal(before.name, "E2E_SF Base_Connection");
    assert.deepEqual(before.connectionSpec, { id: SALESFORCE, version: "1.0" });
    assert.equal(before.state, "enabled");
    assert.match(before.etag, /^"[0-9a-f]{8}-0000-0200-0000-[0-9a-f]{12}"$/);
    assert.equal(before.version, before.etag);
    assert.equal(before.etag, created.json.etag);
    assert.equal(before.auth.params.environmentUrl, "login.salesforce.com");

    // The tutorial's PATCH body, sent with the etag as If-Match.
    const patched = await api.patch(
      id,
      [
        {
          op: "replace",
          path: "/auth/params",
          value: { username: "salesforce-connector-username", password: "new-password-2", securityToken: "new-token-2" },
        },
        { op: "replace", path: "/name", value: "Test salesforce connection" },
        { op: "add", path: "/description", value: "A test salesforce connection" },
      ],
      before.etag,
    );
    assert.equal(patched.status, 200, patched.text);
    assert.deepEqual(Object.keys(patched.json).sort(), ["etag", "id"]);
    assert.equal(patched.json.id, id);
    assert.notEqual(patched.json.etag, before.etag);

    // The next GET: new name and description, the new etag, and no environmentUrl any more.
    const after = await api.connection(id);
    assert.equal(after.name, "Test salesforce connection");
    assert.equal(after.description, "A test salesforce connection");
    assert.equal(after.etag, patched.json.etag);
    assert.equal(after.version, patched.json.etag);
    assert.equal(after.auth.params.username, "salesforce-connector-username");
    assert.ok(!("environmentUrl" in after.auth.params), JSON.stringify(after.auth.params));
    assert.ok(after.updatedAt > before.updatedAt);
  });

  it("exits with code 0 on SIGTERM", async () => {
    const other = await startEmulatorProcess(["--quiet"]);
    await other.stop();
    assert.equal(other.process.exitCode, 0);
  });

  it("prints a line per request unless --quiet is given", async () => {
    const loud = await startEmulatorProcess([]);
    try {
      await fetch(`${loud.url}/ims/token/v3`, { method: "POST", body: new URLSearchParams({ grant_type: "password" }) });
      for (let i = 0; i < 50 && !loud.output().includes("POST /ims/token/v3 400"); i++) await new Promise((r) => setTimeout(r, 20));
      assert.match(loud.output(), /\nPOST \/ims\/token\/v3 400 \d+ms /);
      assert.doesNotMatch(
        emu.output().slice(emu.output().indexOf("\n") + 1),
        /\S/,
        "the --quiet emulator printed more than its first line",
      );
    } finally {
      await loud.stop();
    }
  });

  it("wires its flags: credentials, org, token lifetime, default sandbox and strict If-Match", async () => {
    const custom = await startEmulatorProcess([
      "--quiet",
      "--client-id=cli-client",
      "--client-secret",
      "cli-secret",
      "--org-id",
      "CLI0000000000000000000@AdobeOrg",
      "--token-ttl",
      "120",
      "--default-sandbox",
      "dev",
      "--strict-if-match",
    ]);
    try {
      const token = await fetch(`${custom.url}/ims/token/v3`, {
        method: "POST",
        body: new URLSearchParams({ grant_type: "client_credentials", client_id: "cli-client", client_secret: "cli-secret" }),
      });
      const body = (await token.json()) as any;
      assert.equal(token.status, 200);
      assert.equal(body.expires_in, 120);
      const list = await fetch(`${custom.url}${FLOW_BASE_PATH}/connections`, {
        headers: {
          Authorization: `Bearer ${body.access_token}`,
          "x-api-key": "cli-client",
          "x-gw-ims-org-id": "CLI0000000000000000000@AdobeOrg",
        },
      });
      assert.equal(list.status, 200, "no x-sandbox-name needed with --default-sandbox");
      const config = (await (await fetch(`${custom.url}/__emulator/config`)).json()) as any;
      assert.deepEqual(config, {
        tokenTtlSeconds: 120,
        strictIfMatch: true,
        defaultSandbox: "dev",
        refuseRangeFilters: false,
        lenientScheduleIntervals: false,
      });
    } finally {
      await custom.stop();
    }
  });

  it("rejects an unknown option with exit code 2 and the usage text", async () => {
    const r = await runEmulatorToExit(["--prot", "0"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option '--prot'/);
    assert.match(r.stderr, /Usage: flow-emulator/);
  });

  it("rejects a flag without its value, a value on a switch and a stray argument, naming each", async () => {
    const missing = await runEmulatorToExit(["--quiet", "--port"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--port needs a value/);
    const onSwitch = await runEmulatorToExit(["--quiet=yes"]);
    assert.equal(onSwitch.code, 2);
    assert.match(onSwitch.stderr, /--quiet does not take a value/);
    const stray = await runEmulatorToExit(["4010"]);
    assert.equal(stray.code, 2);
    assert.match(stray.stderr, /unexpected argument '4010'/);
  });

  it("rejects a port that is not a number", async () => {
    const r = await runEmulatorToExit(["--port", "eighty"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--port must be an integer/);
  });
});
