// The user's whole story through the real `pulumi` CLI against the emulator: create, rotate,
// no-op, conflict, refresh, adopt, replace, out-of-band delete, destroy, and secrets never in clear.
// The steps build on each other, in order, on one stack.
import assert from "node:assert";
import { randomBytes } from "node:crypto";
import { FLOW_BASE_PATH, SALESFORCE, salesforceConnection, salesforceParams } from "../../tools/demo";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { EmulatorControl, sha256 } from "../helpers/emulatorControl";
import { ConnectionDecl, DEMO, ensureEngine, TestStack } from "./harness";

const S3 = "ecadc60c-7455-4d87-84dc-2a0e293d997b";
const AZURE = "4c10e202-c428-4796-9208-5f1f5732b1cf";
const GCS = "32e8f412-cdf7-464c-9885-78184cb113fd";

const tag = randomBytes(4).toString("hex");
// Distinctive values, so a scan can find any leak of them.
const secrets = {
  sfPassword1: `sf-pass-one-${tag}`,
  sfPassword2: `sf-pass-two-${tag}`,
  sfToken: `sf-token-${tag}`,
  s3Secret: `s3-secret-${tag}`,
  azureConn: `DefaultEndpointsProtocol=https;AccountName=acct${tag};AccountKey=azkey${tag}`,
  gcsSecret: `gcs-secret-${tag}`,
  adoptedPassword: `adopted-pass-${tag}`,
};

function salesforce(password: string, description: string | undefined = "CRM accounts"): ConnectionDecl {
  return {
    resourceName: "salesforce",
    ...salesforceConnection("Salesforce prod", salesforceParams("sf-user", { secret: password }, { secret: secrets.sfToken }), description),
  };
}
const s3: ConnectionDecl = {
  resourceName: "storage",
  name: "Landing bucket",
  connectionSpec: { id: S3, version: "1.0" },
  auth: { specName: "Access Key", params: { s3AccessKey: "AKIAEXAMPLE", s3SecretKey: secrets.s3Secret } },
};
const gcs: ConnectionDecl = {
  resourceName: "storage",
  name: "Landing bucket",
  connectionSpec: { id: GCS },
  auth: { specName: "Basic Authentication for google-cloud", params: { accessKeyId: "GOOGEXAMPLE", secretAccessKey: secrets.gcsSecret } },
};
const azure: ConnectionDecl = {
  resourceName: "blob",
  name: "Archive container",
  description: "Azure Blob",
  connectionSpec: { id: AZURE, version: "1.0" },
  auth: { specName: "ConnectionString", params: { connectionString: secrets.azureConn } },
};

describe("end to end: the real pulumi CLI against the emulator", function () {
  this.timeout(180_000);
  let emulator: EmulatorProcess;
  let control: EmulatorControl;
  let stack: TestStack;
  const ids: Record<string, string> = {};
  let program: ConnectionDecl[];

  before(async function () {
    this.timeout(45 * 60_000); // the first run on a machine builds the engine
    ensureEngine();
    emulator = await startEmulatorProcess();
    control = new EmulatorControl(emulator.url);
    stack = new TestStack();
    await stack.init(emulator.url);
  });

  after(async () => {
    await emulator?.stop();
    stack?.cleanup();
  });

  const up = () => stack.ok(["up", "--yes", "--skip-preview"]);

  it("creates three connections with the declared fields, and outputs their ids and etags", async () => {
    program = [salesforce(secrets.sfPassword1), s3, azure];
    stack.setProgram(program);
    await up();
    const outputs = JSON.parse((await stack.ok(["stack", "output", "--json", "--show-secrets"])).stdout);
    for (const decl of program) {
      const out = outputs[decl.resourceName];
      assert.match(out.id, /^[0-9a-f-]{36}$/);
      assert.match(out.etag, /^".+"$/, "the etag keeps Flow Service's quotes");
      ids[decl.resourceName] = out.id;
      const stored = await control.stored(out.id);
      assert.strictEqual(stored.name, decl.name);
      assert.strictEqual(stored.description, decl.description);
      assert.strictEqual(stored.connectionSpec.id, decl.connectionSpec.id);
      assert.strictEqual(stored.etag, out.etag);
      for (const [k, v] of Object.entries(decl.auth.params)) {
        // The emulator shows secret params (format: password) as fingerprints, others as they are.
        const value = typeof v === "object" ? v.secret : v;
        const specSecret = typeof v === "object" || /secret|connectionString/i.test(k);
        assert.strictEqual(stored.auth.params[k], specSecret ? sha256(String(value)) : value, k);
      }
    }
  });

  it("previews a password rotation and a new description as an update of that connection only, the password as [secret]", async () => {
    program = [salesforce(secrets.sfPassword2, "CRM accounts (rotated)"), s3, azure];
    stack.setProgram(program);
    await control.clearRequests();
    const json = JSON.parse((await stack.ok(["preview", "--json"])).stdout);
    const changed = json.steps
      .filter((s: any) => s.urn.includes("flowservice:Connection") && s.op !== "same")
      .map((s: any) => [s.urn.split("::").pop(), s.op]);
    assert.deepStrictEqual(changed, [["salesforce", "update"]]);
    const diff = (await stack.ok(["preview", "--diff"])).stdout;
    assert.match(diff, /description\s*:\s*"CRM accounts" => "CRM accounts \(rotated\)"/);
    assert.match(diff, /password\s*:\s*\[secret\]/);
    assert.ok(!diff.includes(secrets.sfPassword2) && !diff.includes(secrets.sfPassword1));
    assert.deepStrictEqual(await control.apiRequests(), [], "a preview makes no Flow Service request");
  });

  it("sends exactly one PATCH for that change, and the emulator reflects it", async () => {
    const before = await control.stored(ids.salesforce);
    await up();
    const patches = (await control.apiRequests()).filter((r) => r.method === "PATCH");
    assert.strictEqual(patches.length, 1);
    assert.strictEqual(patches[0].path, `${FLOW_BASE_PATH}/connections/${ids.salesforce}`);
    assert.strictEqual(patches[0].headers["if-match"], before.etag);
    assert.deepStrictEqual(patches[0].body, [
      { op: "replace", path: "/description", value: "CRM accounts (rotated)" },
      { op: "replace", path: "/auth/params/password", value: "[redacted]" },
    ]);
    const after = await control.stored(ids.salesforce);
    assert.strictEqual(after.description, "CRM accounts (rotated)");
    assert.strictEqual(after.auth.params.password, sha256(secrets.sfPassword2));
    assert.strictEqual(after.auth.params.securityToken, sha256(secrets.sfToken), "the other secret is untouched");
    const outputs = JSON.parse((await stack.ok(["stack", "output", "--json"])).stdout);
    assert.strictEqual(outputs.salesforce.etag, after.etag, "the new etag is in state");
  });

  it("reports no change, makes no Flow Service request and rewrites no input for an unchanged program", async () => {
    // Secrets compared as placeholders: each export encrypts them afresh.
    const readable = async () =>
      JSON.parse(
        JSON.stringify(Object.fromEntries(Object.entries(await stack.connections()).map(([name, r]) => [name, r.inputs]))),
        (_k, v) => (v?.ciphertext ? "[secret]" : v),
      );
    const inputsBefore = await readable();
    await control.clearRequests();
    const preview = await stack.ok(["preview", "--json"]);
    const steps = JSON.parse(preview.stdout).steps as Array<{ op: string }>;
    assert.ok(
      steps.every((s) => s.op === "same"),
      JSON.stringify(steps.map((s) => s.op)),
    );
    const upOut = (await up()).stdout;
    assert.match(upOut, /4 unchanged/);
    assert.deepStrictEqual(await control.apiRequests(), []);
    // Stable inputs (secret versions, not a "changed" list): the engine has nothing to rewrite.
    assert.deepStrictEqual(await readable(), inputsBefore);
  });

  it("keeps secrets out of stack export, the state files, preview --json and every CLI output", async () => {
    const exported = (await stack.ok(["stack", "export"])).stdout;
    const previewJson = (await stack.ok(["preview", "--json"])).stdout;
    const everything = [exported, stack.stateFiles(), previewJson, ...stack.transcript].join("\n");
    for (const [name, value] of Object.entries({ ...secrets, clientSecret: DEMO.clientSecret })) {
      assert.ok(!everything.includes(value), `${name} leaked`);
    }
    assert.doesNotMatch(everything, /Bearer [A-Za-z0-9._-]{8,}/, "no bearer token");
    // The serialized provider is small, the same for every resource, and holds no credential.
    const providers = new Set(
      JSON.parse(exported)
        .deployment.resources.filter((r: any) => r.inputs?.__provider)
        .map((r: any) => r.inputs.__provider),
    );
    assert.strictEqual(providers.size, 1);
    const [text] = [...providers] as string[];
    assert.ok(text.length < 4096, `__provider is ${text.length} bytes`);
  });

  it("refuses to overwrite an out-of-band edit, says who changed what and how to recover, and leaves the remote untouched", async () => {
    const edit = await control.editOutOfBand(
      ids.salesforce,
      [{ op: "replace", path: "/name", value: "Renamed in the UI" }],
      "jane.doe@example.com",
    );
    program = [salesforce(secrets.sfPassword2, "CRM accounts (edited again)"), s3, azure];
    stack.setProgram(program);
    const r = await stack.run(["up", "--yes", "--skip-preview"]);
    assert.notStrictEqual(r.code, 0);
    const text = r.stdout + r.stderr;
    assert.match(text, new RegExp(`Connection ${ids.salesforce}`));
    assert.ok(text.includes(edit.etag.replace(/"/g, '\\"')) || text.includes(edit.etag), "names the live version");
    assert.match(text, /jane\.doe@example\.com/);
    assert.match(text, /name: "Salesforce prod" → "Renamed in the UI"/);
    assert.match(text, /pulumi refresh/);
    const stored = await control.stored(ids.salesforce);
    assert.strictEqual(stored.etag, edit.etag);
    assert.strictEqual(stored.name, "Renamed in the UI");
    assert.strictEqual(stored.description, "CRM accounts (rotated)");
  });

  it("shows the drift on refresh, and the next up converges", async () => {
    const refresh = await stack.ok(["refresh", "--yes", "--diff"]);
    assert.match(refresh.stdout, /Renamed in the UI/);
    await control.clearRequests();
    await up();
    const stored = await control.stored(ids.salesforce);
    assert.strictEqual(stored.name, "Salesforce prod");
    assert.strictEqual(stored.description, "CRM accounts (edited again)");
    // The secrets could not be verified after someone else's write: they are sent again.
    assert.strictEqual(stored.auth.params.password, sha256(secrets.sfPassword2));
    const patch = (await control.apiRequests()).filter((q) => q.method === "PATCH");
    assert.strictEqual(patch.length, 1);
    assert.ok(patch[0].body.some((op: any) => op.path === "/auth/params/password"));
  });

  it("drops a connection deleted outside on refresh, and recreates it on up", async () => {
    const del = await control.api("DELETE", `/connections/${ids.blob}`);
    assert.strictEqual(del.status, 204);
    await stack.ok(["refresh", "--yes"]);
    assert.ok(!("blob" in (await stack.connections())));
    await up();
    const recreated = (await stack.connections()).blob;
    assert.ok(recreated && recreated.id !== ids.blob);
    assert.strictEqual((await control.stored(recreated.id)).name, "Archive container");
    ids.blob = recreated.id;
  });

  it("replaces a connection whose connector changes: a new one is created and the old one deleted", async () => {
    program = [salesforce(secrets.sfPassword2, "CRM accounts (edited again)"), gcs, azure];
    stack.setProgram(program);
    const preview = JSON.parse((await stack.ok(["preview", "--json"])).stdout);
    const storageSteps = preview.steps.filter((s: any) => s.urn.endsWith("::storage")).map((s: any) => s.op);
    assert.ok(storageSteps.includes("create-replacement") || storageSteps.includes("replace"), JSON.stringify(storageSteps));
    await up();
    const now = (await stack.connections()).storage;
    assert.notStrictEqual(now.id, ids.storage);
    assert.strictEqual((await control.stored(now.id)).connectionSpec.id, GCS);
    assert.strictEqual(await control.stored(ids.storage), undefined, "the old connection is deleted");
    ids.storage = now.id;
  });

  it("adopts a connection created outside the stack, brings it to the declared state, and keeps it on destroy", async () => {
    const { id: adoptId } = await control.createSalesforce("Made by hand", {
      username: "old-user",
      password: "old-pass",
      securityToken: "old-token",
    });
    const adopted: ConnectionDecl = {
      resourceName: "adopted",
      name: "Adopted by Pulumi",
      description: "now managed as code",
      connectionSpec: { id: SALESFORCE, version: "1.0" },
      auth: {
        specName: "Basic Authentication",
        params: { username: "new-user", password: { secret: secrets.adoptedPassword }, securityToken: { secret: secrets.sfToken } },
      },
      adoptId,
    };
    program = [...program, adopted];
    stack.setProgram(program);
    await up();
    const stored = await control.stored(adoptId);
    assert.strictEqual(stored.name, "Adopted by Pulumi");
    assert.strictEqual(stored.description, "now managed as code");
    assert.strictEqual(stored.auth.params.username, "new-user");
    assert.strictEqual(stored.auth.params.password, sha256(secrets.adoptedPassword));
    assert.strictEqual((await stack.connections()).adopted.id, adoptId);

    const destroyed = await stack.ok(["destroy", "--yes", "--skip-preview"]);
    assert.ok(await control.stored(adoptId), "the adopted connection is left in place");
    // The engine prints "deleted" for it too: the provider says that it stays, and why.
    assert.match(
      destroyed.stdout + destroyed.stderr,
      new RegExp(`warning: Connection "Adopted by Pulumi" \\(${adoptId}\\) is kept in Flow Service: it was adopted \\(adoptId\\)`),
    );
    for (const own of [ids.salesforce, ids.storage, ids.blob]) {
      assert.strictEqual(await control.stored(own), undefined, `the stack's own connection ${own} is deleted`);
    }
  });

  it("fails a preview with bad args before any request, naming each property", async () => {
    const bad = salesforce(secrets.sfPassword1);
    stack.setProgram([{ ...bad, name: "", auth: { ...bad.auth, specName: "Basic" }, adoptId: "../etc/passwd" }]);
    await control.clearRequests();
    const r = await stack.run(["preview"]);
    assert.notStrictEqual(r.code, 0);
    const text = r.stdout + r.stderr;
    assert.match(text, /property name .*must be a non-empty string/);
    // An auth spec the offline catalog does not know is a warning (Adobe adds auth specs; `up` asks the live spec).
    assert.match(text, /warning: Connection "": auth\.specName "Basic" is not an auth spec of Salesforce .*live spec/);
    assert.doesNotMatch(text, /<nil>/, "a nested property is named in the reason, never printed as a missing value");
    assert.match(text, /property adoptId .*must be a Flow Service id \(a UUID/);
    assert.deepStrictEqual(await control.apiRequests(), []);
  });

  it("fails a preview that lacks a param the connector requires, naming the param and the auth spec, before any request", async () => {
    const { s3SecretKey: _dropped, ...params } = s3.auth.params;
    stack.setProgram([{ ...s3, auth: { ...s3.auth, params } }]);
    await control.clearRequests();
    const r = await stack.run(["preview"]);
    assert.notStrictEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /has a problem: auth\.params\.s3SecretKey: .*is required by Amazon S3 auth spec "Access Key"/);
    assert.deepStrictEqual(await control.apiRequests(), []);
  });
});
