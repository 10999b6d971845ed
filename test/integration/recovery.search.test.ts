// (The duplicate check before a create is off here: its listing would meet these faults first; see duplicates.test.ts.)
// The search after a lost create reply uses only filters Flow Service documents for connections
// (equality on name and connectionSpec.id), matches the time window itself, and widens the query
// when a filter is refused instead of failing: still exactly one connection.
import assert from "node:assert";
import type { RunningEmulator } from "../../emulator/main";
import { configure, provider } from "../../provider/dynamicProvider";
import { DEMO } from "../../tools/demo";
import { flowConfig } from "../../tools/pulumiCli";
import { EmulatorApi, SALESFORCE, useEmulator } from "../helpers/emulatorApi";
import { EmulatorControl } from "../helpers/emulatorControl";

const LIST = "/data/foundation/flowservice/connections";
const PARAMS = { environmentUrl: "login.salesforce.com", username: "u", password: "pw-lost-reply-1", securityToken: "tok-123456" };

describe("the search for a create whose reply was lost", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let control: EmulatorControl;
  useEmulator((e) => {
    emu = e;
    control = new EmulatorControl(e.url);
  });

  beforeEach(() =>
    configure((k) => flowConfig(emu.url, DEMO, { "flowservice:maxRetries": "1", "flowservice:duplicateCheckMinutes": "0" })[k], {}),
  );

  async function createWithLostReply(): Promise<string> {
    await control.addFault({ action: "apply-then-drop", method: "POST", path: "/connections", times: 1 });
    const checked = await provider.check!(
      {},
      {
        name: "Lost reply CRM",
        connectionSpec: { id: SALESFORCE, version: "1.0" },
        auth: { specName: "Basic Authentication", params: PARAMS },
        secretKeys: ["password", "securityToken"],
      },
    );
    return (await provider.create(checked.inputs)).id;
  }
  const stored = async () =>
    ((await (await fetch(`${emu.url}/__emulator/connections`)).json()) as { items: Array<{ id: string; name: string }> }).items;
  const searches = async () => (await control.apiRequests()).filter((r) => r.method === "GET" && r.path === LIST);

  it("finds it with equality filters when Flow Service refuses range filters", async () => {
    await new EmulatorApi(emu.url).control("POST", "/config", { refuseRangeFilters: true });
    const id = await createWithLostReply();
    const mine = (await stored()).filter((c) => c.name === "Lost reply CRM");
    assert.deepStrictEqual(
      mine.map((c) => c.id),
      [id],
      "exactly one connection, the one found",
    );
    const queries = (await searches()).map((r) => [decodeURIComponent(r.query ?? "").replace(/\+/g, " "), r.status]);
    assert.deepStrictEqual(queries, [[`property=name==Lost reply CRM&property=connectionSpec.id==${SALESFORCE}&limit=100`, 200]]);
  });

  it("widens the search to the connector, then to the whole sandbox, when filters are refused", async () => {
    await control.addFault({
      method: "GET",
      path: "/^\\/connections$/",
      action: "respond",
      status: 400,
      times: 2,
      body: { title: "Invalid filter" },
    });
    for (let i = 0; i < 120; i++) await new EmulatorApi(emu.url).createSalesforce(`Someone else's ${i}`, PARAMS);
    const id = await createWithLostReply();
    const mine = (await stored()).filter((c) => c.name === "Lost reply CRM");
    assert.deepStrictEqual(
      mine.map((c) => c.id),
      [id],
      "exactly one connection, the one found",
    );
    const queries = (await searches()).map(
      (r) =>
        `${decodeURIComponent(r.query ?? "")
          .replace(/\+/g, " ")
          .replace(/continuationToken=[^&]*/, "continuationToken=…")} ${r.status}`,
    );
    assert.deepStrictEqual(queries, [
      `property=name==Lost reply CRM&property=connectionSpec.id==${SALESFORCE}&limit=100 400`,
      `property=connectionSpec.id==${SALESFORCE}&limit=100 400`,
      "limit=100 200",
      "limit=100&continuationToken=… 200",
    ]);
  });

  it("reports a refusal of the widest search instead of creating a second connection", async () => {
    await control.addFault({
      method: "GET",
      path: "/^\\/connections$/",
      action: "respond",
      status: 400,
      times: 3,
      body: { title: "Invalid filter" },
    });
    await assert.rejects(
      createWithLostReply(),
      /reply to POST \/connections was lost, and the search .* was refused \(GET \/connections failed: HTTP 400.*Look for a connection named "Lost reply CRM" in sandbox "prod"/,
    );
    assert.strictEqual((await stored()).filter((c) => c.name === "Lost reply CRM").length, 1);
  });
});
