// The schema the SDKs are generated from (provider/plugin/schema.ts, sdk/schema.json): what Pulumi's
// code generators turn into docstrings, package names, typed config and the plugin version the
// SDKs ask for. The SDKs themselves are generated and checked by scripts/sdk.sh (.ci/run).
import assert from "node:assert";
import fs from "node:fs";
import path from "node:path";
import { packageVersion } from "../../provider/plugin/schema";
import { sdkSchemaText } from "../../tools/sdkSchema";

const REPO = path.resolve(__dirname, "../..");
type Spec = Record<string, any>;

describe("the package schema the SDKs are generated from", () => {
  const text = sdkSchemaText();
  const schema = JSON.parse(text) as Spec;

  it("carries the npm package's version, so a generated SDK asks the engine for the plugin that is installed", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));
    assert.strictEqual(schema.version, pkg.version);
    assert.strictEqual(packageVersion(), pkg.version);
  });

  it("names the Python package pulumi_flowservice, the Go module and the .NET namespace", () => {
    assert.strictEqual(schema.language.python.packageName, "pulumi_flowservice");
    assert.strictEqual(schema.language.python.respectSchemaVersion, true);
    assert.match(schema.language.go.importBasePath, /^[a-z0-9.-]+\/[^ ]+\/sdk\/go\/flowservice$/);
    assert.strictEqual(schema.language.go.importBasePath, `${schema.language.go.modulePath}/flowservice`);
    assert.strictEqual(schema.language.csharp.namespaces.flowservice, "FlowService");
  });

  it("describes every resource, type, property and setting (the SDKs' docstrings)", () => {
    const missing: string[] = [];
    const props = (where: string, p: Spec | undefined) => {
      for (const [k, v] of Object.entries(p ?? {})) if (!(v as Spec).description) missing.push(`${where}.${k}`);
    };
    for (const [token, r] of Object.entries(schema.resources as Spec)) {
      if (!r.description) missing.push(token);
      props(`${token} input`, r.inputProperties);
      props(`${token} output`, r.properties);
    }
    for (const [token, t] of Object.entries(schema.types as Spec)) {
      if (!t.description) missing.push(token);
      props(token, t.properties);
    }
    props("config", schema.config.variables);
    props("provider", schema.provider.inputProperties);
    assert.deepStrictEqual(
      missing,
      [],
      "add a description in provider/plugin/schema.ts (PROPERTY_DOCS, MEMBER_DOCS, TYPE_DOCS, CONFIG_DOCS)",
    );
  });

  it("types each setting as the provider reads it, and holds the credentials as secrets", () => {
    const v = schema.config.variables;
    assert.strictEqual(v.verifyCredentials.type, "boolean");
    for (const k of ["maxConcurrency", "requestTimeoutMs", "retryBudgetMs", "maxRetries"]) assert.strictEqual(v[k].type, "integer", k);
    for (const k of ["clientId", "orgId", "sandboxName", "endpoint", "imsEndpoint", "scopes"]) assert.strictEqual(v[k].type, "string", k);
    assert.deepStrictEqual(
      Object.keys(v).filter((k) => v[k].secret),
      ["clientSecret", "accessToken"],
    );
  });

  it("sdk/schema.json is this schema: after a schema change, run `bash scripts/sdk.sh` to regenerate sdk/", () => {
    const committed = fs.readFileSync(path.join(REPO, "sdk", "schema.json"), "utf8");
    assert.ok(committed === text, "sdk/schema.json differs from the plugin's schema: run `bash scripts/sdk.sh` and commit sdk/");
  });
});
