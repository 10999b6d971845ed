// flowservice-discover, offline: from a sandbox snapshot (objects as Flow Service lists them) to the
// program's files in each language. The listings, the engine and `up` are in
// test/integration/discover.test.ts and test/e2e/discover.test.ts.
import assert from "node:assert";
import { execFileSync } from "node:child_process";
import { parseArgs, UsageError } from "../../commands/discover/cli";
import { type DiscoverOptions, renderProgram } from "../../commands/discover/discover";
import { buildProgram, Ref, SANDBOX, Secret, SelectionError } from "../../commands/discover/model";
import { assignIdentifiers, camel } from "../../commands/discover/names";
import type { Snapshot } from "../../commands/discover/sandbox";

const SALESFORCE = "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5";
const S3 = "ecadc60c-7455-4d87-84dc-2a0e293d997b";
const DATA_LAKE = "c604ff05-7f1a-43c0-8e18-33bf874cb11c";
const OPEN = "e0e0e0e0-0000-4000-8000-00000000e001";
const CLOUD = "9753525b-82c7-4dce-8a9b-5ccfce2b9876";
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const stamps = (id: string, name: string) => ({
  id,
  name,
  etag: `"e-${id.slice(-4)}"`,
  state: "enabled",
  sandboxName: "dev",
  createdAt: 1,
});

function s3Pipeline(n: number, name = `Customers ${n}`) {
  const [base, source, target, flow] = [uuid(n * 10 + 1), uuid(n * 10 + 2), uuid(n * 10 + 3), uuid(n * 10 + 4)];
  return {
    Connection: [
      {
        ...stamps(base, `${name} bucket`),
        connectionSpec: { id: S3, version: "1.0" },
        auth: { specName: "Access Key", params: { s3AccessKey: "AKIA", s3SecretKey: "********" } },
      },
    ],
    SourceConnection: [
      {
        ...stamps(source, `${name} files`),
        baseConnectionId: base,
        connectionSpec: { id: S3, version: "1.0" },
        data: { format: "delimited" },
        params: { path: "/in/x.csv" },
      },
    ],
    TargetConnection: [
      {
        ...stamps(target, `${name} dataset`),
        connectionSpec: { id: DATA_LAKE, version: "1.0" },
        data: { format: "parquet_xdm", schema: { id: "https://ns/x", version: "1" } },
        params: { dataSetId: "ds1" },
      },
    ],
    Dataflow: [
      {
        ...stamps(flow, name),
        state: n % 2 ? "enabled" : "disabled",
        flowSpec: { id: CLOUD, version: "1.0" },
        sourceConnectionIds: [source],
        targetConnectionIds: [target],
        transformations: [{ name: "Mapping", params: { mappingId: "m1", mappingVersion: "0" } }],
        scheduleParams: { startTime: "1893456000", frequency: "minute", interval: "15" },
      },
    ],
  };
}

function snapshot(...parts: Array<Record<string, unknown[]>>): Snapshot {
  const objects = new Map<string, any[]>();
  for (const kind of ["Connection", "SourceConnection", "TargetConnection", "Dataflow"])
    objects.set(
      kind,
      parts.flatMap((p) => p[kind] ?? []),
    );
  return { sandbox: "dev", objects, specs: new Map(), listRequests: 4 };
}

const OPTS: DiscoverOptions = { sandbox: "dev", language: "typescript", filters: {} };

describe("flowservice-discover: the program it writes", () => {
  describe("names", () => {
    it("turns display names into camelCase identifiers that no language reserves", () => {
      assert.strictEqual(camel("Salesforce base (prod)"), "salesforceBaseProd");
      assert.strictEqual(camel("S3Source"), camel("s3 source"));
      assert.strictEqual(camel("2024 import"), "n2024Import");
      assert.strictEqual(camel("Éclair – ünïcode"), "eclairUnicode");
      const ids = assignIdentifiers([
        { id: "b", kind: "Connection", name: "class" },
        { id: "c", kind: "Connection", name: "" },
      ]);
      assert.deepStrictEqual([...ids.values()], ["classConnection", "connection"]);
    });

    it("resolves collisions by kind, then by id order, whatever order the objects came in", () => {
      const objects = [
        { id: "1", kind: "Connection", name: "Orders" },
        { id: "2", kind: "Connection", name: "orders" },
        { id: "3", kind: "Dataflow", name: "Orders" },
        { id: "4", kind: "SourceConnection", name: "Invoices" },
      ];
      assert.deepStrictEqual(Object.fromEntries(assignIdentifiers(objects)), {
        "1": "ordersConnection",
        "2": "ordersConnection2",
        "3": "ordersDataflow",
        "4": "invoices",
      });
    });
  });

  describe("the model", () => {
    it("declares every object with references as outputs, secrets as placeholders, and the fields Flow Service shows", () => {
      const p = buildProgram(snapshot(s3Pipeline(1)));
      assert.deepStrictEqual(
        p.resources.map((r) => [r.kind, r.ident]),
        [
          ["Connection", "customers1Bucket"],
          ["SourceConnection", "customers1Files"],
          ["TargetConnection", "customers1Dataset"],
          ["Dataflow", "customers1"],
        ],
      );
      const [bucket, files, dataset, flow] = p.resources;
      assert.deepStrictEqual(bucket.args.auth, {
        specName: "Access Key",
        params: { s3AccessKey: "AKIA", s3SecretKey: new Secret("customers1BucketS3SecretKey") },
      });
      assert.strictEqual(bucket.args.sandboxName, SANDBOX);
      assert.deepStrictEqual(files.args.baseConnectionId, new Ref("customers1Bucket"));
      assert.deepStrictEqual(dataset.args.params, { dataSetId: "ds1" });
      assert.deepStrictEqual(flow.args.sourceConnectionIds, [new Ref("customers1Files")]);
      assert.deepStrictEqual(flow.args.targetConnectionIds, [new Ref("customers1Dataset")]);
      // Flow Service shows schedule numbers as strings: declared as the resource reads them.
      assert.deepStrictEqual(flow.args.scheduleParams, { startTime: 1893456000, frequency: "minute", interval: 15 });
      assert.strictEqual(flow.args.enabled, true);
      assert.deepStrictEqual(
        p.placeholders.map((s) => [s.key, s.param]),
        [["customers1BucketS3SecretKey", "s3SecretKey"]],
      );
      assert.deepStrictEqual(p.skipped, []);
    });

    it("declares a required secret of a known connector even when Flow Service does not show it, and never writes a mask as a value", () => {
      const sf = {
        ...stamps(uuid(900), "CRM"),
        connectionSpec: { id: SALESFORCE, version: "1.0" },
        auth: { specName: "Basic Authentication", params: { username: "u", environmentUrl: "e" } },
      };
      const open = {
        ...stamps(uuid(901), "Open"),
        connectionSpec: { id: OPEN, version: "1.0" },
        auth: { specName: "Open Params", params: { pin2: "********" } },
      };
      const snap = snapshot({ Connection: [sf, open] });
      snap.specs.set(OPEN, new Map([["Open Params", new Set<string>()]]));
      const [crm, o] = buildProgram(snap).resources;
      const params = (crm.args.auth as any).params;
      assert.deepStrictEqual(Object.keys(params), ["environmentUrl", "password", "securityToken", "username"]);
      assert.ok(params.password instanceof Secret && params.securityToken instanceof Secret);
      assert.deepStrictEqual(
        (o.args.auth as any).params,
        { pin2: new Secret("openPin2") },
        "the mask GET shows is a secret, whatever the spec says",
      );
    });

    it("lists what it cannot express with the reason, and keeps references to it as ids", () => {
      const lake = { ...stamps(uuid(800), "Lake account"), connectionSpec: { id: DATA_LAKE, version: "1.0" } };
      const mystery = {
        ...stamps(uuid(801), "Mystery"),
        connectionSpec: { id: OPEN, version: "1.0" },
        auth: { specName: "Open Params", params: { a: "b" } },
      };
      const pipeline = s3Pipeline(2);
      (pipeline.SourceConnection[0] as any).baseConnectionId = uuid(801);
      const badFlow = { ...pipeline.Dataflow[0], id: uuid(802), scheduleParams: { frequency: "fortnightly" } };
      const nested = {
        ...pipeline.Connection[0],
        id: uuid(803),
        auth: { specName: "Access Key", params: { s3AccessKey: "A", s3SecretKey: "***", serviceUrl: { host: "x" } } },
      };
      const p = buildProgram(snapshot(pipeline, { Connection: [lake, mystery, nested], Dataflow: [badFlow] }));
      assert.deepStrictEqual(
        p.skipped.map((s) => [s.id, s.reason.split(":")[0]]),
        [
          [uuid(800), "it has no auth (e.g. a Data Lake account)"],
          [uuid(801), `connector ${OPEN} is unknown`],
          [uuid(803), "the Connection resource cannot declare it as it is"],
          [uuid(802), "the Dataflow resource cannot declare it as it is"],
        ],
      );
      assert.match(p.skipped[2].reason, /auth\.params\.serviceUrl is shown by Flow Service in a form the resource does not take/);
      assert.match(p.skipped[3].reason, /scheduleParams\.frequency must be one of once, minute, hour, day, week/);
      const files = p.resources.find((r) => r.kind === "SourceConnection");
      assert.strictEqual(files?.args.baseConnectionId, uuid(801));
      assert.deepStrictEqual(p.literals, [
        `customers2Files.baseConnectionId keeps the id ${uuid(801)}: that Connection ("Mystery") cannot be expressed (see below)`,
      ]);
      assert.strictEqual(p.resources.length, 4, "the rest of the program is still there");
    });

    it("takes secret params of a connector outside the catalogue from its live connection spec", () => {
      const open = {
        ...stamps(uuid(700), "Open"),
        connectionSpec: { id: OPEN, version: "1.0" },
        auth: { specName: "Open Params", params: { host: "h", passphrase: "x" } },
      };
      const snap = snapshot({ Connection: [open] });
      snap.specs.set(OPEN, new Map([["Open Params", new Set(["passphrase"])]]));
      const [r] = buildProgram(snap).resources;
      assert.deepStrictEqual((r.args.auth as any).params, { host: "h", passphrase: new Secret("openPassphrase") });
    });

    it("narrows to one flow, one connector or a name, with what they depend on", () => {
      const snap = snapshot(s3Pipeline(1), s3Pipeline(2), {
        Connection: [
          {
            ...stamps(uuid(600), "CRM"),
            connectionSpec: { id: SALESFORCE, version: "1.0" },
            auth: { specName: "Basic Authentication", params: { username: "u" } },
          },
        ],
      });
      const names = (f: object) => buildProgram(snap, f).resources.map((r) => r.ident);
      assert.deepStrictEqual(names({ flow: uuid(14) }), ["customers1Bucket", "customers1Files", "customers1Dataset", "customers1"]);
      assert.deepStrictEqual(names({ connector: SALESFORCE }), ["crm"]);
      assert.strictEqual(
        names({ connector: S3 }).length,
        8,
        "the S3 accounts, their files, the flows through them and the datasets they write",
      );
      assert.deepStrictEqual(names({ name: "Customers 2 f*" }), ["customers2Bucket", "customers2Files"]);
      assert.throws(() => buildProgram(snap, { flow: uuid(11) }), SelectionError);
    });
  });

  describe("the files", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a display name holding a literal ${ (Pulumi YAML's interpolation)
    const snap = () => snapshot(s3Pipeline(1), s3Pipeline(2, "Orders ${env}"));

    it("are the same whatever order the listings came in", () => {
      const a = snap();
      const b = snap();
      for (const list of b.objects.values()) list.reverse();
      for (const language of ["typescript", "python", "yaml"] as const) {
        const o = { ...OPTS, language };
        assert.deepStrictEqual(renderProgram(buildProgram(a), o, "1.2.3"), renderProgram(buildProgram(b), o, "1.2.3"));
      }
    });

    it("TypeScript: the package's classes by name, adoptId, references as .id, secrets from config.requireSecret", () => {
      const files = renderProgram(buildProgram(snap()), OPTS, "1.2.3");
      const ts = files["index.ts"];
      assert.match(ts, /import \{ Connection, Dataflow, SourceConnection, TargetConnection \} from "pulumi-flowservice";/);
      assert.match(
        ts,
        /const customers1Files = new SourceConnection\("customers1Files", \{\n {2}name: "Customers 1 files",\n {2}sandboxName,\n {2}baseConnectionId: customers1Bucket\.id,/,
      );
      assert.match(ts, /s3SecretKey: config\.requireSecret\("customers1BucketS3SecretKey"\)/);
      assert.match(ts, /adoptId: "00000000-0000-4000-8000-000000000014",\n\}\);/);
      assert.match(ts, /name: "Orders \$\{env\}",/);
      assert.match(files["package.json"], /"pulumi-flowservice": "\^1\.2\.3"/);
      assert.match(files["Pulumi.yaml"], /runtime: nodejs\n.*\nconfig:\n {2}flowservice:sandboxName: "dev"/);
      assert.match(files["README.md"], /pulumi config set --secret customers1BucketS3SecretKey '<s3SecretKey>'/);
    });

    it("YAML: the plugin's types, the import option, interpolated references and secret config, a literal dollar-brace escaped", () => {
      const y = renderProgram(buildProgram(snap()), { ...OPTS, language: "yaml", pluginPath: "/opt/fs/bin" }, "1.2.3")["Pulumi.yaml"];
      assert.match(y, /plugins:\n {2}providers:\n {4}- name: flowservice\n {6}path: "\/opt\/fs\/bin"/);
      assert.match(y, /config:\n {2}flowservice:sandboxName: "dev"\n {2}customers1BucketS3SecretKey:\n {4}type: string\n {4}secret: true/);
      assert.match(
        y,
        / {2}customers1Files:\n {4}type: flowservice:index:SourceConnection\n {4}properties:\n {6}name: "Customers 1 files"\n {6}sandboxName: \$\{sandboxName\}\n {6}baseConnectionId: \$\{customers1Bucket\.id\}/,
      );
      assert.match(y, /s3SecretKey: \$\{customers1BucketS3SecretKey\}/);
      assert.match(y, /sourceConnectionIds:\n {8}- \$\{customers1Files\.id\}/);
      assert.match(y, / {4}options:\n {6}import: "00000000-0000-4000-8000-000000000014"/);
      assert.match(y, /name: "Orders \$\$\{env\}"/, "a literal ${ is not an interpolation");
      assert.doesNotMatch(y, /adoptId/);
    });

    it("Python: the pulumi_flowservice SDK with snake_case arguments and object members, map keys as they are, import_", () => {
      const files = renderProgram(buildProgram(snap()), { ...OPTS, language: "python" }, "1.2.3");
      const py = files["__main__.py"];
      assert.match(py, /import pulumi_flowservice as flowservice/);
      assert.match(files["Pulumi.yaml"], /runtime:\n {2}name: python\n {2}options:\n {4}virtualenv: venv\n/);
      assert.match(files["requirements.txt"], /^pulumi-flowservice==1\.2\.3$/m);
      assert.match(
        py,
        /customers1_files = flowservice\.SourceConnection\(\n {4}"customers1Files",\n {4}name="Customers 1 files",\n {4}sandbox_name=sandbox_name,\n {4}base_connection_id=customers1_bucket\.id,/,
      );
      assert.match(
        py,
        /auth=\{\n {8}"spec_name": "Access Key",\n {8}"params": \{\n {12}"s3AccessKey": "AKIA",\n {12}"s3SecretKey": config\.require_secret\("customers1BucketS3SecretKey"\),/,
      );
      assert.match(py, /schedule_params=\{\n {8}"start_time": 1893456000,/);
      assert.match(py, /"schema": \{\n {12}"id": "https:\/\/ns\/x",/, "data is a map: its keys stay as they are");
      assert.match(py, /enabled=False,/);
      assert.match(py, /opts=pulumi\.ResourceOptions\(import_="00000000-0000-4000-8000-000000000014"\),/);
      // Valid Python (the syntax only: the SDK itself is generated elsewhere).
      execFileSync("python3", ["-c", "import ast, sys; ast.parse(sys.stdin.read())"], { input: py });
    });

    it("README: the objects left out, with the reason", () => {
      const lake = { ...stamps(uuid(800), "Lake | account"), connectionSpec: { id: DATA_LAKE, version: "1.0" } };
      const readme = renderProgram(buildProgram(snapshot(s3Pipeline(1), { Connection: [lake] })), OPTS, "1.2.3")["README.md"];
      assert.match(
        readme,
        /## Not in this program\n\n.*\n\n- Connection 00000000-0000-4000-8000-000000000800 \("Lake \\\| account"\): it has no auth/,
      );
    });
  });

  describe("the command line", () => {
    it("needs a valid sandbox name and a supported language, and --plugin-path only with yaml", () => {
      assert.throws(
        () => parseArgs([]),
        (e: Error) => e instanceof UsageError && /--sandbox NAME is required/.test(e.message),
      );
      assert.throws(() => parseArgs(["--sandbox", "Prod"]), /is not a sandbox name/);
      assert.throws(() => parseArgs(["--sandbox", "dev", "--language", "go"]), /use typescript, python, yaml/);
      assert.throws(() => parseArgs(["--sandbox", "dev", "--plugin-path", "x"]), /use it with --language yaml/);
      assert.throws(() => parseArgs(["--sandbox", "dev", "--client-secret", "x"]), /unknown option --client-secret/);
      const o = parseArgs(["--sandbox", "dev", "--endpoint", "http://127.0.0.1:1/x"]);
      assert.strictEqual(o.out, "flowservice-dev");
      assert.deepStrictEqual(o.config, { "flowservice:endpoint": "http://127.0.0.1:1/x" });
    });
  });
});
