// The provider's offline catalog (provider/core/catalog.ts) and the emulator's connection specs
// (emulator/data/specs.ts) are written independently; where they describe the same connector they must
// agree, or `pulumi preview` passes what `pulumi up` then has refused by Flow Service.
import assert from "node:assert";
import { LiveConnectionSpec, toLiveConnector } from "../../provider/api/specs";
import { CONNECTORS, liveSpecRules } from "../../provider/core/catalog";
import { checkConnection } from "../helpers/connectionChecks";
import { CONNECTION_SPECS } from "../../emulator/data/specs";

const S3 = "ecadc60c-7455-4d87-84dc-2a0e293d997b";

describe("the connector catalog", () => {
  const adobeSpecs = CONNECTION_SPECS.filter((s) => s.attributes.category !== "Test" && s.authSpec.length > 0);

  it("knows every connector of the emulator, and no other", () => {
    assert.deepStrictEqual(Object.keys(CONNECTORS).sort(), adobeSpecs.map((s) => s.id).sort());
  });

  for (const spec of adobeSpecs) {
    it(`agrees with the emulator on ${spec.name}: auth specs, param names, secret and required flags, types`, () => {
      const connector = CONNECTORS[spec.id];
      assert.strictEqual(connector.name, spec.name);
      assert.deepStrictEqual(Object.keys(connector.authSpecs).sort(), spec.authSpec.map((a) => a.name).sort());
      for (const auth of spec.authSpec) {
        const emulator = Object.entries(auth.spec.properties).map(([name, p]) => ({
          name,
          type: p.type === "number" ? "integer" : p.type,
          secret: p.format === "password",
          required: (auth.spec.required ?? []).includes(name),
        }));
        const catalog = Object.entries(connector.authSpecs[auth.name].params).map(([name, p]) => ({ name, ...p }));
        const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
        assert.deepStrictEqual(catalog.sort(byName), emulator.sort(byName), `${spec.name} "${auth.name}"`);
      }
    });
  }

  it("makes check fail an S3 Access Key connection without its secret key, naming the param and the auth spec", () => {
    const r = checkConnection(
      {},
      {
        name: "Landing bucket",
        connectionSpec: { id: S3, version: "1.0" },
        auth: { specName: "Access Key", params: { s3AccessKey: "AKIAEXAMPLE" } },
        secretKeys: [],
      },
    );
    assert.deepStrictEqual(
      r.failures.map((f) => f.property),
      ["auth.params.s3SecretKey"],
    );
    assert.match(r.failures[0].reason, /required by Amazon S3 auth spec "Access Key"/);
  });

  it("makes check fail an SFTP port that is not an integer, and only warn of a param the catalog does not know, naming the known ones", () => {
    const r = checkConnection(
      {},
      {
        name: "Partner",
        connectionSpec: { id: "b7bf2577-4520-42c9-bae9-cad01560f7bc" },
        auth: { specName: "Basic Authentication for sftp", params: { host: "h", userName: "u", password: "p", port: "22", hostname: "h" } },
        secretKeys: ["password"],
      },
    );
    assert.deepStrictEqual(
      r.failures.map((f) => f.property),
      ["auth.params.port"],
    );
    assert.match(r.failures[0].reason, /must be an integer/);
    assert.deepStrictEqual(
      r.warnings?.map((f) => f.property),
      ["auth.params.hostname"],
    );
    assert.match(r.warnings![0].reason, /not a param of SFTP .*known params: host, port, userName, password\)/);
  });

  it("accepts S3 Access Key's bucketName and folderPath (Adobe's S3 tutorial), with no failure and no warning", () => {
    const r = checkConnection(
      {},
      {
        name: "Landing bucket",
        connectionSpec: { id: S3, version: "1.0" },
        auth: {
          specName: "Access Key",
          params: { s3AccessKey: "AKIAEXAMPLE", s3SecretKey: "s", bucketName: "landing", folderPath: "exports/daily" },
        },
        secretKeys: ["s3SecretKey"],
      },
    );
    assert.deepStrictEqual([r.failures, r.warnings], [[], []]);
    assert.ok(emulatorParams(S3, "Access Key").includes("bucketName") && emulatorParams(S3, "Access Key").includes("folderPath"));
  });
});

function emulatorParams(specId: string, authName: string): string[] {
  const auth = CONNECTION_SPECS.find((s) => s.id === specId)?.authSpec.find((a) => a.name === authName);
  return Object.keys(auth?.spec.properties ?? {});
}

describe("the connector's live spec (what `up` reads when the catalog doubts)", () => {
  const liveS3 = () => toLiveConnector(LiveConnectionSpec.parse(JSON.parse(JSON.stringify(CONNECTION_SPECS.find((s) => s.id === S3)))));
  const inputs = (params: Record<string, string>, specName = "Access Key") => ({ connectionSpec: { id: S3 }, auth: { specName, params } });

  it("reads the emulator's S3 spec as the catalog knows it: the same params for Access Key, unlisted params refused", () => {
    const live = liveS3();
    assert.deepStrictEqual(
      live.authSpecs.find((a) => a.name === "Access Key")?.params.sort(),
      Object.keys(CONNECTORS[S3].authSpecs["Access Key"].params).sort(),
    );
    assert.strictEqual(live.authSpecs[0].open, false);
  });

  it("refuses a param the live spec does not list, naming its params, and an auth spec it does not have; accepts bucketName", () => {
    const live = liveS3();
    assert.deepStrictEqual(liveSpecRules(inputs({ s3AccessKey: "a", s3SecretKey: "s", bucketName: "b" }), live), []);
    const [unknown] = liveSpecRules(inputs({ s3AccessKey: "a", bucketNme: "b" }), live);
    assert.strictEqual(unknown.property, "auth.params.bucketNme");
    assert.match(
      unknown.reason,
      /live spec \(GET \/connectionSpecs\/ecadc60c-7455-4d87-84dc-2a0e293d997b\) has s3AccessKey, s3SecretKey, s3SessionToken, serviceUrl, bucketName, folderPath/,
    );
    const [spec] = liveSpecRules(inputs({}, "Secret Key"), live);
    assert.deepStrictEqual([spec.property, /its live spec has "Access Key"/.test(spec.reason)], ["auth.specName", true]);
  });

  it("accepts any param where the live schema does not set additionalProperties: false", () => {
    const open = toLiveConnector({ id: S3, name: "Open", authSpec: [{ name: "Access Key", spec: { properties: { a: {} } } }] });
    assert.deepStrictEqual(liveSpecRules(inputs({ anything: "x" }), open), []);
  });
});
