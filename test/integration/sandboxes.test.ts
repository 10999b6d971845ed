// Several sandboxes from one stack, through the provider's methods against the emulator over HTTP
// (the emulator scopes connections by org + sandbox, as Flow Service does): one definition in dev,
// stage and prod, each request in its resource's sandbox, a move between sandboxes, the stack's
// default, adoption, and a lost create reply searched for in the right sandbox.
import assert from "node:assert";
import { configure, provider, requestStats } from "../../provider/dynamicProvider";
import { DEMO } from "../../tools/demo";
import { flowConfig } from "../../tools/pulumiCli";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { EmulatorControl, LoggedRequest, sha256 } from "../helpers/emulatorControl";

const SALESFORCE = "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5";
const SANDBOXES = ["dev", "stage", "prod"] as const;
const CONNECTIONS = "/data/foundation/flowservice/connections";

/** The same connection, declared for one sandbox with that sandbox's password (undefined: the stack's sandbox). */
function declared(sandboxName: string | undefined, password: string, extra: Record<string, unknown> = {}) {
  return {
    name: "Salesforce CRM",
    connectionSpec: { id: SALESFORCE, version: "1.0" },
    auth: {
      specName: "Basic Authentication",
      params: { environmentUrl: "login.salesforce.com", username: "crm", password, securityToken: "tok-123456" },
    },
    secretKeys: ["password", "securityToken"],
    ...(sandboxName !== undefined ? { sandboxName } : {}),
    ...extra,
  };
}

type Resource = { id: string; inputs: Record<string, any>; outs: Record<string, any> };

describe("several sandboxes from one stack, against the emulator", function () {
  this.timeout(60_000);
  let emulator: EmulatorProcess;
  let control: EmulatorControl;
  let config: Record<string, string>;

  /** A new provider process (new configuration, token and session), as a new `pulumi up` starts. */
  const freshProvider = (stackSandbox = "prod") => configure((k) => ({ ...config, "flowservice:sandboxName": stackSandbox })[k], {});
  const apiRequests = async () => (await control.requests()).filter((r) => !r.path.startsWith("/__emulator"));
  const flowRequests = async () => (await apiRequests()).filter((r) => r.path.startsWith("/data/"));
  const line = (r: LoggedRequest) => `${r.method} ${r.path.split("?")[0]} @${r.headers["x-sandbox-name"]}`;
  /** Whether a connection answers GET in a sandbox, asked as another user would. */
  const existsIn = async (id: string, sandbox: string) =>
    (await control.api("GET", `/connections/${id}`, undefined, sandbox)).status === 200;

  async function create(sandboxName: string | undefined, password: string, extra: Record<string, unknown> = {}): Promise<Resource> {
    const checked = await provider.check!({}, declared(sandboxName, password, extra));
    assert.deepStrictEqual(checked.failures ?? [], []);
    const r = await provider.create(checked.inputs);
    return { id: r.id, inputs: checked.inputs, outs: r.outs };
  }

  async function threeSandboxes(): Promise<Record<string, Resource>> {
    const made = await Promise.all(SANDBOXES.map((s) => create(s, `pw-${s}-1`)));
    return Object.fromEntries(SANDBOXES.map((s, i) => [s, made[i]]));
  }

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

  it("creates the same connection in dev, stage and prod, each only in its own sandbox, with one token", async () => {
    const made = await threeSandboxes();
    const sent = await apiRequests();
    assert.strictEqual(sent.filter((r) => r.path === "/ims/token/v3").length, 1, "one token for every sandbox");
    assert.strictEqual(requestStats().token, 1);
    assert.deepStrictEqual(
      sent
        .filter((r) => r.method === "POST" && r.path === CONNECTIONS)
        .map((r) => r.headers["x-sandbox-name"])
        .sort(),
      ["dev", "prod", "stage"],
    );
    for (const s of SANDBOXES) {
      const { id, outs } = made[s];
      assert.strictEqual(outs.sandboxName, s);
      for (const r of sent.filter((q) => q.path.startsWith(`${CONNECTIONS}/${id}`)))
        assert.strictEqual(r.headers["x-sandbox-name"], s, line(r));
      for (const other of SANDBOXES) assert.strictEqual(await existsIn(id, other), other === s, `${s} connection seen from ${other}`);
      assert.strictEqual((await control.stored(id)).auth.params.password, sha256(`pw-${s}-1`));
    }
  });

  it("rotates only the prod secret with exactly one PATCH, to the prod connection, in sandbox prod", async () => {
    const made = await threeSandboxes();
    freshProvider();
    await control.clearRequests();
    for (const s of SANDBOXES) {
      const { id, inputs, outs } = made[s];
      const news = (await provider.check!(inputs, declared(s, s === "prod" ? "pw-prod-2" : `pw-${s}-1`))).inputs;
      const d = await provider.diff!(id, outs, news);
      assert.strictEqual(d.changes, s === "prod", s);
      assert.deepStrictEqual(d.replaces ?? [], []);
      if (d.changes) await provider.update!(id, outs, news);
    }
    assert.deepStrictEqual((await flowRequests()).map(line), [
      `PATCH ${CONNECTIONS}/${made.prod.id} @prod`,
      `GET ${CONNECTIONS}/${made.prod.id}/test @prod`,
    ]);
    assert.strictEqual((await control.stored(made.prod.id)).auth.params.password, sha256("pw-prod-2"));
    assert.strictEqual((await control.stored(made.dev.id)).auth.params.password, sha256("pw-dev-1"));
  });

  it("moves a connection from dev to stage by a replacement: created in stage, then deleted from dev", async () => {
    const dev = await create("dev", "pw-move-1");
    await control.clearRequests();
    const news = (await provider.check!(dev.inputs, declared("stage", "pw-move-1"))).inputs;
    const d = await provider.diff!(dev.id, dev.outs, news);
    assert.deepStrictEqual(d.replaces, ["sandboxName"]);
    // What the engine does for a replacement: create the new one first, then delete the old one.
    const moved = await provider.create(news);
    await provider.delete!(dev.id, dev.outs);
    assert.deepStrictEqual((await flowRequests()).map(line), [
      `GET ${CONNECTIONS} @stage`, // the duplicate check's listing of stage
      `POST ${CONNECTIONS} @stage`,
      `GET ${CONNECTIONS}/${moved.id} @stage`,
      `GET ${CONNECTIONS}/${moved.id}/test @stage`,
      `DELETE ${CONNECTIONS}/${dev.id} @dev`,
    ]);
    assert.strictEqual(moved.outs.sandboxName, "stage");
    assert.ok(await existsIn(moved.id, "stage"));
    assert.strictEqual(await control.stored(dev.id), undefined, "nothing left in dev");
    assert.deepStrictEqual((await control.api("GET", "/connections", undefined, "dev")).json.items, []);
  });

  it("refreshes and deletes each connection in its own sandbox, and shows an out-of-band change as drift on that one only", async () => {
    const made = await threeSandboxes();
    await control.editOutOfBand(made.stage.id, [{ op: "replace", path: "/name", value: "Renamed in stage" }]);
    freshProvider();
    await control.clearRequests();
    for (const s of SANDBOXES) {
      const r = await provider.read!(made[s].id, made[s].outs);
      assert.strictEqual(r.id, made[s].id);
      assert.strictEqual(r.props!.sandboxName, s);
      if (s === "stage") assert.strictEqual(r.inputs!.name, "Renamed in stage");
      else assert.strictEqual(r.inputs, undefined, `no drift in ${s}`);
      if (s === "stage") assert.strictEqual(r.inputs!.sandboxName, "stage", "refreshed inputs keep the sandbox");
    }
    for (const s of SANDBOXES) await provider.delete!(made[s].id, made[s].outs);
    assert.deepStrictEqual(
      (await flowRequests()).map(line),
      // A refresh lists each sandbox once (api/reads.ts), in the connection's own sandbox.
      [...SANDBOXES.map((s) => `GET ${CONNECTIONS} @${s}`), ...SANDBOXES.map((s) => `DELETE ${CONNECTIONS}/${made[s].id} @${s}`)],
    );
    for (const s of SANDBOXES) assert.strictEqual(await control.stored(made[s].id), undefined);
  });

  it("moves only the connections that rely on the stack's sandbox when flowservice:sandboxName changes", async () => {
    const implicit = await create(undefined, "pw-implicit-1");
    const pinned = await create("prod", "pw-pinned-1");
    assert.deepStrictEqual([implicit.outs.sandboxName, pinned.outs.sandboxName], ["prod", "prod"]);
    freshProvider("stage");
    const implicitNews = (await provider.check!(implicit.inputs, declared(undefined, "pw-implicit-1"))).inputs;
    const pinnedNews = (await provider.check!(pinned.inputs, declared("prod", "pw-pinned-1"))).inputs;
    assert.deepStrictEqual([implicitNews.sandboxName, implicitNews.__sandboxFromStack], ["stage", true]);
    assert.deepStrictEqual((await provider.diff!(implicit.id, implicit.outs, implicitNews)).replaces, ["sandboxName"]);
    const kept = await provider.diff!(pinned.id, pinned.outs, pinnedNews);
    assert.deepStrictEqual([kept.changes, kept.replaces ?? []], [false, []]);
  });

  it("keeps state written before sandboxName was an input: no replacement, and requests to the sandbox it was read in", async () => {
    // The previous release stored no sandbox input, only the output as Flow Service returned it.
    const made = await create("dev", "pw-legacy-1");
    const { sandboxName: _s, __sandboxFromStack: _m, ...oldInputs } = made.inputs;
    freshProvider("dev");
    const news = (await provider.check!(oldInputs, declared(undefined, "pw-legacy-2"))).inputs;
    const d = await provider.diff!(made.id, made.outs, news);
    assert.deepStrictEqual([d.changes, d.replaces ?? []], [true, []]);
    await control.clearRequests();
    await provider.update!(made.id, made.outs, news);
    assert.deepStrictEqual((await flowRequests()).map(line), [
      `PATCH ${CONNECTIONS}/${made.id} @dev`,
      `GET ${CONNECTIONS}/${made.id}/test @dev`,
    ]);
  });

  it("adopts in the resource's sandbox, and names the sandbox when the id is not there", async () => {
    const made = await control.api("POST", "/connections", declared(undefined, "pw-ui-1", { secretKeys: undefined }), "stage");
    assert.strictEqual(made.status, 201);
    const wrong = await provider.check!({}, declared("dev", "pw-ui-1", { adoptId: made.json.id }));
    await assert.rejects(
      provider.create(wrong.inputs),
      (e: Error) => /adoptId .*no such connection in sandbox "dev"/.test(e.message) && /sandboxName/.test(e.message),
    );
    await control.clearRequests();
    const right = await provider.check!({}, declared("stage", "pw-ui-1", { adoptId: made.json.id }));
    const adopted = await provider.create(right.inputs);
    assert.deepStrictEqual([adopted.id, adopted.outs.sandboxName, adopted.outs.adopted], [made.json.id, "stage", true]);
    for (const r of await flowRequests()) assert.strictEqual(r.headers["x-sandbox-name"], "stage", line(r));
  });

  it("looks for a create whose reply was lost in the resource's sandbox, and finds it there", async () => {
    await control.addFault({ action: "apply-then-drop", method: "POST", path: "/connections", times: 1 });
    const made = await create("dev", "pw-lost-1");
    const sent = await flowRequests();
    assert.deepStrictEqual(
      sent.map(line),
      [
        `GET ${CONNECTIONS} @dev`, // the duplicate check's listing of dev
        `POST ${CONNECTIONS} @dev`,
        `GET ${CONNECTIONS} @dev`,
        `GET ${CONNECTIONS}/${made.id} @dev`,
        `GET ${CONNECTIONS}/${made.id}/test @dev`,
      ],
      "the search after the lost reply, in dev",
    );
    assert.deepStrictEqual(
      (await control.api("GET", "/connections", undefined, "dev")).json.items.map((c: { id: string }) => c.id),
      [made.id],
    );
  });

  it("refuses an empty or malformed sandbox in check, naming sandboxName, before any request", async () => {
    await control.clearRequests();
    for (const bad of ["", "Stage", "my sandbox"]) {
      const r = await provider.check!({}, declared(bad, "pw-bad-1"));
      assert.deepStrictEqual(
        r.failures!.map((f) => f.property),
        ["sandboxName"],
        bad,
      );
      assert.match(r.failures![0].reason, /lowercase letters, digits and hyphens/);
    }
    assert.deepStrictEqual(await apiRequests(), []);
  });
});
