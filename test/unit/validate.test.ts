import assert from "node:assert";
import { checkConnection, UNKNOWN } from "../helpers/connectionChecks";
import { salesforceInputs, SALESFORCE } from "./fixtures";

const properties = (news: Record<string, unknown>) =>
  checkConnection({}, news)
    .failures.map((f) => f.property)
    .sort();

describe("check (argument validation, offline)", () => {
  it("accepts a complete Salesforce connection and records all its secrets as new", () => {
    const r = checkConnection({}, salesforceInputs());
    assert.deepStrictEqual(r.failures, []);
    assert.deepStrictEqual(r.inputs.__secretVersions, { password: 1, securityToken: 1 });
  });

  it("names the missing name", () => {
    const { name: _n, ...rest } = salesforceInputs();
    const r = checkConnection({}, rest);
    assert.deepStrictEqual(
      r.failures.map((f) => f.property),
      ["name"],
    );
    assert.match(r.failures[0].reason, /required/);
  });

  it("warns of an auth spec the catalog does not know, listing the known ones, without refusing it (Adobe may have added it)", () => {
    const r = checkConnection({}, salesforceInputs({ auth: { specName: "Basic", params: {} } }));
    assert.deepStrictEqual(r.failures, []);
    assert.deepStrictEqual(
      r.warnings?.map((f) => f.property),
      ["auth.specName"],
    );
    assert.match(r.warnings![0].reason, /"Basic Authentication", "OAuth2 Client Credential".*live spec/);
  });

  it("names a param of the wrong type and each missing required param", () => {
    const inputs = salesforceInputs();
    const params = { ...inputs.auth.params, username: 42 } as Record<string, unknown>;
    delete params.securityToken;
    assert.deepStrictEqual(properties({ ...inputs, auth: { ...inputs.auth, params } }), [
      "auth.params.securityToken",
      "auth.params.username",
    ]);
  });

  it("says which auth spec needs a missing param, warns of an unknown one, and expects another type, without showing a secret", () => {
    const inputs = salesforceInputs();
    const params = { ...inputs.auth.params, username: 42, password: 123456, extra: "x" } as Record<string, unknown>;
    delete params.securityToken;
    const r = checkConnection({}, { ...inputs, auth: { ...inputs.auth, params } });
    const reasons = Object.fromEntries(r.failures.map((f) => [f.property, f.reason]));
    assert.match(reasons["auth.params.securityToken"], /is required by Salesforce auth spec "Basic Authentication": add it to auth.params/);
    assert.strictEqual(reasons["auth.params.extra"], undefined, "an unknown param is not refused offline");
    assert.match(
      r.warnings!.find((w) => w.property === "auth.params.extra")!.reason,
      /is not a param of Salesforce auth spec "Basic Authentication" in this provider's catalog \(known params: environmentUrl, username, password/,
    );
    assert.match(reasons["auth.params.username"], /must be a string for Salesforce auth spec "Basic Authentication", got 42/);
    assert.match(
      reasons["auth.params.password"],
      /must be a string for Salesforce auth spec "Basic Authentication", got a number \(value not shown: a secret\)/,
    );
    assert.ok(!reasons["auth.params.password"].includes("123456"));
  });

  it("accepts verifyCredentials as a boolean and names any other value", () => {
    assert.deepStrictEqual(properties(salesforceInputs({ verifyCredentials: false })), []);
    assert.strictEqual(checkConnection({}, salesforceInputs({ verifyCredentials: false })).inputs.verifyCredentials, false);
    assert.deepStrictEqual(properties(salesforceInputs({ verifyCredentials: "no" })), ["verifyCredentials"]);
  });

  it("names a param that is not a string, number or boolean", () => {
    const inputs = salesforceInputs();
    assert.deepStrictEqual(properties({ ...inputs, auth: { ...inputs.auth, params: { ...inputs.auth.params, extra: { a: 1 } } } }), [
      "auth.params.extra",
    ]);
  });

  it("names a malformed adoptId, such as one that would change the URL", () => {
    for (const bad of ["../139f6a5f", "139f6a5f-a78b-4744-9f6a-5fa78bd74431?x", "not an id"]) {
      assert.deepStrictEqual(properties(salesforceInputs({ adoptId: bad })), ["adoptId"], bad);
    }
    assert.deepStrictEqual(properties(salesforceInputs({ adoptId: "139f6a5f-a78b-4744-9f6a-5fa78bd74431" })), []);
  });

  it("tolerates values unknown during preview", () => {
    const r = checkConnection(
      {},
      salesforceInputs({
        name: UNKNOWN,
        adoptId: UNKNOWN,
        auth: { specName: "Basic Authentication", params: { username: UNKNOWN, password: UNKNOWN, securityToken: "t" } },
      }),
    );
    assert.deepStrictEqual(r.failures, []);
  });

  it("bumps the version of a secret param whose value changed, and only that one", () => {
    const old = checkConnection({}, salesforceInputs()).inputs;
    const next = salesforceInputs();
    next.auth.params = { ...next.auth.params, password: "pw-2" };
    assert.deepStrictEqual(checkConnection(old, next).inputs.__secretVersions, { password: 2, securityToken: 1 });
    assert.deepStrictEqual(checkConnection(old, salesforceInputs()).inputs, old, "an unchanged program: identical inputs");
  });

  it("drops output-only placeholders from the inputs", () => {
    const r = checkConnection({}, { ...salesforceInputs(), etag: undefined, state: "x" });
    assert.ok(!("state" in r.inputs));
    assert.strictEqual((r.inputs.connectionSpec as { id: string }).id, SALESFORCE);
  });

  describe("sandboxName", () => {
    const stack = { sandboxName: "prod" };

    it("records the declared sandbox, or the stack's default with a marker that it came from the stack", () => {
      const declared = checkConnection({}, salesforceInputs({ sandboxName: "dev" }), stack);
      assert.deepStrictEqual(declared.failures, []);
      assert.strictEqual(declared.inputs.sandboxName, "dev");
      assert.ok(!("__sandboxFromStack" in declared.inputs));
      const implicit = checkConnection({}, salesforceInputs(), stack);
      assert.deepStrictEqual([implicit.inputs.sandboxName, implicit.inputs.__sandboxFromStack], ["prod", true]);
    });

    it("names sandboxName, the rule and the fix for an empty or malformed sandbox", () => {
      for (const bad of ["", "Dev", "dev sandbox", "-dev", "dév", "prod/../x", 7]) {
        const r = checkConnection({}, salesforceInputs({ sandboxName: bad }), stack);
        assert.deepStrictEqual(
          r.failures.map((f) => f.property),
          ["sandboxName"],
          String(bad),
        );
        assert.match(r.failures[0].reason, /lowercase letters, digits and hyphens/, String(bad));
        assert.match(r.failures[0].reason, /Leave sandboxName out to use the stack's flowservice:sandboxName/);
      }
      assert.match(checkConnection({}, salesforceInputs({ sandboxName: "" }), stack).failures[0].reason, /^must not be empty/);
      for (const good of ["prod", "dev", "stage-2", "42"])
        assert.deepStrictEqual(properties(salesforceInputs({ sandboxName: good })), [], good);
    });

    it("blames the stack's flowservice:sandboxName when the default is malformed", () => {
      const r = checkConnection({}, salesforceInputs(), { sandboxName: "Prod" });
      assert.deepStrictEqual(
        r.failures.map((f) => f.property),
        ["sandboxName"],
      );
      assert.match(r.failures[0].reason, /stack's flowservice:sandboxName \("Prod"\).*pulumi config set flowservice:sandboxName/);
    });

    it("accepts a sandbox known only at up", () => {
      const r = checkConnection({}, salesforceInputs({ sandboxName: UNKNOWN }), stack);
      assert.deepStrictEqual(r.failures, []);
      assert.strictEqual(r.inputs.sandboxName, UNKNOWN);
    });
  });
});
