// Input, configuration and catalog through the real engine: what the provider knows offline (and
// says only as a warning when it does not know), what the live connector spec decides at `up`, a
// stack configuration that cannot be right (a misspelt key, a control character, an oversized
// value, a typo'd sandbox), all refused before any request. One emulator and one stack for all.
import assert from "node:assert";
import { randomBytes } from "node:crypto";

import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { recordCase } from "../../tools/reliabilityReport";
import { EmulatorControl } from "../helpers/emulatorControl";
import { ensureHosts } from "../../tools/languageHosts";
import { ConnectionDecl, ensureEngine, TestStack } from "./harness";
import { PluginStack } from "./pluginStack";

const S3 = "ecadc60c-7455-4d87-84dc-2a0e293d997b";
const TEST = "test/e2e/reliability.config.test.ts";
const tag = randomBytes(4).toString("hex");

const s3 = (resourceName: string, extra: Record<string, string> = {}): ConnectionDecl => ({
  resourceName,
  name: `Landing ${resourceName}`,
  connectionSpec: { id: S3, version: "1.0" },
  auth: { specName: "Access Key", params: { s3AccessKey: "AKIAEXAMPLE", s3SecretKey: { secret: `s3-secret-${tag}` }, ...extra } },
});

describe("configuration, catalog and input limits through the real engine", function () {
  this.timeout(180_000);
  let emulator: EmulatorProcess;
  let control: EmulatorControl;
  let stack: TestStack;
  const started = Date.now();

  before(async function () {
    this.timeout(45 * 60_000);
    ensureEngine();
    emulator = await startEmulatorProcess(["--quiet"]);
    control = new EmulatorControl(emulator.url);
    stack = new TestStack("config");
    await stack.init(emulator.url);
  });
  after(async () => {
    await emulator?.stop();
    stack?.cleanup();
    process.stdout.write(`      (reliability.config: ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  });

  it("previews and applies an S3 connection with bucketName and folderPath, with no warning", async () => {
    stack.setProgram([s3("bucket", { bucketName: "landing", folderPath: "exports/daily" })]);
    const preview = await stack.ok(["preview"]);
    assert.doesNotMatch(preview.stdout + preview.stderr, /warning/i);
    await stack.ok(["up", "--yes", "--skip-preview"]);
    const stored = await control.stored((await stack.connections()).bucket.id);
    assert.deepStrictEqual([stored.auth.params.bucketName, stored.auth.params.folderPath], ["landing", "exports/daily"]);
    recordCase({
      area: "input",
      case: "S3 Access Key with bucketName and folderPath (end to end)",
      via: "engine",
      outcome: "preview passes with no warning; up creates the connection with both params",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("previews a param the offline catalog does not know with exit 0 and a warning naming the connection, the param and the known params", async () => {
    stack.setProgram([s3("bucket", { bucketName: "landing", folderPath: "exports/daily" }), s3("typo", { bucketNme: "landing" })]);
    await control.clearRequests();
    const preview = await stack.run(["preview"]);
    const text = preview.stdout + preview.stderr;
    assert.strictEqual(preview.code, 0, text);
    assert.match(
      text,
      /warning: Connection "Landing typo": auth\.params\.bucketNme is not a param of Amazon S3 auth spec "Access Key" in this provider's catalog \(known params: s3AccessKey, s3SecretKey, s3SessionToken, serviceUrl, bucketName, folderPath\)/,
    );
    recordCase({
      area: "input",
      case: "a param the offline catalog does not know (S3 bucketNme), preview (end to end)",
      via: "engine",
      outcome: "preview exit 0 with 'warning: Connection \"…\": auth.params.bucketNme is not a param of … (known params: …)'",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("refuses that param at up by the connector's live spec, naming the spec's params, and creates nothing", async () => {
    await control.clearRequests();
    const r = await stack.run(["up", "--yes", "--skip-preview"]);
    const text = r.stdout + r.stderr;
    assert.notStrictEqual(r.code, 0, text);
    assert.match(
      text,
      /Connection "Landing typo": auth\.params\.bucketNme is not a param of Amazon S3 auth spec "Access Key": the connector's live spec \(GET \/connectionSpecs\/ecadc60c-7455-4d87-84dc-2a0e293d997b\) has s3AccessKey, s3SecretKey, s3SessionToken, serviceUrl, bucketName, folderPath/,
    );
    const sent = (await control.apiRequests()).map((q) => `${q.method} ${q.path.replace(/^\/data\/foundation\/flowservice/, "")}`);
    assert.deepStrictEqual(
      sent.filter((q) => q.includes("/connectionSpecs")),
      [`GET /connectionSpecs/${S3}`],
    );
    assert.ok(!sent.some((q) => q.startsWith("POST /connections")), sent.join("\n"));
    assert.deepStrictEqual(Object.keys(await stack.connections()), ["bucket"]);
    recordCase({
      area: "input",
      case: "the same unknown param at up: the connector's live spec decides (end to end)",
      via: "engine",
      outcome: "up fails naming auth.params.bucketNme and the live spec's params; one GET /connectionSpecs/{id}, no POST; nothing created",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  /** Runs a preview that must fail before any request; returns its output. */
  async function refusedPreview(): Promise<string> {
    await control.clearRequests();
    const r = await stack.run(["preview"]);
    const text = r.stdout + r.stderr;
    assert.notStrictEqual(r.code, 0, text);
    assert.deepStrictEqual(await control.apiRequests(), [], "no request reached Flow Service or IMS");
    return text;
  }

  const base = () => [s3("bucket", { bucketName: "landing", folderPath: "exports/daily" })];

  it("fails preview on a misspelt flowservice key, naming it and the known keys, before any request", async () => {
    stack.setProgram(base());
    await stack.ok(["config", "set", "flowservice:endpointt", "http://127.0.0.1:9/data/foundation/flowservice"]);
    try {
      const text = await refusedPreview();
      assert.match(
        text,
        /flowservice:endpointt is not a setting of this provider; known settings: clientId, clientSecret, orgId, sandboxName, .*endpoint, imsEndpoint/,
      );
    } finally {
      await stack.ok(["config", "rm", "flowservice:endpointt"]);
    }
    recordCase({
      area: "input",
      case: "a misspelt key, flowservice:endpointt (dynamic resources, end to end)",
      via: "engine",
      outcome: "preview fails naming flowservice:endpointt and the known keys; 0 requests",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("fails preview on a CR/LF in flowservice:orgId, naming the key, with no retry and no request", async () => {
    const orgId = (await stack.ok(["config", "get", "flowservice:orgId"])).stdout.trim();
    await stack.ok(["config", "set", "flowservice:orgId", `${orgId}\r\n`]);
    try {
      const text = await refusedPreview();
      assert.match(text, /flowservice:orgId contains a control character/);
    } finally {
      await stack.ok(["config", "set", "flowservice:orgId", orgId]);
    }
    recordCase({
      area: "input",
      case: "a CR/LF at the end of flowservice:orgId (end to end)",
      via: "engine",
      outcome: "preview fails: 'flowservice:orgId contains a control character'; 0 requests (no retries)",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("fails preview on a connector id that is not a UUID, naming connectionSpec.id, before any request", async () => {
    stack.setProgram([...base(), { ...s3("named"), connectionSpec: { id: "amazon-s3", version: "1.0" } }]);
    const text = await refusedPreview();
    assert.match(text, /connectionSpec\.id[\s\S]*must be a spec id: a UUID/);
    recordCase({
      area: "input",
      case: "connectionSpec.id that is not a UUID (end to end)",
      via: "engine",
      outcome: "preview fails naming connectionSpec.id ('must be a spec id: a UUID'); 0 requests",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("fails preview on a 1 MiB param value, naming the property, before any request", async () => {
    stack.setProgram([...base(), s3("huge", { folderPath: "f".repeat(1024 * 1024) })]);
    const text = await refusedPreview();
    assert.match(text, /auth\.params\.folderPath[\s\S]*is 1\.0 MiB: the inputs of one resource .* at most 1 MiB/);
    recordCase({
      area: "input",
      case: "a 1 MiB param value (end to end)",
      via: "engine",
      outcome: "preview fails naming auth.params.folderPath (1.0 MiB; one request holds at most 1 MiB); 0 requests",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("fails up under a typo'd flowservice:sandboxName with a message naming the sandbox, creating and deleting nothing; a refresh under it drops nothing", async () => {
    stack.setProgram(base());
    await stack.ok(["up", "--yes", "--skip-preview"]);
    const before = await stack.connections();
    const storedIds = async () =>
      ((await control.control("GET", "/connections")) as { items: Array<{ id: string }> }).items.map((c) => c.id).sort();
    const storedBefore = await storedIds();
    stack.setProgram([...base(), s3("fresh")]);
    await stack.ok(["config", "set", "flowservice:sandboxName", "prdo"]);
    try {
      await control.clearRequests();
      const r = await stack.run(["up", "--yes", "--skip-preview"]);
      const text = r.stdout + r.stderr;
      assert.notStrictEqual(r.code, 0, text);
      assert.match(text, /Sandbox not found[\s\S]*'prdo'|'prdo'[\s\S]*Sandbox not found/);
      const sent = await control.apiRequests();
      assert.ok(
        sent.some((q) => q.status === 404),
        "Flow Service answered 404",
      );
      assert.deepStrictEqual(
        sent.filter((q) => q.method !== "GET" && !q.path.startsWith("/ims") && (q.status ?? 0) < 300),
        [],
        "no write was applied",
      );
      assert.deepStrictEqual(await storedIds(), storedBefore, "nothing created or deleted");
      const after = await stack.connections();
      assert.deepStrictEqual(Object.keys(after), Object.keys(before));
      assert.strictEqual(after.bucket.id, before.bucket.id);

      // A refresh under the same typo drops nothing: each connection is read in the sandbox state recorded for it.
      const refresh = await stack.run(["refresh", "--yes"]);
      assert.deepStrictEqual(Object.keys(await stack.connections()), Object.keys(before), refresh.stdout + refresh.stderr);
      assert.deepStrictEqual(await storedIds(), storedBefore, "nothing deleted by the refresh");
    } finally {
      await stack.ok(["config", "set", "flowservice:sandboxName", "prod"]);
    }
    recordCase({
      area: "input",
      case: "flowservice:sandboxName typo'd (prdo) on an existing stack, up with a new connection (end to end)",
      via: "engine",
      outcome:
        "up fails: 404 FLOW-2100-404 'Sandbox not found' naming 'prdo'; nothing created or deleted; a refresh under the typo keeps every resource in state",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });

  it("warns of the same unknown param through the provider plugin (a YAML program), exit 0", async () => {
    const yaml = new PluginStack("config-yaml", "yaml", ensureHosts());
    try {
      await yaml.init(emulator.url);
      await yaml.ok(["config", "set", "--secret", "salesforcePassword", `yaml-pass-${tag}`]);
      await yaml.ok(["config", "set", "--secret", "salesforceSecurityToken", `yaml-tok-${tag}`]);
      yaml.addResources(`  landing:
    type: flowservice:index:Connection
    properties:
      name: Landing YAML
      connectionSpec:
        id: ${S3}
      auth:
        specName: Access Key
        params:
          s3AccessKey: AKIAEXAMPLE
          s3SecretKey: not-a-real-secret
          bucketNme: landing
`);
      await control.clearRequests();
      const r = await yaml.run(["preview"]);
      const text = r.stdout + r.stderr;
      assert.strictEqual(r.code, 0, text);
      assert.match(
        text,
        /warning: Connection "Landing YAML": auth\.params\.bucketNme is not a param of Amazon S3 auth spec "Access Key" in this provider's catalog \(known params: s3AccessKey, .*bucketName, folderPath\)/,
      );
      assert.deepStrictEqual(await control.apiRequests(), [], "the preview sent no request");
    } finally {
      yaml.cleanup();
    }
    recordCase({
      area: "input",
      case: "a param the offline catalog does not know, preview through the provider plugin (YAML, end to end)",
      via: "engine",
      outcome: "preview exit 0 with the same 'warning: Connection \"…\": auth.params.bucketNme …' line; 0 requests",
      lost: 0,
      duplicated: 0,
      secretsLeaked: 0,
      test: TEST,
    });
  });
});
