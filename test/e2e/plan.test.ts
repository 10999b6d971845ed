// `flowservice-plan` on the real `pulumi preview --json`, checked against what the following `up`
// really sends (the emulator's request log). The steps build on each other, in order, on one stack.
//
// With UPDATE_PLAN_FIXTURES=1 this also writes the previews it captures to
// test/unit/fixtures/preview-*.json, the inputs of the unit tests (planCli.test.ts).
import assert from "node:assert";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { FLOW_BASE_PATH, salesforceConnection, salesforceParams } from "../../tools/demo";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { EmulatorApi } from "../helpers/emulatorApi";
import { EmulatorControl, LoggedRequest } from "../helpers/emulatorControl";
import { ConnectionDecl, DEMO, ensureEngine, REPO, TestStack } from "./harness";
import { runBin } from "../helpers/command";
import type { RunResult } from "../../tools/pulumiCli";

const S3 = "ecadc60c-7455-4d87-84dc-2a0e293d997b";
const FIXTURES = path.join(REPO, "test/unit/fixtures");
const CONNECTIONS = `${FLOW_BASE_PATH}/connections`;

const tag = randomBytes(4).toString("hex");
// Distinctive values, so a scan finds any leak of them.
const secrets = {
  crmPassword: `crm-pass-${tag}`,
  crmToken: `crm-token-${tag}`,
  partnersPassword1: `partners-pass-one-${tag}`,
  partnersPassword2: `partners-pass-two-${tag}`,
  partnersToken1: `partners-token-one-${tag}`,
  partnersToken2: `partners-token-two-${tag}`,
  s3Secret: `s3-secret-${tag}`,
  adoptedPassword: `adopted-pass-${tag}`,
};

function salesforce(
  resourceName: string,
  o: { name: string; description?: string; password: string; token: string; username?: string },
): ConnectionDecl {
  const params = salesforceParams(o.username ?? `${resourceName}-user`, { secret: o.password }, { secret: o.token });
  return { resourceName, ...salesforceConnection(o.name, params, o.description) };
}

/** Runs the built command as a user does: a file argument, or the preview piped to stdin. */
const plan = (args: string[], stdin?: string) => runBin("flowservice-plan", args, { stdin: stdin ?? "" });

/** The Flow Service requests the emulator logged (IMS left out). */
async function apiRequests(url: string): Promise<LoggedRequest[]> {
  return (await new EmulatorControl(url).requests()).filter((r) => r.path.startsWith("/data/"));
}

const clearRequests = (url: string) => new EmulatorControl(url).clearRequests();

/** A preview as a fixture: the stack traces (local paths, noise) dropped, nothing else touched. */
function saveFixture(name: string, previewJson: string): void {
  if (process.env.UPDATE_PLAN_FIXTURES !== "1") return;
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === "object") {
      return Object.fromEntries(
        Object.entries(v)
          .filter(([k]) => k !== "stackTrace" && k !== "sourcePosition")
          .map(([k, x]) => [k, strip(x)]),
      );
    }
    return v;
  };
  fs.mkdirSync(FIXTURES, { recursive: true });
  fs.writeFileSync(path.join(FIXTURES, `preview-${name}.json`), JSON.stringify(strip(JSON.parse(previewJson)), null, 2) + "\n");
}

function assertNoSecret(text: string, what: string): void {
  for (const [name, value] of Object.entries({ ...secrets, clientSecret: DEMO.clientSecret })) {
    assert.ok(!text.includes(value), `${name} appears in ${what}`);
  }
}

describe("flowservice-plan on the real pulumi preview --json", function () {
  this.timeout(180_000);
  let emulator: EmulatorProcess;
  let stack: TestStack;
  let ids: Record<string, string> = {};
  const previewFile = () => path.join(stack.programDir, "preview.json");

  const crm = salesforce("crm", {
    name: "CRM accounts",
    description: "Sales Cloud, EU org",
    password: secrets.crmPassword,
    token: secrets.crmToken,
  });
  const partners = salesforce("partners", {
    name: "Partner portal",
    description: "Partner community",
    password: secrets.partnersPassword1,
    token: secrets.partnersToken1,
  });

  before(async function () {
    this.timeout(45 * 60_000); // the first run on a machine builds the engine
    assert.ok(fs.existsSync(path.join(REPO, "dist/commands/plan/cli.js")), "dist/ is missing: run `npm run build` first");
    ensureEngine();
    emulator = await startEmulatorProcess();
    stack = new TestStack("plan");
    await stack.init(emulator.url);
    stack.setProgram([crm, partners]);
    await stack.ok(["up", "--yes", "--skip-preview"]);
    ids = Object.fromEntries(Object.entries(await stack.connections()).map(([name, r]) => [name, r.id]));
  });

  after(async () => {
    await emulator?.stop();
    stack?.cleanup();
  });

  async function preview(args: string[] = []): Promise<string> {
    const r = await stack.ok(["preview", "--json", ...args]);
    fs.writeFileSync(previewFile(), r.stdout);
    return r.stdout;
  }

  it("exits 0 and says so when nothing changes", async () => {
    saveFixture("unchanged", await preview());
    const r = await plan([previewFile()]);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /Flow Service plan for stack plan: no changes/);
    saveFixture("unchanged-show-sames", await preview(["--show-sames"]));
    const sames = JSON.parse((await plan([previewFile(), "--format", "json"])).stdout);
    assert.deepStrictEqual(
      sames.connections.map((c: any) => [c.resourceName, c.action, c.connectionId]),
      [
        ["crm", "unchanged", ids.crm],
        ["partners", "unchanged", ids.partners],
      ],
    );
  });

  it("lists exactly the ops the next up sends: a rename, a removed description and a rotated password, secrets as [secret]", async () => {
    const crm2 = salesforce("crm", { name: "CRM accounts (EU)", password: secrets.crmPassword, token: secrets.crmToken });
    const partners2 = salesforce("partners", {
      name: "Partner portal",
      description: "Partner community",
      password: secrets.partnersPassword2,
      token: secrets.partnersToken1,
    });
    stack.setProgram([crm2, partners2]);
    const json = await preview();
    saveFixture("update", json);
    assertNoSecret(json, "preview --json");

    const outputs: Record<string, RunResult> = {};
    for (const format of ["text", "markdown", "json"]) outputs[format] = await plan([previewFile(), "--format", format]);
    outputs.stdin = await plan(["-"], json);
    for (const [format, r] of Object.entries(outputs)) {
      assert.strictEqual(r.code, 2, `${format}: ${r.stderr}`);
      assertNoSecret(r.stdout + r.stderr, `the ${format} plan`);
    }
    assert.strictEqual(outputs.stdin.stdout, outputs.text.stdout, "stdin and a file give the same plan");
    assert.match(
      outputs.markdown.stdout,
      /```json\n\[\n {2}\{"op":"replace","path":"\/auth\/params\/password","value":"\[secret\]"\}\n\]\n```/,
    );

    const planned = JSON.parse(outputs.json.stdout);
    assert.deepStrictEqual(planned.summary, { create: 0, update: 2, replace: 0, delete: 0, adopt: 0, unchanged: 0 });
    const byId = Object.fromEntries(planned.connections.map((c: any) => [c.connectionId, c]));
    assert.deepStrictEqual(byId[ids.crm].ops, [
      { op: "replace", path: "/name", value: "CRM accounts (EU)" },
      { op: "remove", path: "/description" },
    ]);
    assert.deepStrictEqual(byId[ids.partners].ops, [{ op: "replace", path: "/auth/params/password", value: "[secret]" }]);

    await clearRequests(emulator.url);
    await stack.ok(["up", "--yes", "--skip-preview"]);
    const sent = await apiRequests(emulator.url);
    assert.ok(
      sent.every((r) => r.method === "PATCH" || r.method === "GET"),
      JSON.stringify(sent.map((r) => `${r.method} ${r.path}`)),
    );
    const patches = sent.filter((r) => r.method === "PATCH");
    // The emulator's log redacts secret values as "[redacted]"; the plan shows them as "[secret]".
    const asPlanned = (body: unknown) => JSON.parse(JSON.stringify(body).replace(/"\[redacted\]"/g, '"[secret]"'));
    assert.deepStrictEqual(
      Object.fromEntries(patches.map((p) => [p.path, asPlanned(p.body)])),
      Object.fromEntries(planned.connections.map((c: any) => [`${CONNECTIONS}/${c.connectionId}`, c.ops])),
    );
    for (const p of patches) {
      const c = planned.connections.find((x: any) => p.path.endsWith(x.connectionId));
      assert.strictEqual(p.headers["if-match"], c.ifMatch, "the plan names the If-Match version sent");
    }
    // The credential test: planned after the PATCH that writes credentials, and sent exactly there.
    assert.strictEqual(byId[ids.crm].test, undefined, "a rename is not tested");
    assert.ok(byId[ids.partners].test.startsWith(`GET /connections/${ids.partners}/test`), byId[ids.partners].test);
    assert.deepStrictEqual(
      sent.filter((r) => r.method === "GET").map((r) => r.path),
      [`${CONNECTIONS}/${ids.partners}/test`],
    );
  });

  it("exits 1 with the preview's error on stderr when the preview failed", async () => {
    const broken = salesforce("crm", { name: "CRM accounts (EU)", password: secrets.crmPassword, token: secrets.crmToken });
    delete broken.auth.params.password;
    stack.setProgram([broken, partners]);
    const r = await stack.run(["preview", "--json"]);
    assert.notStrictEqual(r.code, 0);
    fs.writeFileSync(previewFile(), r.stdout);
    saveFixture("failed", r.stdout);
    const out = await plan([previewFile()]);
    assert.strictEqual(out.code, 1);
    assert.match(out.stderr, /the preview failed[\s\S]*auth\.params\.password[\s\S]*is required/);
    assert.match(out.stdout, /incomplete/);
  });

  it("exits 1 for a file that is not preview JSON, or that cannot be read", async () => {
    fs.writeFileSync(previewFile(), "Previewing update (plan):\n");
    const notJson = await plan([previewFile()]);
    assert.strictEqual(notJson.code, 1);
    assert.match(notJson.stderr, /not JSON/);
    const missing = await plan([path.join(stack.programDir, "no-such-preview.json")]);
    assert.strictEqual(missing.code, 1);
    assert.match(missing.stderr, /cannot read .*no-such-preview\.json/);
  });

  it("shows drift only with preview --refresh, and then lists exactly what up --refresh sends", async () => {
    const crm2 = salesforce("crm", { name: "CRM accounts (EU)", password: secrets.crmPassword, token: secrets.crmToken });
    const partners2 = salesforce("partners", {
      name: "Partner portal",
      description: "Partner community",
      password: secrets.partnersPassword2,
      token: secrets.partnersToken1,
    });
    stack.setProgram([crm2, partners2]); // what the state holds
    // Throws unless the emulator accepts the edit.
    await new EmulatorControl(emulator.url).editOutOfBand(ids.crm, [{ op: "replace", path: "/name", value: "Renamed in the UI" }]);

    await preview();
    const blind = await plan([previewFile()]);
    assert.strictEqual(blind.code, 0, "a preview compares the program with the state only");

    await clearRequests(emulator.url);
    const json = await preview(["--refresh"]);
    const reads = (await apiRequests(emulator.url)).map((r) => `${r.method} ${r.path}`);
    assert.deepStrictEqual(
      reads,
      ["GET /data/foundation/flowservice/connections"],
      "a refresh reads both connections with one list request",
    );
    saveFixture("refresh", json);
    const r = await plan([previewFile(), "--format", "json"]);
    assert.strictEqual(r.code, 2, r.stderr);
    const planned = JSON.parse(r.stdout).connections;
    // The remote write leaves the secrets unverified: they are sent again with the name.
    assert.deepStrictEqual(
      planned.map((c: any) => [c.resourceName, c.ops]),
      [
        [
          "crm",
          [
            { op: "replace", path: "/name", value: "CRM accounts (EU)" },
            { op: "add", path: "/auth/params/password", value: "[secret]" },
            { op: "add", path: "/auth/params/securityToken", value: "[secret]" },
          ],
        ],
      ],
    );

    await clearRequests(emulator.url);
    await stack.ok(["up", "--yes", "--skip-preview", "--refresh"]);
    const patches = (await apiRequests(emulator.url)).filter((q) => q.method === "PATCH");
    assert.strictEqual(patches.length, 1);
    assert.strictEqual(patches[0].path, `${CONNECTIONS}/${ids.crm}`);
    assert.strictEqual(patches[0].headers["if-match"], planned[0].ifMatch);
    assert.deepStrictEqual(JSON.parse(JSON.stringify(patches[0].body).replace(/"\[redacted\]"/g, '"[secret]"')), planned[0].ops);
  });

  it("renders every kind of change from one real preview: create, adopt, update, replace, delete, delete kept remotely", async () => {
    // Two more connections to delete: one created by the stack, one adopted (kept on delete).
    const created = await new EmulatorApi(emulator.url).createSalesforce("Made in the UI", {
      username: "ui-user",
      password: secrets.adoptedPassword,
      securityToken: secrets.adoptedPassword,
    });
    const adoptable = created.id;
    const legacy = salesforce("legacy", { name: "Legacy", password: secrets.crmPassword, token: secrets.crmToken });
    const ui = {
      ...salesforce("ui", {
        name: "Made in the UI",
        password: secrets.adoptedPassword,
        token: secrets.adoptedPassword,
        username: "ui-user",
      }),
      adoptId: adoptable,
    };
    const crm2 = salesforce("crm", { name: "CRM accounts (EU)", password: secrets.crmPassword, token: secrets.crmToken });
    const partners2 = salesforce("partners", {
      name: "Partner portal",
      description: "Partner community",
      password: secrets.partnersPassword2,
      token: secrets.partnersToken1,
    });
    stack.setProgram([crm2, partners2, legacy, ui]);
    await stack.ok(["up", "--yes", "--skip-preview"]);

    const second = await new EmulatorApi(emulator.url).createSalesforce("Second UI connection", {
      username: "ui-user-2",
      password: secrets.adoptedPassword,
      securityToken: secrets.adoptedPassword,
    });
    const adoptNext = second.id;
    stack.setProgram([
      // update: the token rotates (the password stays)
      salesforce("crm", { name: "CRM accounts (EU)", password: secrets.crmPassword, token: secrets.partnersToken2 }),
      // replace: another connector
      {
        resourceName: "partners",
        name: "Partner portal",
        connectionSpec: { id: S3, version: "1.0" },
        auth: { specName: "Access Key", params: { s3AccessKey: "AKIAEXAMPLE", s3SecretKey: secrets.s3Secret } },
      },
      // create, adopt
      salesforce("reporting", { name: "Reporting", description: "BI exports", password: secrets.crmPassword, token: secrets.crmToken }),
      {
        ...salesforce("ui2", {
          name: "Second UI connection",
          password: secrets.adoptedPassword,
          token: secrets.adoptedPassword,
          username: "ui-user-2",
        }),
        adoptId: adoptNext,
      },
      // legacy and ui are dropped: a delete, and a delete that keeps the adopted connection
    ]);
    const json = await preview();
    saveFixture("actions", json);
    const r = await plan([previewFile(), "--format", "json"]);
    assert.strictEqual(r.code, 2, r.stderr);
    assertNoSecret(r.stdout, "the plan");
    const got = JSON.parse(r.stdout).connections.map((c: any) => [c.resourceName, c.action, c.keptRemotely ?? false]);
    assert.deepStrictEqual(got, [
      ["reporting", "create", false],
      ["ui2", "adopt", false],
      ["crm", "update", false],
      ["partners", "replace", false],
      ["legacy", "delete", false],
      ["ui", "delete", true],
    ]);
    const partnersPlan = JSON.parse(r.stdout).connections.find((c: any) => c.resourceName === "partners");
    assert.deepStrictEqual(partnersPlan.replaceReasons, ["connectionSpec", "auth.specName"]);
    const crmPlan = JSON.parse(r.stdout).connections.find((c: any) => c.resourceName === "crm");
    assert.deepStrictEqual(crmPlan.ops, [{ op: "replace", path: "/auth/params/securityToken", value: "[secret]" }]);
  });

  it("plans from a preview run with no credentials and the emulator stopped", async () => {
    stack.setProgram([crm, partners]); // back to the start: the remaining connections are unchanged or updated
    await stack.ok(["up", "--yes", "--skip-preview"]);
    await stack.ok(["config", "rm", "flowservice:clientSecret"]);
    await stack.ok(["config", "rm", "flowservice:clientId"]);
    await emulator.stop();
    stack.setProgram([
      salesforce("crm", {
        name: "CRM accounts",
        description: "Sales Cloud, EU org (offline preview)",
        password: secrets.crmPassword,
        token: secrets.crmToken,
      }),
      salesforce("partners", {
        name: "Partner portal",
        description: "Partner community",
        password: secrets.partnersPassword1,
        token: secrets.partnersToken2,
      }),
    ]);
    const json = await preview();
    saveFixture("offline", json);
    assert.ok(
      !/flowservice:clientSecret|flowservice:clientId/.test(JSON.stringify(JSON.parse(json).config ?? {})),
      "no credentials configured",
    );
    const r = await plan([previewFile(), "--format", "json"]);
    assert.strictEqual(r.code, 2, r.stderr);
    const byName = Object.fromEntries(JSON.parse(r.stdout).connections.map((c: any) => [c.resourceName, c.ops]));
    assert.deepStrictEqual(byName, {
      crm: [{ op: "replace", path: "/description", value: "Sales Cloud, EU org (offline preview)" }],
      partners: [{ op: "replace", path: "/auth/params/securityToken", value: "[secret]" }],
    });
    const text = await plan([previewFile()]);
    assert.match(text.stdout, /crm: update "CRM accounts"/);
  });
});

/** Headers of a direct API call with the emulator's demo credentials (someone else's write). */
