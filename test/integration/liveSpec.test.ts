// The catalog's doubts decided by the connector's live spec (GET /connectionSpecs/{id}), through
// the provider's methods against the emulator over real HTTP: check warns offline, create and
// update refuse before any write, each connector's spec is read once per run, and a connection the
// catalog fully knows costs no spec read.
import assert from "node:assert";
import { configure, provider } from "../../provider/dynamicProvider";
import { takeWarnings } from "../../provider/resources/warnings";
import { DEMO } from "../../tools/demo";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { flowConfig } from "../../tools/pulumiCli";
import { EmulatorControl } from "../helpers/emulatorControl";

const S3 = "ecadc60c-7455-4d87-84dc-2a0e293d997b";

function s3(name: string, extra: Record<string, string> = {}) {
  return {
    name,
    connectionSpec: { id: S3, version: "1.0" },
    auth: { specName: "Access Key", params: { s3AccessKey: "AKIAEXAMPLE", s3SecretKey: "s3-secret-123", ...extra } },
    secretKeys: ["s3SecretKey"],
  };
}

describe("the connector's live spec decides what the offline catalog doubts", function () {
  this.timeout(60_000);
  let emulator: EmulatorProcess;
  let control: EmulatorControl;
  const requests = async () =>
    (await control.apiRequests()).map((r) => `${r.method} ${r.path.replace(/^\/data\/foundation\/flowservice/, "")}`);

  before(async () => {
    emulator = await startEmulatorProcess(["--quiet"]);
    control = new EmulatorControl(emulator.url);
    const config = flowConfig(emulator.url, DEMO);
    configure((k) => config[k], {});
  });
  after(() => emulator?.stop());

  it("warns in check, then refuses the create of an unknown param before any write, naming the live spec's params, reading the spec once", async () => {
    takeWarnings();
    const a = await provider.check!({}, s3("A", { bucketNme: "landing" }));
    const b = await provider.check!({}, s3("B", { folderPth: "x" }));
    assert.deepStrictEqual([a.failures, b.failures], [[], []]);
    assert.deepStrictEqual(takeWarnings().length, 2);
    await control.clearRequests();
    await assert.rejects(provider.create(a.inputs), (e: Error) => {
      assert.match(
        e.message,
        /Connection "A": auth\.params\.bucketNme is not a param of Amazon S3 auth spec "Access Key": the connector's live spec \(GET \/connectionSpecs\/ecadc60c-7455-4d87-84dc-2a0e293d997b\) has s3AccessKey, s3SecretKey, s3SessionToken, serviceUrl, bucketName, folderPath/,
      );
      return true;
    });
    await assert.rejects(provider.create(b.inputs), /auth\.params\.folderPth is not a param of Amazon S3/);
    assert.deepStrictEqual(await requests(), ["POST /ims/token/v3", `GET /connectionSpecs/${S3}`]);
  });

  it("creates a connection whose params the catalog knows without reading the spec, and refuses an unknown param added by an update before its PATCH", async () => {
    await control.clearRequests();
    const checked = await provider.check!({}, s3("C", { bucketName: "landing" }));
    const made = await provider.create(checked.inputs);
    assert.ok(!(await requests()).some((r) => r.includes("/connectionSpecs")), "no spec read");
    const news = (await provider.check!(checked.inputs, s3("C", { bucketName: "landing", bucketNme: "typo" }))).inputs;
    await control.clearRequests();
    await assert.rejects(provider.update!(made.id, made.outs, news), /auth\.params\.bucketNme is not a param of Amazon S3/);
    assert.ok(!(await requests()).some((r) => r.startsWith("PATCH")), "no PATCH sent");
  });
});
