// No twin after a killed run: a create first looks, in its sandbox's listing (once per run), for an
// unrecorded object of the same identity that this client created lately (what an interrupted
// `up` leaves), and refuses naming flowservice-recover instead of POSTing a second one. The
// provider's methods against the emulator over HTTP; the route through the engine is
// test/e2e/interrupted.test.ts's.
import assert from "node:assert";
import type * as pulumi from "@pulumi/pulumi";
import { configure, provider } from "../../provider/dynamicProvider";
import { sourceConnectionProvider } from "../../provider/pipelineProvider";
import { FLOW_BASE_PATH, salesforceConnection, salesforceParams } from "../../tools/demo";
import { flowConfig } from "../../tools/pulumiCli";
import { recordCase } from "../../tools/reliabilityReport";
import { DEMO, S3, useEmulator } from "../helpers/emulatorApi";
import { EmulatorControl } from "../helpers/emulatorControl";

const TEST = "test/integration/duplicates.test.ts";

const crm = (name: string) => ({
  ...salesforceConnection(name, salesforceParams("u", "pw-dup-111", "tok-123456")),
  secretKeys: ["password", "securityToken"],
  verifyCredentials: false,
});

describe("a create never makes a twin of an interrupted run's object", function () {
  this.timeout(60_000);
  let control: EmulatorControl;
  let url = "";
  useEmulator((emu) => {
    url = emu.url;
    control = new EmulatorControl(emu.url);
  });
  const fresh = (extra: Record<string, string> = {}) => {
    const config = flowConfig(url, DEMO, { "flowservice:maxRetries": "1", ...extra });
    configure((k) => config[k], {});
  };
  beforeEach(() => fresh());

  const sent = async () =>
    (await control.requests())
      .filter((r) => !r.path.startsWith("/__emulator") && !r.path.startsWith("/ims"))
      .map((r) => `${r.method} ${r.path.replace(FLOW_BASE_PATH, "")}`);
  const create = async (p: pulumi.dynamic.ResourceProvider, args: Record<string, unknown>) => p.create((await p.check!({}, args)).inputs);
  /** What an interrupted run leaves: the object, created by this client, and nothing in state. */
  const leftBehind = async (path: string, body: Record<string, unknown>) => {
    const r = await control.api("POST", path, body);
    assert.strictEqual(r.status, 201, JSON.stringify(r.json));
    return r.json.id as string;
  };
  const { verifyCredentials: _v, secretKeys: _s, ...crmBody } = crm("Interrupted CRM");

  it("refuses a connection whose twin this client created lately, naming flowservice-recover, adoptId and the override; no POST", async () => {
    const orphan = await leftBehind("/connections", crmBody);
    await control.clearRequests();
    await assert.rejects(create(provider, crm("Interrupted CRM")), (e: Error & { code?: string }) => {
      assert.strictEqual(e.code, "DUPLICATE");
      assert.ok(
        e.message.includes(`Connection "Interrupted CRM" was not created: sandbox "prod" already holds a connection like it`),
        e.message,
      );
      assert.ok(e.message.includes(orphan), "names the object");
      assert.match(e.message, /'flowservice-recover --yes' to take such objects into the state, then 'pulumi up'/);
      assert.ok(e.message.includes(`adoptId: "${orphan}"`));
      assert.match(e.message, /AEP_DUPLICATE_CHECK_MINUTES=0/);
      assert.ok(!e.message.includes("pw-dup-111"), "no secret in the message");
      return true;
    });
    assert.deepStrictEqual(await sent(), ["GET /connections"], "one listing, no POST");
    // Another name, or another connector's: created; the run's listing is not read again.
    const other = await create(provider, crm("Another CRM"));
    assert.deepStrictEqual(
      await sent(),
      ["GET /connections", "POST /connections", `GET /connections/${other.id}`],
      "created; the run's listing is not read again",
    );
    recordCase({
      area: "fault",
      case: "create of a connection whose twin an interrupted run left (same name and connector, this client, not in state)",
      via: "provider",
      outcome: "refused before any POST, naming the object, flowservice-recover, adoptId and the override; 1 listing per run",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("creates it anyway with flowservice:duplicateCheckMinutes 0, and never takes an object of this run for a twin", async () => {
    await leftBehind("/connections", { ...crmBody, name: "Override CRM" });
    fresh({ "flowservice:duplicateCheckMinutes": "0" });
    await control.clearRequests();
    const made = await create(provider, crm("Override CRM"));
    assert.deepStrictEqual(await sent(), ["POST /connections", `GET /connections/${made.id}`], "no listing when off");
    // This run's own object (created, then created again under the same name by a second resource) is no twin.
    fresh();
    const first = await create(provider, crm("Same run CRM"));
    const second = await create(provider, crm("Same run CRM"));
    assert.notStrictEqual(first.id, second.id);
  });

  it("never takes an object of this stack's state for a twin: the engine's diff of each resource marks its id (a replacement's old object)", async () => {
    const old = await leftBehind("/connections", { ...crmBody, name: "Replaced CRM" });
    // What the engine does before a create-before-delete replacement (pulumi up --replace): diff the old resource.
    const other = await create(provider, crm("Diffed CRM"));
    const news = (await provider.check!({}, crm("Diffed CRM"))).inputs;
    await provider.diff!(old, { ...other.outs }, news);
    const made = await create(provider, crm("Replaced CRM"));
    assert.notStrictEqual(made.id, old);
  });

  it("refuses a source connection's twin too (every resource type, by its description's identity)", async () => {
    const base = await leftBehind("/connections", {
      name: "Landing bucket",
      connectionSpec: { id: S3, version: "1.0" },
      auth: { specName: "Access Key", params: { s3AccessKey: "AKIAEXAMPLE", s3SecretKey: "s3-secret-1" } },
    });
    const source = {
      name: "Landing files",
      baseConnectionId: base,
      connectionSpec: { id: S3, version: "1.0" },
      data: { format: "delimited" },
      params: { path: "/landing/customers.csv" },
    };
    const orphan = await leftBehind("/sourceConnections", source);
    await control.clearRequests();
    await assert.rejects(create(sourceConnectionProvider, { ...source, secretKeys: [] }), (e: Error & { code?: string }) => {
      assert.strictEqual(e.code, "DUPLICATE");
      assert.ok(e.message.includes(orphan) && /flowservice-recover/.test(e.message), e.message);
      return true;
    });
    assert.ok(!(await sent()).some((l) => l.startsWith("POST")), "no POST");
    // Another name is another identity: created.
    await create(sourceConnectionProvider, { ...source, name: "Orders files", secretKeys: [] });
  });
});
