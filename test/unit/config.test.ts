import assert from "node:assert";
import { assertCredentials, DEFAULT_ENDPOINT, KNOWN_CONFIG_KEYS, resolveConfig, unknownConfigKeys } from "../../provider/core/config";
import { checkConfig } from "../../provider/plugin/config";
import { stackConfigProblem } from "../../provider/resources/stackConfig";
import * as pulumi from "@pulumi/pulumi";

const from = (values: Record<string, string>) => (key: string) => values[key];

describe("provider configuration", () => {
  it("takes stack config first, then the environment, then the defaults", () => {
    const c = resolveConfig(from({ "flowservice:sandboxName": "dev" }), { AEP_SANDBOX_NAME: "stage", AEP_ORG_ID: "ORG@AdobeOrg" });
    assert.strictEqual(c.sandboxName, "dev");
    assert.strictEqual(c.orgId, "ORG@AdobeOrg");
    assert.strictEqual(c.endpoint, DEFAULT_ENDPOINT);
    assert.strictEqual(c.maxConcurrency, 8);
    assert.strictEqual(resolveConfig(from({}), {}).sandboxName, "prod");
  });

  it("drops a trailing slash from the endpoint and treats an empty value as unset", () => {
    const c = resolveConfig(
      from({ "flowservice:endpoint": "http://127.0.0.1:4010/data/foundation/flowservice/", "flowservice:orgId": "" }),
      {},
    );
    assert.strictEqual(c.endpoint, "http://127.0.0.1:4010/data/foundation/flowservice");
    assert.strictEqual(c.orgId, undefined);
  });

  it("names the key, the bad value and both ways to set it for a number that is not whole", () => {
    assert.throws(
      () => resolveConfig(from({ "flowservice:maxConcurrency": "eight" }), {}),
      /flowservice:maxConcurrency must be a whole number, got "eight".*AEP_MAX_CONCURRENCY/,
    );
  });

  it("names an endpoint that is not a URL", () => {
    assert.throws(
      () => resolveConfig(from({ "flowservice:endpoint": "platform" }), {}),
      /flowservice:endpoint is invalid.*AEP_FLOW_ENDPOINT/,
    );
  });

  it("needs no credentials to configure, and names each missing one when Flow Service must be called", () => {
    const c = resolveConfig(from({}), {});
    assert.throws(
      () => assertCredentials(c),
      (e: Error) =>
        /flowservice:clientId.*flowservice:clientSecret.*flowservice:orgId/.test(e.message) && (e as { code?: string }).code === "CONFIG",
    );
    assert.doesNotThrow(() =>
      assertCredentials(resolveConfig(from({ "flowservice:accessToken": "t", "flowservice:clientId": "c", "flowservice:orgId": "o" }), {})),
    );
  });

  it("fails at once on a control character in any value, naming the key (or variable) and not showing the value", () => {
    for (const key of KNOWN_CONFIG_KEYS) {
      assert.throws(
        () => resolveConfig(from({ [`flowservice:${key}`]: "secret-ish\r\n" }), {}),
        (e: Error) => e.message.includes(`flowservice:${key} contains a control character`) && !e.message.includes("secret-ish"),
        key,
      );
    }
    assert.throws(
      () => resolveConfig(from({}), { AEP_ORG_ID: "ORG@AdobeOrg\n" }),
      /AEP_ORG_ID \(for flowservice:orgId\) contains a control character/,
    );
    assert.throws(
      () => resolveConfig(from({ "flowservice:clientSecret": "s\u0000" }), {}),
      /pulumi config set --secret flowservice:clientSecret/,
    );
  });

  it("names a flowservice key that is not a setting, with the known ones, and ignores other namespaces", () => {
    const unknown = unknownConfigKeys(["flowservice:endpointt", "flowservice:orgId", "aws:region", "flowservice:imsEndpointt"]);
    assert.deepStrictEqual(
      unknown.map((u) => u.key),
      ["endpointt", "imsEndpointt"],
    );
    assert.match(
      unknown[0].reason,
      /^flowservice:endpointt is not a setting of this provider; known settings: clientId, clientSecret, orgId, sandboxName,.*endpoint, imsEndpoint/,
    );
  });

  it("gives the plugin door the same verdicts: an unknown key and a control character, each naming the key", () => {
    const r = checkConfig({ endpointt: "http://127.0.0.1:1", orgId: "ORG@AdobeOrg\r\n" }, {});
    assert.deepStrictEqual(r.failures.map((f) => f.property).sort(), ["endpointt", "orgId"]);
    assert.strictEqual(r.failures.find((f) => f.property === "endpointt")?.reason, unknownConfigKeys(["flowservice:endpointt"])[0].reason);
  });
});

describe("the program's check of the stack configuration (dynamic resources)", () => {
  it("fails the program cleanly (a RunError, no stack trace) naming an unknown flowservice key, and passes known and foreign keys", () => {
    const problem = stackConfigProblem(["flowservice:endpointt", "flowservice:orgId", "aws:region"]);
    assert.ok(problem && pulumi.RunError.isInstance(problem));
    assert.match(problem.message, /^flowservice:endpointt is not a setting of this provider; known settings: clientId,/);
    assert.strictEqual(stackConfigProblem(["flowservice:orgId", "flowservice:endpoint", "aws:region"]), null);
  });
});
