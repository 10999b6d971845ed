// Several sandboxes from one stack, through the real `pulumi` CLI against the emulator (which scopes
// connections by org + sandbox, as Flow Service does). The steps build on each other, in order, on
// one stack; the last test runs examples/sandboxes as a user would.
import assert from "node:assert";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { buildPlan } from "../../commands/plan/plan";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { EmulatorControl, LoggedRequest, sha256 } from "../helpers/emulatorControl";
import { ConnectionDecl, DEMO, ensureEngine, REPO, TestStack } from "./harness";
import { salesforceConnection, salesforceParams } from "../../tools/demo";

const CONNECTIONS = "/data/foundation/flowservice/connections";
const SANDBOXES = ["dev", "stage", "prod"] as const;
const tag = randomBytes(4).toString("hex");
const passwords = { dev: `pw-dev-${tag}`, stage: `pw-stage-${tag}`, prod: `pw-prod-${tag}`, prod2: `pw-prod-two-${tag}` };

/** The one definition, for one sandbox (undefined: the stack's flowservice:sandboxName). */
function crm(resourceName: string, sandboxName: string | undefined, password: string): ConnectionDecl {
  return {
    resourceName,
    ...salesforceConnection("Salesforce CRM", salesforceParams<string | { secret: string }>("crm", { secret: password }, "tok-1")),
    sandboxName,
  };
}

describe("end to end: several sandboxes from one stack", function () {
  this.timeout(180_000);
  let emulator: EmulatorProcess;
  let control: EmulatorControl;
  let stack: TestStack;
  const ids: Record<string, string> = {};

  const line = (r: LoggedRequest) => `${r.method} ${r.path} @${r.headers["x-sandbox-name"]}`;
  const flowRequests = async () => (await control.apiRequests()).filter((r) => r.path.startsWith("/data/"));
  const listIn = async (sandbox: string) =>
    ((await control.api("GET", "/connections", undefined, sandbox)).json.items as Array<{ id: string }>).map((c) => c.id).sort();
  const up = () => stack.ok(["up", "--yes", "--skip-preview"]);
  const previewSteps = async () =>
    (JSON.parse((await stack.ok(["preview", "--json"])).stdout).steps as any[]).filter((s) => s.urn.includes("flowservice:Connection"));
  /** The connections a preview changes (it lists unchanged ones only with --show-sames). */
  const changes = (steps: any[]) => Object.fromEntries(steps.filter((s) => s.op !== "same").map((s) => [s.urn.split("::").pop(), s.op]));
  const program = (prodPassword = passwords.prod, devSandbox = "dev") => [
    crm("crm-dev", devSandbox, passwords.dev),
    crm("crm-stage", "stage", passwords.stage),
    crm("crm-prod", "prod", prodPassword),
    crm("crm-default", undefined, passwords.prod),
  ];

  before(async function () {
    this.timeout(45 * 60_000);
    ensureEngine();
    emulator = await startEmulatorProcess();
    control = new EmulatorControl(emulator.url);
    stack = new TestStack("sandboxes");
    await stack.init(emulator.url);
  });
  after(async () => {
    await emulator?.stop();
    stack?.cleanup();
  });

  it("creates the same connection in dev, stage and prod in one up, each only in its sandbox, with one token request", async () => {
    stack.setProgram(program());
    await control.clearRequests();
    await up();
    const sent = await control.apiRequests();
    assert.strictEqual(sent.filter((r) => r.path === "/ims/token/v3").length, 1, "one token for every sandbox");
    const conns = await stack.connections();
    for (const [name, r] of Object.entries(conns)) ids[name] = r.id;
    for (const r of sent.filter((q) => q.path.startsWith(`${CONNECTIONS}/`))) {
      const name = Object.keys(ids).find((n) => r.path.startsWith(`${CONNECTIONS}/${ids[n]}`)) as string;
      assert.strictEqual(r.headers["x-sandbox-name"], conns[name].outputs.sandboxName, line(r));
    }
    const expected: Record<string, string> = { "crm-dev": "dev", "crm-stage": "stage", "crm-prod": "prod", "crm-default": "prod" };
    for (const [name, sandbox] of Object.entries(expected)) {
      assert.strictEqual(conns[name].outputs.sandboxName, sandbox, name);
      assert.strictEqual((await control.stored(ids[name])).sandboxName, sandbox, name);
    }
    assert.deepStrictEqual(await listIn("dev"), [ids["crm-dev"]]);
    assert.deepStrictEqual(await listIn("stage"), [ids["crm-stage"]]);
    assert.deepStrictEqual(await listIn("prod"), [ids["crm-default"], ids["crm-prod"]].sort());
    for (const s of SANDBOXES) assert.strictEqual((await control.stored(ids[`crm-${s}`])).auth.params.password, sha256(passwords[s]));
  });

  it("rotates only the prod secret with exactly one PATCH, to the prod connection, in sandbox prod", async () => {
    stack.setProgram(program(passwords.prod2));
    await control.clearRequests();
    await up();
    assert.deepStrictEqual((await flowRequests()).map(line), [
      `PATCH ${CONNECTIONS}/${ids["crm-prod"]} @prod`,
      `GET ${CONNECTIONS}/${ids["crm-prod"]}/test @prod`,
    ]);
    assert.strictEqual((await control.stored(ids["crm-prod"])).auth.params.password, sha256(passwords.prod2));
    assert.strictEqual((await control.stored(ids["crm-dev"])).auth.params.password, sha256(passwords.dev));
  });

  it("refreshes each connection in its own sandbox, and an out-of-band change in stage is drift on that connection only", async () => {
    await control.editOutOfBand(ids["crm-stage"], [{ op: "replace", path: "/name", value: "Renamed in stage" }]);
    await control.clearRequests();
    await stack.ok(["refresh", "--yes", "--skip-preview"]);
    const reads = (await flowRequests()).map(line).sort();
    // One listing per sandbox (api/reads.ts), each in its own sandbox: prod holds two of the four.
    assert.deepStrictEqual(
      reads,
      ["dev", "prod", "stage"].map((s) => `GET ${CONNECTIONS} @${s}`),
    );
    const conns = await stack.connections();
    assert.strictEqual(conns["crm-stage"].outputs.name, "Renamed in stage");
    for (const n of ["crm-dev", "crm-prod", "crm-default"]) assert.strictEqual(conns[n].outputs.name, "Salesforce CRM", n);
    assert.deepStrictEqual(changes(await previewSteps()), { "crm-stage": "update" });
    await control.clearRequests();
    await up();
    assert.deepStrictEqual(
      (await flowRequests()).map((r) => `${r.method} ${r.headers["x-sandbox-name"]}`),
      ["PATCH stage", "GET stage"],
      "the PATCH re-sends the unverified secrets, so the credential test follows, in stage",
    );
    assert.strictEqual((await control.stored(ids["crm-stage"])).name, "Salesforce CRM");
  });

  it("previews a change of the stack's default sandbox as a move of only the connection that relies on it", async () => {
    await stack.ok(["config", "set", "flowservice:sandboxName", "stage"]);
    try {
      const steps = await previewSteps();
      assert.deepStrictEqual(changes(steps), { "crm-default": "replace" });
      assert.deepStrictEqual(steps.find((s) => s.urn.endsWith("::crm-default")).replaceReasons, ["sandboxName"]);
    } finally {
      await stack.ok(["config", "set", "flowservice:sandboxName", "prod"]);
    }
  });

  it("moves a connection from dev to stage: the plan says so, up creates it in stage, then deletes it from dev", async () => {
    stack.setProgram(program(passwords.prod2, "stage"));
    const preview = JSON.parse((await stack.ok(["preview", "--json"])).stdout);
    const planned = buildPlan(preview).connections.find((c) => c.resourceName === "crm-dev");
    assert.deepStrictEqual(
      [planned?.action, planned?.replaceReasons, planned?.sandboxName, planned?.fromSandboxName],
      ["replace", ["sandboxName"], "stage", "dev"],
    );
    await control.clearRequests();
    await up();
    const moved = (await stack.connections())["crm-dev"];
    assert.strictEqual(moved.outputs.sandboxName, "stage");
    const sent = (await flowRequests()).map(line);
    const created = sent.indexOf(`POST ${CONNECTIONS} @stage`);
    const deleted = sent.indexOf(`DELETE ${CONNECTIONS}/${ids["crm-dev"]} @dev`);
    assert.ok(created >= 0 && deleted > created, sent.join("\n"));
    assert.deepStrictEqual(await listIn("dev"), [], "nothing left in dev");
    assert.deepStrictEqual(await listIn("stage"), [moved.id, ids["crm-stage"]].sort());
    ids["crm-dev"] = moved.id;
  });

  it("refuses a malformed sandbox name in preview, naming sandboxName, before any request", async () => {
    stack.setProgram([...program(passwords.prod2, "stage"), crm("crm-bad", "Stage Sandbox", passwords.dev)]);
    await control.clearRequests();
    const r = await stack.run(["preview"]);
    assert.notStrictEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /crm-bad[\s\S]*sandboxName[\s\S]*lowercase letters, digits and hyphens/);
    assert.deepStrictEqual(await control.apiRequests(), []);
    stack.setProgram(program(passwords.prod2, "stage"));
  });

  it("destroys each connection in its own sandbox, leaves nothing behind, and never shows a secret", async () => {
    await control.clearRequests();
    await stack.ok(["destroy", "--yes", "--skip-preview"]);
    const sandboxOf: Record<string, string> = { "crm-dev": "stage", "crm-stage": "stage", "crm-prod": "prod", "crm-default": "prod" };
    assert.deepStrictEqual(
      (await flowRequests()).map(line).sort(),
      Object.keys(ids)
        .map((n) => `DELETE ${CONNECTIONS}/${ids[n]} @${sandboxOf[n]}`)
        .sort(),
    );
    for (const s of SANDBOXES) assert.deepStrictEqual(await listIn(s), [], s);
    const everything = [stack.stateFiles(), ...stack.transcript].join("\n");
    for (const [name, value] of Object.entries({ ...passwords, clientSecret: DEMO.clientSecret }))
      assert.ok(!everything.includes(value), `${name} leaked`);
  });

  it("runs examples/sandboxes: one definition in three sandboxes, prod's secret rotated alone, then destroyed", async () => {
    const example = new TestStack("example", path.join(REPO, "examples", "sandboxes"));
    try {
      await example.init(emulator.url);
      const secrets = [
        "--secret",
        "salesforceSecurityToken=tok-ex",
        ...SANDBOXES.flatMap((s) => ["--secret", `salesforcePassword-${s}=ex-${s}-1`]),
      ];
      await example.ok(["config", "set-all", ...secrets]);
      await example.ok(["up", "--yes", "--skip-preview"]);
      const conns = await example.connections();
      assert.deepStrictEqual(Object.keys(conns).sort(), ["crm-dev", "crm-prod", "crm-stage"]);
      for (const s of SANDBOXES) assert.deepStrictEqual(await listIn(s), [conns[`crm-${s}`].id], s);
      await example.ok(["config", "set", "--secret", "salesforcePassword-prod", "ex-prod-2"]);
      await control.clearRequests();
      await example.ok(["up", "--yes", "--skip-preview"]);
      assert.deepStrictEqual((await flowRequests()).map(line), [
        `PATCH ${CONNECTIONS}/${conns["crm-prod"].id} @prod`,
        `GET ${CONNECTIONS}/${conns["crm-prod"].id}/test @prod`,
      ]);
      await example.ok(["destroy", "--yes", "--skip-preview"]);
      for (const s of SANDBOXES) assert.deepStrictEqual(await listIn(s), [], s);
    } finally {
      example.cleanup();
    }
  });
});
