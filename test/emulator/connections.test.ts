// connectionSpecs and connection create / read / delete / test, over HTTP.
import { strict as assert } from "node:assert";
import { z } from "zod";
import { type RunningEmulator } from "../../emulator/main";
import { BASE, DEMO, EmulatorApi, SALESFORCE, flowCode, useEmulator } from "../helpers/emulatorApi";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SFTP = "b7bf2577-4520-42c9-bae9-cad01560f7bc";

// Response schemas of S1 (adobe/flow-service.yaml), mirrored: ConnectionItemDTO, ConnectionListResponse,
// CreateConnectionResponse, ConnectionSpecItemDTO/AuthenticationSpecDTO, TestConnectionResponse.
const SpecInfoDTO = z.object({ id: z.string(), version: z.string() });
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
  connectionSpec: SpecInfoDTO,
  state: z.string(),
  auth: z.object({ specName: z.string(), params: z.record(z.string(), z.unknown()) }),
  version: z.string(),
  etag: z.string(),
});
const ConnectionListResponse = z.object({ items: z.array(ConnectionItemDTO) });
const CreateConnectionResponse = z.strictObject({ id: z.string(), etag: z.string() });
const AuthenticationSpecDTO = z.object({
  name: z.string(),
  type: z.string(),
  spec: z.object({
    $schema: z.literal("http://json-schema.org/draft-07/schema#"),
    type: z.literal("object"),
    properties: z.record(z.string(), z.object({ type: z.string(), format: z.string().optional() })),
    required: z.array(z.string()),
  }),
});
const ConnectionSpecResponse = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      providerId: z.string(),
      version: z.string(),
      authSpec: z.array(AuthenticationSpecDTO),
      attributes: z.object({ category: z.string(), isSource: z.boolean() }),
    }),
  ),
});
const TestConnectionResponse = z.strictObject({ result: z.boolean() });
const ProblemBody = z.object({
  type: z.string().regex(/^https:\/\/ns\.adobe\.com\/aep\/errors\/FLOW-\d+-\d{3}$/),
  title: z.string(),
  status: z.number(),
  report: z.object({ "detailed-message": z.string(), "request-id": z.string(), id: z.string(), type: z.string() }),
  errorMessage: z.string(),
  errorDetails: z.string(),
});

describe("emulator connectionSpecs", function () {
  let emu: RunningEmulator;
  let api: EmulatorApi;
  useEmulator((e, a) => ([emu, api] = [e, a]), { reset: false });

  it("lists every connector of the fixtures table with its auth specs, in S1's shape", async () => {
    const r = await api.get("/connectionSpecs");
    assert.equal(r.status, 200);
    ConnectionSpecResponse.parse(r.json);
    const byName = new Map<string, any>(r.json.items.map((s: any) => [s.name, s]));
    const expected: Record<string, [string, string[]]> = {
      Salesforce: [SALESFORCE, ["Basic Authentication", "OAuth2 Client Credential"]],
      "Amazon S3": ["ecadc60c-7455-4d87-84dc-2a0e293d997b", ["Access Key"]],
      "Azure Blob Storage": ["4c10e202-c428-4796-9208-5f1f5732b1cf", ["ConnectionString", "SasURIAuthentication"]],
      "Google Cloud Storage": ["32e8f412-cdf7-464c-9885-78184cb113fd", ["Basic Authentication for google-cloud"]],
      SFTP: [SFTP, ["Basic Authentication for sftp"]],
      "Microsoft Dynamics": ["38ad80fe-8b06-4938-94f4-d4ee80266b07", ["Basic Authentication for Dynamics-Online"]],
      PostgreSQL: ["74a1c565-4e59-48d7-9d67-7c03b8a13137", ["Connection String Based Authentication"]],
      "Google BigQuery": ["3c9b37f8-13a6-43d8-bad3-b863b941fedd", ["Basic Authentication"]],
      "Data Lake": ["c604ff05-7f1a-43c0-8e18-33bf874cb11c", []],
      "Emulator open params": ["e0e0e0e0-0000-4000-8000-00000000e001", ["Open Params"]],
      "Emulator no connection test": ["e0e0e0e0-0000-4000-8000-00000000e002", ["Basic Authentication"]],
    };
    assert.equal(r.json.items.length, Object.keys(expected).length);
    for (const [name, [id, authNames]] of Object.entries(expected)) {
      const spec = byName.get(name);
      assert.ok(spec, `missing connector ${name}`);
      assert.equal(spec.id, id);
      assert.equal(spec.version, "1.0");
      assert.equal(spec.providerId, "0ed90a81-07f4-4586-8190-b40eccef1c5a");
      assert.deepEqual(
        spec.authSpec.map((a: any) => a.name),
        authNames,
      );
    }
  });

  it("marks exactly the secret params of each auth spec with format password", async () => {
    const r = await api.get(`/connectionSpecs/${SALESFORCE}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.items.length, 1);
    const basic = r.json.items[0].authSpec.find((a: any) => a.name === "Basic Authentication");
    const secrets = Object.entries(basic.spec.properties)
      .filter(([, p]: [string, any]) => p.format === "password")
      .map(([k]) => k);
    assert.deepEqual(secrets.sort(), ["password", "securityToken"]);
    assert.deepEqual(basic.spec.required.sort(), ["password", "securityToken", "username"]);
    const all = await api.get("/connectionSpecs");
    const bigquery = all.json.items.find((s: any) => s.name === "Google BigQuery").authSpec[0];
    const bqSecrets = Object.keys(bigquery.spec.properties).filter((k) => bigquery.spec.properties[k].format === "password");
    assert.deepEqual(bqSecrets.sort(), ["clientSecret", "refreshToken"]);
  });

  it("filters connectionSpecs with property=name==", async () => {
    const r = await api.get(`/connectionSpecs?property=${encodeURIComponent("name==SFTP,PostgreSQL")}`);
    assert.deepEqual(r.json.items.map((s: any) => s.name).sort(), ["PostgreSQL", "SFTP"]);
  });

  it("answers 404 with a problem body for an unknown connectionSpec id", async () => {
    const r = await api.get("/connectionSpecs/00000000-0000-0000-0000-000000000000");
    assert.equal(r.status, 404);
    ProblemBody.parse(r.json);
    assert.equal(flowCode(r), "1101-404");
  });
});

describe("emulator connections: create, read, delete, test", function () {
  let emu: RunningEmulator;
  let api: EmulatorApi;
  useEmulator((e, a) => ([emu, api] = [e, a]));

  const sfBody = (params: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    name: "sf",
    connectionSpec: { id: SALESFORCE, version: "1.0" },
    auth: { specName: "Basic Authentication", params },
    ...extra,
  });
  const goodParams = { username: "u", password: "p", securityToken: "t" };

  it("creates a connection: 201, {id, etag}, Location, and every stamp the service sets", async () => {
    const t0 = Date.now();
    const r = await api.call("POST", "/connections", { body: sfBody(goodParams, { description: "d" }) });
    assert.equal(r.status, 201, r.text);
    CreateConnectionResponse.parse(r.json);
    assert.match(r.json.id, UUID);
    assert.equal(r.headers.get("location"), `${BASE}/connections/${r.json.id}`);
    const c = await api.connection(r.json.id);
    ConnectionItemDTO.parse(c);
    assert.ok(c.createdAt >= t0 && c.createdAt <= Date.now(), "createdAt is epoch milliseconds");
    assert.equal(c.updatedAt, c.createdAt);
    assert.equal(c.createdBy, `${DEMO.clientId}@AdobeID`);
    assert.equal(c.updatedBy, c.createdBy);
    assert.equal(c.createdClient, DEMO.clientId);
    assert.equal(c.updatedClient, DEMO.clientId);
    assert.equal(c.sandboxName, "prod");
    assert.match(c.sandboxId, UUID);
    assert.equal(c.imsOrgId, DEMO.orgId);
    assert.equal(c.state, "enabled");
    assert.equal(c.description, "d");
    assert.match(c.etag, /^".+"$/);
    assert.equal(c.version, c.etag);
    assert.equal(c.etag, r.json.etag);
  });

  it("gives every connection of a sandbox the same sandboxId, and another sandbox another one", async () => {
    const a = await api.createSalesforce("a");
    const b = await api.createSalesforce("b");
    const dev = new EmulatorApi(emu.url, "dev");
    const c = await dev.createSalesforce("c");
    const [ca, cb, cc] = [await api.connection(a.id), await api.connection(b.id), await dev.connection(c.id)];
    assert.equal(ca.sandboxId, cb.sandboxId);
    assert.notEqual(ca.sandboxId, cc.sandboxId);
    assert.equal(cc.sandboxName, "dev");
  });

  it("defaults connectionSpec.version to the spec's 1.0 when omitted", async () => {
    const body = sfBody(goodParams);
    delete (body.connectionSpec as { version?: string }).version;
    const r = await api.call("POST", "/connections", { body });
    assert.equal(r.status, 201, r.text);
    assert.equal((await api.connection(r.json.id)).connectionSpec.version, "1.0");
  });

  it("answers 400 FLOW-1413-400 for an unknown connectionSpec id or version", async () => {
    const r = await api.call("POST", "/connections", {
      body: { ...sfBody(goodParams), connectionSpec: { id: "11111111-2222-3333-4444-555555555555" } },
    });
    assert.equal(r.status, 400);
    assert.equal(flowCode(r), "1413-400");
    assert.match(r.json.errorMessage, /11111111-2222-3333-4444-555555555555/);
    const v = await api.call("POST", "/connections", {
      body: { ...sfBody(goodParams), connectionSpec: { id: SALESFORCE, version: "2.0" } },
    });
    assert.equal(flowCode(v), "1413-400");
    assert.match(v.json.errorMessage, /'2\.0'.*1\.0/);
  });

  it("answers 400 FLOW-1415-400 listing the valid auth spec names for an unknown specName", async () => {
    const r = await api.call("POST", "/connections", {
      body: { ...sfBody(goodParams), auth: { specName: "Basic", params: goodParams } },
    });
    assert.equal(r.status, 400);
    assert.equal(flowCode(r), "1415-400");
    assert.match(r.json.errorMessage, /'Basic'/);
    assert.match(r.json.errorMessage, /'Basic Authentication'/);
    assert.match(r.json.errorMessage, /'OAuth2 Client Credential'/);
  });

  it("answers 400 FLOW-1455-400 naming each param that fails the auth spec's schema", async () => {
    const r = await api.call("POST", "/connections", {
      body: sfBody({ username: 42, password: "p", favouriteColour: "blue" }),
    });
    assert.equal(r.status, 400);
    ProblemBody.parse(r.json);
    assert.equal(flowCode(r), "1455-400");
    const msg = r.json.errorMessage as string;
    assert.match(msg, /securityToken/, "missing required param");
    assert.match(msg, /auth\.params\.username must be of type string \(got integer\)/);
    assert.match(msg, /auth\.params\.favouriteColour is not a parameter/);
    assert.doesNotMatch(msg, /auth\.params\.password/, "the valid password is not reported");
  });

  it("validates integer params: SFTP port must be an integer", async () => {
    const body = {
      name: "sftp",
      connectionSpec: { id: SFTP },
      auth: { specName: "Basic Authentication for sftp", params: { host: "h", userName: "u", password: "p", port: "22" } },
    };
    const bad = await api.call("POST", "/connections", { body });
    assert.equal(flowCode(bad), "1455-400");
    assert.match(bad.json.errorMessage, /auth\.params\.port must be of type integer \(got string\)/);
    body.auth.params.port = 22 as unknown as string;
    assert.equal((await api.call("POST", "/connections", { body })).status, 201);
  });

  it("answers 400 FLOW-1455-400 naming a missing or empty name", async () => {
    const missing = sfBody(goodParams) as Record<string, unknown>;
    delete missing.name;
    const r = await api.call("POST", "/connections", { body: missing });
    assert.equal(flowCode(r), "1455-400");
    assert.match(r.json.errorMessage, /name is required/);
    const empty = await api.call("POST", "/connections", { body: sfBody(goodParams, { name: "  " }) });
    assert.equal(flowCode(empty), "1455-400");
    assert.match(empty.json.errorMessage, /name/);
  });

  it("answers 1405 for an empty body, 1100 for malformed JSON and 415 for a non-JSON content type", async () => {
    const empty = await api.call("POST", "/connections", { raw: "", headers: { "Content-Type": "application/json" } });
    assert.equal(flowCode(empty), "1405-400");
    const malformed = await api.call("POST", "/connections", { raw: "{nope", headers: { "Content-Type": "application/json" } });
    assert.equal(malformed.status, 400);
    assert.equal(flowCode(malformed), "1100-400");
    const text = await api.call("POST", "/connections", {
      raw: JSON.stringify(sfBody(goodParams)),
      headers: { "Content-Type": "text/plain" },
    });
    assert.equal(text.status, 415);
    assert.equal((await api.get("/connections")).json.items.length, 0, "nothing was created");
  });

  it("answers 404 FLOW-1101-404 for an unknown id", async () => {
    const r = await api.get("/connections/3f4ae131-b384-4e73-0000-000000000000");
    assert.equal(r.status, 404);
    ProblemBody.parse(r.json);
    assert.equal(flowCode(r), "1101-404");
    assert.equal(r.json.report.id, "3f4ae131-b384-4e73-0000-000000000000");
    assert.equal(r.json.report.type, "connections");
  });

  it("hides a connection from other sandboxes: GET, PATCH and DELETE answer 404 and list shows nothing", async () => {
    const { id, etag } = await api.createSalesforce();
    const dev = new EmulatorApi(emu.url, "dev");
    assert.equal(flowCode(await dev.get(`/connections/${id}`)), "1101-404");
    assert.equal(flowCode(await dev.patch(id, [{ op: "replace", path: "/name", value: "x" }], etag)), "1101-404");
    assert.equal(flowCode(await dev.call("DELETE", `/connections/${id}`)), "1101-404");
    assert.equal((await dev.get("/connections")).json.items.length, 0);
    assert.equal((await api.connection(id)).name, "E2E_SF Base_Connection", "untouched in its own sandbox");
  });

  it("deletes with 204 and no body; the connection is then 404", async () => {
    const { id } = await api.createSalesforce();
    const r = await api.call("DELETE", `/connections/${id}`);
    assert.equal(r.status, 204);
    assert.equal(r.text, "");
    assert.equal((await api.get(`/connections/${id}`)).status, 404);
    const again = await api.call("DELETE", `/connections/${id}/`);
    assert.equal(again.status, 404);
    assert.equal(flowCode(again), "1101-404");
  });

  it("refuses to delete a connection used by flows with 400 FLOW-1418-400", async () => {
    const { id } = await api.createSalesforce();
    await api.control("POST", `/connections/${id}/flags`, { usedByFlows: true });
    const r = await api.call("DELETE", `/connections/${id}`);
    assert.equal(r.status, 400);
    assert.equal(flowCode(r), "1418-400");
    assert.match(r.json.errorMessage, new RegExp(id));
    assert.equal((await api.get(`/connections/${id}`)).status, 200);
  });

  it("refuses to delete a connection in a state other than enabled/disabled/initializing with 1416", async () => {
    const { id } = await api.createSalesforce();
    await api.control("POST", `/connections/${id}/flags`, { state: "draft" });
    const r = await api.call("DELETE", `/connections/${id}`);
    assert.equal(flowCode(r), "1416-400");
    assert.match(r.json.errorMessage, /draft/);
  });

  it("answers the connectivity test with {result: true}, or false when told to", async () => {
    const { id } = await api.createSalesforce();
    const ok = await api.get(`/connections/${id}/test`);
    assert.equal(ok.status, 200);
    TestConnectionResponse.parse(ok.json);
    assert.deepEqual(ok.json, { result: true });
    await api.control("POST", `/connections/${id}/flags`, { testResult: false });
    assert.deepEqual((await api.get(`/connections/${id}/test`)).json, { result: false });
    assert.equal((await api.get(`/connections/nope/test`)).status, 404);
  });

  it("accepts a trailing slash on the item path", async () => {
    const { id } = await api.createSalesforce();
    assert.equal((await api.get(`/connections/${id}/`)).status, 200);
  });

  it("answers 405 with Allow for a method the path does not support", async () => {
    const { id } = await api.createSalesforce();
    const r = await api.call("PUT", `/connections/${id}`, { body: {} });
    assert.equal(r.status, 405);
    assert.equal(r.headers.get("allow"), "GET, PATCH, DELETE");
    ProblemBody.parse(r.json);
  });

  it("returns list and item replies that validate against S1's ConnectionListResponse", async () => {
    await api.createSalesforce("one");
    await api.createSalesforce("two");
    const list = await api.get("/connections");
    ConnectionListResponse.parse(list.json);
    assert.equal(list.json.items.length, 2);
  });
});
