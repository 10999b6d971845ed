// The provider plugin's own logic, without the engine: secrets on the wire, the detailed diff,
// check's secret marking, provider config, the schema, and what an import of a pipeline object
// records. Everything here is pure (no request is made).
import assert from "node:assert";
import { dataflow } from "../../provider/core/entities/dataflow";
import { refreshedEntity, storedEntityOutputs } from "../../provider/core/state";
import { checkConfig, diffConfig } from "../../provider/plugin/config";
import { connection } from "../../provider/core/entities/connection";
import { resourceKind, resourceKinds } from "../../provider/plugin/kind";
import { checkResource, diffResource } from "../../provider/plugin/resource";
import { packageSchema } from "../../provider/plugin/schema";
import { changedLeaves, formatPath, SECRET_SIG, SIG_KEY, secretValue, unwrapSecrets, wrapSecrets } from "../../provider/plugin/wire";
import { ProviderRuntime } from "../../provider/resources/provider";

const SALESFORCE = "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5";
const isSecret = (v: unknown) => typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;

function runtime(): ProviderRuntime {
  const r = new ProviderRuntime();
  r.configure(() => undefined, {});
  return r;
}

const salesforce = (password: unknown, extra: Record<string, unknown> = {}) => ({
  name: "CRM",
  connectionSpec: { id: SALESFORCE, version: "1.0" },
  auth: { specName: "Basic Authentication", params: { username: "u", password, securityToken: "t", ...extra } },
});

describe("plugin wire: secrets in and out", () => {
  it("unwraps secrets anywhere and names their paths", () => {
    const { value, secrets } = unwrapSecrets({ a: secretValue("x"), b: [1, { c: secretValue(2) }], d: "plain" });
    assert.deepStrictEqual(value, { a: "x", b: [1, { c: 2 }], d: "plain" });
    assert.deepStrictEqual(secrets, [["a"], ["b", 1, "c"]]);
  });

  it("wraps the values at the given paths, skips absent ones, and never wraps twice", () => {
    const out = wrapSecrets({ auth: { params: { password: "p", user: "u" } } }, [
      ["auth", "params", "password"],
      ["auth", "params", "password"],
      ["nope", "x"],
    ]);
    assert.ok(isSecret(out.auth.params.password));
    assert.strictEqual((out.auth.params.password as unknown as { value: string }).value, "p");
    assert.strictEqual(out.auth.params.user, "u");
  });

  it("writes property paths as the engine does", () => {
    assert.strictEqual(formatPath(["auth", "params", "password"]), "auth.params.password");
    assert.strictEqual(formatPath(["params", "odd.key"]), 'params["odd.key"]');
    assert.strictEqual(formatPath(["transformations", 0, "name"]), "transformations[0].name");
  });

  it("finds the changed leaves: added, deleted and updated, arrays compared whole", () => {
    assert.deepStrictEqual(changedLeaves({ a: 1, b: { c: 2 }, k: ["x"] }, { b: { c: 3, d: 4 }, k: ["x"] }), [
      { path: ["a"], kind: "delete" },
      { path: ["b", "c"], kind: "update" },
      { path: ["b", "d"], kind: "add" },
    ]);
  });
});

describe("plugin Connection: check and diff over the dynamic glue", () => {
  const kind = resourceKind(runtime(), connection);

  it("check marks the connector's secret params, and those the program marked, as secrets", async () => {
    const r = await checkResource(kind, {}, salesforce(secretValue("p1"), { environmentUrl: secretValue("login.example.com") }));
    assert.deepStrictEqual(r.failures, []);
    const params = (r.inputs.auth as { params: Record<string, unknown> }).params;
    assert.ok(isSecret(params.password) && isSecret(params.securityToken) && isSecret(params.environmentUrl));
    assert.strictEqual(params.username, "u");
    assert.deepStrictEqual(r.inputs.secretKeys, ["environmentUrl", "password", "securityToken"]);
  });

  it("check still requires a secret param on create, but not one an imported connection never had in state", async () => {
    const { password: _p, ...withoutPassword } = salesforce(undefined).auth.params;
    const news = { ...salesforce(undefined), auth: { specName: "Basic Authentication", params: withoutPassword } };
    const created = await checkResource(kind, {}, news);
    assert.deepStrictEqual(
      created.failures.map((f) => f.property),
      ["auth.params.password"],
    );
    const imported = await checkResource(kind, news, news);
    assert.deepStrictEqual(imported.failures, []);
    const dropped = await checkResource(kind, salesforce("p1"), news);
    assert.deepStrictEqual(
      dropped.failures.map((f) => f.property),
      ["auth.params.password"],
      "a secret the state held cannot be dropped",
    );
  });

  async function diff(oldPassword: string, news: Record<string, unknown>) {
    const olds = (await checkResource(kind, {}, salesforce(oldPassword))).inputs;
    const checked = (await checkResource(kind, olds, news)).inputs;
    const outputs = { ...(unwrapSecrets(olds).value as Record<string, unknown>), connectionId: "c1", etag: '"e1"', adopted: false };
    return diffResource(kind, "c1", wrapSecrets(outputs, [["auth", "params", "password"]]), checked, olds);
  }

  it("a rotation is an update naming only the changed secret param", async () => {
    const d = await diff("p1", salesforce(secretValue("p2")));
    assert.strictEqual(d.changes, true);
    assert.deepStrictEqual(d.replaces, []);
    assert.deepStrictEqual(d.detailed, [{ path: "auth.params.password", kind: "update", replace: false }]);
    assert.deepStrictEqual(d.changedKeys, ["auth"]);
  });

  it("an unchanged program is no change at all", async () => {
    const d = await diff("p1", salesforce(secretValue("p1")));
    assert.deepStrictEqual(d, { changes: false, replaces: [], changedKeys: [], detailed: [], deleteBeforeReplace: false });
  });

  it("a new connector is a replacement, marked on the connector's path only", async () => {
    const news = { ...salesforce(secretValue("p2")), connectionSpec: { id: SALESFORCE, version: "2.0" } };
    const d = await diff("p1", news);
    assert.deepStrictEqual(d.replaces, ["connectionSpec"]);
    assert.deepStrictEqual(
      d.detailed.map((c) => [c.path, c.replace]),
      [
        ["auth.params.password", false],
        ["connectionSpec.version", true],
      ],
    );
  });
});

describe("plugin provider config", () => {
  it("refuses an unknown or invalid setting, naming it, and holds credentials as secrets even when set in clear", () => {
    const r = checkConfig({ clientID: "x", maxRetries: "many", clientSecret: "s" }, {});
    assert.deepStrictEqual(r.failures.map((f) => f.property).sort(), ["clientID", "maxRetries"]);
    assert.match(
      r.failures.find((f) => f.property === "clientID")?.reason ?? "",
      /not a setting of this provider; known settings: clientId/,
    );
    assert.ok(isSecret(r.inputs.clientSecret));
  });

  it("a changed setting is a change of the provider, never a replacement", () => {
    const d = diffConfig({ sandboxName: "dev", version: "0.1.0" }, { sandboxName: "prod", version: "0.2.0" });
    assert.deepStrictEqual(d, {
      changes: true,
      detailed: [{ path: "sandboxName", kind: "update", replace: false }],
      changedKeys: ["sandboxName"],
    });
  });
});

describe("plugin schema", () => {
  const r = runtime();
  const schema = packageSchema("1.2.3", resourceKinds(r)) as any;

  it("declares the Connection's inputs and outputs from the zod schemas, without the provider's bookkeeping", () => {
    const c = schema.resources["flowservice:index:Connection"];
    assert.deepStrictEqual(c.requiredInputs, ["name", "connectionSpec", "auth"]);
    assert.ok(
      ["etag", "state", "createdAt", "updatedAt", "sandboxName", "connectionId", "adopted", "verification", "verifiedAt"].every(
        (k) => k in c.properties,
      ),
    );
    assert.strictEqual(c.inputProperties.verifyCredentials.type, "boolean");
    assert.ok(!Object.keys(c.inputProperties).some((k) => k.startsWith("__")));
    assert.deepStrictEqual(c.inputProperties.auth, {
      $ref: "#/types/flowservice:index:Auth",
      description: c.inputProperties.auth.description,
    });
    const { description: _, ...params } = schema.types["flowservice:index:Auth"].properties.params;
    assert.deepStrictEqual(params, { type: "object", additionalProperties: { $ref: "pulumi.json#/Any" } });
  });

  it("declares every flowservice:* setting, the credentials as secrets, and the pipeline resources", () => {
    assert.strictEqual(schema.version, "1.2.3");
    assert.strictEqual(schema.config.variables.clientSecret.secret, true);
    assert.strictEqual(schema.config.variables.accessToken.secret, true);
    assert.strictEqual(schema.config.variables.clientId.secret, undefined);
    assert.deepStrictEqual(Object.keys(schema.resources).sort(), [
      "flowservice:index:Connection",
      "flowservice:index:Dataflow",
      "flowservice:index:SourceConnection",
      "flowservice:index:TargetConnection",
    ]);
    assert.deepStrictEqual(schema.resources["flowservice:index:Dataflow"].inputProperties.transformations.items, {
      $ref: "#/types/flowservice:index:Transformation",
    });
  });
});

describe("an import of a pipeline object (no state yet)", () => {
  it("records what Flow Service shows of the fields it cannot patch, where a refresh keeps the program's", () => {
    const live = {
      id: "f1",
      etag: '"e1"',
      name: "Flow",
      state: "enabled",
      flowSpec: { id: "spec-1", version: "1.0" },
      sourceConnectionIds: ["s1"],
      targetConnectionIds: ["t1"],
      scheduleParams: { startTime: 1893456000, frequency: "minute", interval: 15 },
    };
    const imported = refreshedEntity(dataflow, storedEntityOutputs({}), live);
    assert.deepStrictEqual(imported.inputs?.flowSpec, { id: "spec-1", version: "1.0" });
    assert.deepStrictEqual(imported.inputs?.sourceConnectionIds, ["s1"]);
    // Once in state, a member the program left out (the spec's version) stays left out.
    const declared = storedEntityOutputs({ ...imported.outputs, flowSpec: { id: "spec-1" }, etag: '"e0"' });
    assert.deepStrictEqual(refreshedEntity(dataflow, declared, live).inputs?.flowSpec, { id: "spec-1" });
  });
});

describe("the plugin's kinds: one per registered type, one machinery", () => {
  const kinds = resourceKinds(runtime());
  const kindOf = (token: string) => kinds.find((k) => k.token === token) as NonNullable<(typeof kinds)[number]>;

  it("serves the four types of the registry, each replaced when its sandbox or adoptId changes", () => {
    assert.deepStrictEqual(
      kinds.map((k) => k.token),
      [
        "flowservice:index:Connection",
        "flowservice:index:SourceConnection",
        "flowservice:index:TargetConnection",
        "flowservice:index:Dataflow",
      ],
    );
    for (const k of kinds) {
      const paths = k.replacePaths.map((p) => p.join("."));
      assert.ok(paths.includes("sandboxName") && paths.includes("adoptId"), k.token);
    }
  });

  it("an import of a source connection leaves its secret params out, as for a connection, and says so", () => {
    const kind = kindOf("flowservice:index:SourceConnection");
    const props = { name: "Files", params: { path: "/landing", apiKey: "********" }, secretKeys: [] };
    const r = kind.afterImport?.({ props, inputs: { name: "Files", params: { path: "/landing", apiKey: "********" } } });
    assert.deepStrictEqual(r?.props.params, { path: "/landing" });
    assert.deepStrictEqual(r?.inputs.params, { path: "/landing" });
    assert.deepStrictEqual([r?.props.secretKeys, r?.inputs.secretKeys, r?.props.adopted], [["apiKey"], ["apiKey"], true]);
    assert.match(r?.notes[0] ?? "", /Source connection "Files": its secret params \(apiKey\) cannot be read back/);
  });
});
