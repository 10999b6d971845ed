// Connectors without auth specs (the Data Lake): a connection needs no `auth`, as Adobe's
// CreateConnectionRequest allows; connectors with auth specs still require it.
import { strict as assert } from "node:assert";
import { z } from "zod";
import { EmulatorApi, SALESFORCE, flowCode, useEmulator } from "../helpers/emulatorApi";

const DATA_LAKE = "c604ff05-7f1a-43c0-8e18-33bf874cb11c";

// S1's ConnectionItemDTO: auth is not a required property.
const ConnectionItemDTO = z.strictObject({
  id: z.string(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  createdBy: z.string(),
  updatedBy: z.string(),
  createdClient: z.string(),
  updatedClient: z.string(),
  sandboxId: z.string(),
  sandboxName: z.string(),
  imsOrgId: z.string(),
  name: z.string(),
  description: z.string().optional(),
  connectionSpec: z.object({ id: z.string(), version: z.string() }),
  state: z.string(),
  auth: z.object({ specName: z.string(), params: z.record(z.string(), z.unknown()) }).optional(),
  version: z.string(),
  etag: z.string(),
});

describe("emulator connectors without auth specs", function () {
  let api: EmulatorApi;
  useEmulator((_e, a) => (api = a));

  const dataLake = (extra: Record<string, unknown> = {}) => ({ name: "lake", connectionSpec: { id: DATA_LAKE, version: "1.0" }, ...extra });

  it("lists the Data Lake connector with no auth specs", async () => {
    const r = await api.get(`/connectionSpecs/${DATA_LAKE}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.items[0].name, "Data Lake");
    assert.deepEqual(r.json.items[0].authSpec, []);
  });

  it("creates a Data Lake connection without auth, shown without auth", async () => {
    const r = await api.call("POST", "/connections", { body: dataLake() });
    assert.equal(r.status, 201, r.text);
    const c = await api.connection(r.json.id);
    ConnectionItemDTO.parse(c);
    assert.equal(c.auth, undefined);
    assert.equal(c.connectionSpec.id, DATA_LAKE);
    const listed = await api.get(`/connections?property=${encodeURIComponent(`connectionSpec.id==${DATA_LAKE}`)}`);
    assert.deepEqual(
      listed.json.items.map((x: any) => x.id),
      [r.json.id],
    );
  });

  it("refuses auth for a connector that takes none (1415), saying to omit it", async () => {
    const r = await api.call("POST", "/connections", { body: dataLake({ auth: { specName: "Basic Authentication", params: {} } }) });
    assert.equal(flowCode(r), "1415-400");
    assert.match(r.json.errorMessage, /takes no auth: omit auth/);
  });

  it("still requires auth for a connector with auth specs (1455 naming auth and the auth spec names)", async () => {
    const r = await api.call("POST", "/connections", { body: { name: "sf", connectionSpec: { id: SALESFORCE } } });
    assert.equal(r.status, 400);
    assert.equal(flowCode(r), "1455-400");
    assert.match(r.json.errorMessage, /auth is required/);
    assert.match(r.json.errorMessage, /'Basic Authentication'/);
    assert.equal((await api.get("/connections?count=true")).json.count, 0);
  });

  it("patches the name and description of a Data Lake connection but refuses /auth/params (1455)", async () => {
    const { json: created } = await api.call("POST", "/connections", { body: dataLake() });
    const renamed = await api.patch(
      created.id,
      [
        { op: "replace", path: "/name", value: "lake 2" },
        { op: "add", path: "/description", value: "d" },
      ],
      created.etag,
    );
    assert.equal(renamed.status, 200, renamed.text);
    const c = await api.connection(created.id);
    assert.equal(c.name, "lake 2");
    assert.equal(c.auth, undefined);
    const params = await api.patch(created.id, [{ op: "add", path: "/auth/params", value: { x: "y" } }], renamed.json.etag);
    assert.equal(flowCode(params), "1455-400");
    assert.match(params.json.errorMessage, /takes no auth/);
  });

  it("logs a create without auth as sent", async () => {
    await api.call("POST", "/connections", { body: dataLake() });
    const log = (await api.control("GET", "/requests")).json.items.find((e: any) => e.method === "POST");
    assert.deepEqual(log.body, dataLake());
  });
});
