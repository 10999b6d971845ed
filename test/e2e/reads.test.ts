// `pulumi refresh` of 120 connections through the real CLI: a few list requests instead of one GET
// each, a connection deleted outside dropped only after its own GET says 404, and a refused list
// falling back to single reads. One stack; the steps build on each other, in order.
import assert from "node:assert";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { EmulatorControl, LoggedRequest } from "../helpers/emulatorControl";
import { ConnectionDecl, ensureEngine, TestStack } from "./harness";

const SALESFORCE = "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5";
const N = 120;
const LIST = "/data/foundation/flowservice/connections";

function connection(i: number): ConnectionDecl {
  return {
    resourceName: `crm-${i}`,
    name: `CRM ${i}`,
    connectionSpec: { id: SALESFORCE, version: "1.0" },
    auth: {
      specName: "Basic Authentication",
      params: {
        environmentUrl: "login.salesforce.com",
        username: `user-${i}`,
        password: { secret: `pw-${i}-reads` },
        securityToken: { secret: "tok-reads" },
      },
    },
  };
}

describe("end to end: refresh of many connections", function () {
  this.timeout(10 * 60_000);
  let emulator: EmulatorProcess;
  let control: EmulatorControl;
  let stack: TestStack;
  let ids: string[] = [];

  const flowRequests = async () => (await control.apiRequests()).filter((r) => r.path.startsWith("/data/"));
  const tokenRequests = async () => (await control.apiRequests()).filter((r) => r.path.startsWith("/ims/"));
  const describeAll = (rs: LoggedRequest[]) => rs.map((r) => `${r.method} ${r.path} ${r.status}`);

  async function refresh(): Promise<void> {
    await control.clearRequests();
    await stack.ok(["refresh", "--yes", "--skip-preview"]);
  }

  before(async function () {
    this.timeout(45 * 60_000);
    ensureEngine();
    emulator = await startEmulatorProcess();
    control = new EmulatorControl(emulator.url);
    stack = new TestStack("reads");
    await stack.init(emulator.url);
    stack.setProgram(Array.from({ length: N }, (_, i) => connection(i)));
    await stack.ok(["up", "--yes", "--skip-preview"]);
    const state = await stack.connections();
    ids = Array.from({ length: N }, (_, i) => state[`crm-${i}`].id);
  });

  after(async () => {
    await emulator?.stop();
    stack?.cleanup();
  });

  it("refreshes 120 connections with at most 4 Flow Service requests and 1 token, and takes an edit made in the UI", async () => {
    const { etag } = await control.editOutOfBand(ids[17], [{ op: "replace", path: "/name", value: "Renamed in the UI" }]);
    await refresh();
    const flow = await flowRequests();
    assert.ok(flow.length <= Math.ceil(N / 50) + 1, describeAll(flow).join("\n"));
    assert.deepStrictEqual(describeAll(flow), [`GET ${LIST} 200`, `GET ${LIST} 200`]);
    assert.strictEqual((await tokenRequests()).length, 1);
    const state = await stack.connections();
    assert.strictEqual(Object.keys(state).length, N);
    assert.strictEqual(state["crm-17"].outputs.name, "Renamed in the UI");
    assert.strictEqual(state["crm-17"].outputs.etag, etag);
    assert.strictEqual(state["crm-18"].outputs.name, "CRM 18");
  });

  it("drops a connection deleted outside only after its own GET answers 404", async () => {
    assert.strictEqual((await control.api("DELETE", `/connections/${ids[42]}`)).status, 204);
    await refresh();
    const flow = await flowRequests();
    assert.deepStrictEqual(describeAll(flow.filter((r) => r.path !== LIST)), [`GET ${LIST}/${ids[42]} 404`]);
    assert.ok(flow.length <= Math.ceil((N - 1) / 50) + 1, describeAll(flow).join("\n"));
    const state = await stack.connections();
    assert.strictEqual(state["crm-42"], undefined, "dropped from state");
    assert.strictEqual(Object.keys(state).length, N - 1);
  });

  it("reads each connection with its own GET when Flow Service refuses the list, and the refresh is still right", async () => {
    await control.addFault({
      method: "GET",
      path: "/^\\/connections$/",
      action: "respond",
      status: 400,
      times: 1000,
      body: { title: "Bad request" },
    });
    await control.editOutOfBand(ids[99], [{ op: "add", path: "/description", value: "Added in the UI" }]);
    try {
      await refresh();
    } finally {
      await control.clearFaults();
    }
    const flow = await flowRequests();
    assert.deepStrictEqual(
      flow.filter((r) => r.path === LIST).map((r) => r.status),
      [400],
      "one refused list, remembered for the run",
    );
    const singles = flow.filter((r) => r.path !== LIST);
    assert.strictEqual(singles.length, N - 1);
    assert.ok(singles.every((r) => r.method === "GET" && r.status === 200));
    assert.strictEqual((await tokenRequests()).length, 1);
    const state = await stack.connections();
    assert.strictEqual(Object.keys(state).length, N - 1);
    assert.strictEqual(state["crm-99"].outputs.description, "Added in the UI");
    assert.strictEqual(state["crm-17"].outputs.name, "Renamed in the UI");
  });
});
