import assert from "node:assert";
import { DuplicateCheck, RunListings } from "../../provider/api/duplicates";
import { WriteLedger } from "../../provider/api/ledger";
import type { FlowServiceClient } from "../../provider/api/client";
import { connection } from "../../provider/core/entities/connection";
import type { LiveObject } from "../../provider/core/entity";

const NOW = Date.parse("2026-12-01T12:00:00Z");
const SPEC = "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5";
const body = { name: "CRM", connectionSpec: { id: SPEC }, auth: { specName: "Basic Authentication", params: {} } };
const live = (over: Partial<LiveObject> & Record<string, unknown> = {}): LiveObject => ({
  id: "c-1",
  etag: '"1"',
  name: "CRM",
  connectionSpec: { id: SPEC },
  auth: { specName: "Basic Authentication" },
  createdClient: "ours",
  createdAt: NOW - 60_000,
  ...over,
});

/** The check with a virtual clock for its settle wait: `onSleep` runs at each poll. */
function check(
  items: LiveObject[],
  windowMinutes = 1440,
  ledger = new WriteLedger(),
  onSleep: (waitedMs: number) => void = () => undefined,
) {
  const client = { clientId: "ours", sandboxOf: () => "prod" } as unknown as FlowServiceClient;
  const listings: RunListings = { created: async () => items };
  let waited = 0;
  const sleep = async (ms: number) => {
    waited += ms;
    onSleep(waited);
  };
  return new DuplicateCheck({ client, ledger, listings, windowMinutes, now: () => NOW, sleep }).beforeCreate(connection, { body });
}

describe("the duplicate check before a create (flowservice-recover's rules, from the run's listing)", () => {
  it("refuses when an object of the same identity, by this client, within the window, unknown to the run exists", async () => {
    await assert.rejects(check([live()]), /Connection "CRM" was not created: sandbox "prod" already holds a connection like it .*c-1/);
  });

  it("creates when the look-alike is another client's, older than the window, of another identity, or known to the run", async () => {
    await check([live({ createdClient: "exc_app" })]);
    await check([live({ createdAt: NOW - 1441 * 60_000 })]);
    await check([live({ createdAt: undefined })]);
    await check([live({ name: "Other CRM" })]);
    await check([live({ auth: { specName: "OAuth 2" } })]);
    const ledger = new WriteLedger();
    ledger.know("c-1");
    await check([live()], 1440, ledger);
  });

  it("creates when the look-alike becomes known within 5 s (the engine diffing the resource that holds it, after this create started), and refuses after 5 s", async () => {
    const ledger = new WriteLedger();
    await check([live()], 1440, ledger, (waited) => waited === 1_200 && ledger.know("c-1"));
    let waitedInAll = 0;
    await assert.rejects(
      check([live()], 1440, new WriteLedger(), (waited) => (waitedInAll = waited)),
      /already holds a connection like it/,
    );
    assert.strictEqual(waitedInAll, 5_000);
  });

  it("with a window of 0 minutes lists nothing and refuses nothing", async () => {
    let listed = false;
    const client = { clientId: "ours", sandboxOf: () => "prod" } as unknown as FlowServiceClient;
    const listings: RunListings = {
      created: async () => {
        listed = true;
        return [live()];
      },
    };
    await new DuplicateCheck({ client, ledger: new WriteLedger(), listings, windowMinutes: 0 }).beforeCreate(connection, { body });
    assert.strictEqual(listed, false);
  });
});
