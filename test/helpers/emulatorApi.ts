// A tiny HTTP client for the emulator tests: plain fetch, no code shared with provider/.
import { type EmulatorOptions, type RunningEmulator, startEmulator } from "../../emulator/main";
import { DEMO, FLOW_BASE_PATH as BASE, SALESFORCE, salesforceConnection, salesforceParams } from "../../tools/demo";

export { BASE, DEMO, SALESFORCE };
export const S3 = "ecadc60c-7455-4d87-84dc-2a0e293d997b";
/** Experience Platform's data lake: a connector without auth specs. */
export const DATA_LAKE = "c604ff05-7f1a-43c0-8e18-33bf874cb11c";
export const CLOUD_STORAGE_TO_AEP = "9753525b-82c7-4dce-8a9b-5ccfce2b9876";
export const CRM_TO_AEP = "14518937-270c-4525-bdec-c2ba7cce3860";
/** The emulator's test connector whose connections cannot be tested (GET …/test → 400 FLOW-1100-400). */
export const NO_TEST_CONNECTOR = "e0e0e0e0-0000-4000-8000-00000000e002";
export const SCOPE = "openid,session,AdobeID,read_organizations,additional_info.projectedProductContext";

export interface Res {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

async function toRes(r: Response): Promise<Res> {
  const text = await r.text();
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, text, json };
}

export interface Dataflow {
  base: { id: string; etag: string };
  sourceConnection: { id: string; etag: string };
  targetConnection: { id: string; etag: string };
  flow: { id: string; etag: string };
}

export interface CallOptions {
  /** JSON-serialized with Content-Type: application/json unless `raw` is given. */
  body?: unknown;
  raw?: string;
  headers?: Record<string, string | undefined>;
}

export class EmulatorApi {
  private cachedToken?: string;

  constructor(
    readonly url: string,
    readonly sandbox = "prod",
  ) {}

  async requestToken(form: Record<string, string> = {}): Promise<Res> {
    const body = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: DEMO.clientId,
      client_secret: DEMO.clientSecret,
      scope: SCOPE,
      ...form,
    });
    return toRes(await fetch(`${this.url}/ims/token/v3`, { method: "POST", body }));
  }

  async token(): Promise<string> {
    if (!this.cachedToken) {
      const r = await this.requestToken();
      if (r.status !== 200) throw new Error(`token request failed: ${r.status} ${r.text}`);
      this.cachedToken = r.json.access_token as string;
    }
    return this.cachedToken;
  }

  forgetToken(): void {
    this.cachedToken = undefined;
  }

  async headers(): Promise<Record<string, string>> {
    return {
      Authorization: `Bearer ${await this.token()}`,
      "x-api-key": DEMO.clientId,
      "x-gw-ims-org-id": DEMO.orgId,
      "x-sandbox-name": this.sandbox,
    };
  }

  /** A Flow Service call; `path` is relative to the base ("/connections"). Header value undefined = omit it. */
  async call(method: string, path: string, opts: CallOptions = {}): Promise<Res> {
    const headers: Record<string, string> = { ...(await this.headers()) };
    let body: string | undefined;
    if (opts.raw !== undefined) body = opts.raw;
    else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers["Content-Type"] = "application/json";
    }
    for (const [k, v] of Object.entries(opts.headers ?? {})) {
      for (const existing of Object.keys(headers)) if (existing.toLowerCase() === k.toLowerCase()) delete headers[existing];
      if (v !== undefined) headers[k] = v;
    }
    return toRes(await fetch(`${this.url}${BASE}${path}`, { method, headers, body }));
  }

  get(path: string, opts?: CallOptions): Promise<Res> {
    return this.call("GET", path, opts);
  }

  /** PATCH {collection}/{id} with a JSON Patch body and If-Match (omitted when undefined). */
  patchAt(collection: string, id: string, ops: unknown, ifMatch: string | undefined): Promise<Res> {
    return this.call("PATCH", `${collection}/${id}`, { body: ops, headers: { "If-Match": ifMatch } });
  }

  patch(id: string, ops: unknown, ifMatch: string | undefined, opts: CallOptions = {}): Promise<Res> {
    return this.call("PATCH", `/connections/${id}`, { body: ops, ...opts, headers: { "If-Match": ifMatch, ...opts.headers } });
  }

  /** Creates a Salesforce Basic Authentication connection; returns {id, etag}. */
  async createSalesforce(name = "E2E_SF Base_Connection", params?: Record<string, unknown>): Promise<{ id: string; etag: string }> {
    const body = salesforceConnection(name, params ?? salesforceParams("my-salesforce-account", "initial-password", "initial-token"));
    const r = await this.call("POST", "/connections", { body });
    if (r.status !== 201) throw new Error(`create failed: ${r.status} ${r.text}`);
    return r.json;
  }

  /** A Data Lake connection (no auth); returns {id, etag}. */
  async createDataLake(name = "Data Lake connection"): Promise<{ id: string; etag: string }> {
    const r = await this.call("POST", "/connections", { body: { name, connectionSpec: { id: DATA_LAKE, version: "1.0" } } });
    if (r.status !== 201) throw new Error(`create failed: ${r.status} ${r.text}`);
    return r.json;
  }

  /** POSTs to a collection ("/sourceConnections"…) and returns {id, etag}; throws unless 201. */
  async create(collection: string, body: unknown): Promise<{ id: string; etag: string }> {
    const r = await this.call("POST", collection, { body });
    if (r.status !== 201) throw new Error(`POST ${collection} failed: ${r.status} ${r.text}`);
    return r.json;
  }

  /** The one item of GET {collection}/{id}; throws unless 200. */
  async item(collection: string, id: string): Promise<Record<string, any>> {
    const r = await this.get(`${collection}/${id}`);
    if (r.status !== 200) throw new Error(`GET ${collection}/${id} failed: ${r.status} ${r.text}`);
    return r.json.items[0];
  }

  /**
   * A whole S3 → Data Lake (CloudStorageToAEP) or Salesforce → Data Lake (CRMToAEP) dataflow: base
   * connection, source connection, target connection and flow. Returns every id and etag.
   */
  async createDataflow(source: "s3" | "salesforce" = "s3", flow: Record<string, unknown> = {}): Promise<Dataflow> {
    const base =
      source === "s3"
        ? await this.create("/connections", {
            name: "S3 base",
            connectionSpec: { id: S3, version: "1.0" },
            auth: { specName: "Access Key", params: { s3AccessKey: "AKIAEXAMPLE", s3SecretKey: "s3-secret" } },
          })
        : await this.createSalesforce("Salesforce base");
    const spec = source === "s3" ? S3 : SALESFORCE;
    const sourceConnection = await this.create("/sourceConnections", {
      name: `${source} source`,
      baseConnectionId: base.id,
      connectionSpec: { id: spec, version: "1.0" },
      data: { format: source === "s3" ? "delimited" : "tabular" },
      params: source === "s3" ? { path: "/acme/customers.csv" } : { tableName: "Account" },
    });
    const targetConnection = await this.create("/targetConnections", {
      name: "Data Lake target",
      connectionSpec: { id: DATA_LAKE, version: "1.0" },
      data: {
        format: "parquet_xdm",
        schema: { id: "https://ns.adobe.com/acme/schemas/customers", version: "application/vnd.adobe.xed-full+json;version=1" },
      },
      params: { dataSetId: "5f0c7a8b9d2f3e0001a2b3c4" },
    });
    const created = await this.create("/flows", {
      name: `${source} dataflow`,
      flowSpec: { id: source === "s3" ? CLOUD_STORAGE_TO_AEP : CRM_TO_AEP, version: "1.0" },
      sourceConnectionIds: [sourceConnection.id],
      targetConnectionIds: [targetConnection.id],
      transformations: [{ name: "Mapping", params: { mappingId: "bf5286a9c1ad4266baca76ba3adc9366", mappingVersion: "0" } }],
      scheduleParams: { startTime: Math.floor(Date.now() / 1000) + 3600, frequency: "minute", interval: 15 },
      ...flow,
    });
    return { base, sourceConnection, targetConnection, flow: created };
  }

  /** POST /flows/{id}/action?op=…, If-Match only when given. */
  flowAction(id: string, op: string, ifMatch?: string): Promise<Res> {
    return this.call("POST", `/flows/${id}/action?op=${encodeURIComponent(op)}`, { headers: { "If-Match": ifMatch } });
  }

  /** GET /connections/{id}/test, the reply as is. */
  testConnection(id: string): Promise<Res> {
    return this.get(`/connections/${id}/test`);
  }

  async connection(id: string): Promise<Record<string, any>> {
    const r = await this.get(`/connections/${id}`);
    if (r.status !== 200) throw new Error(`GET failed: ${r.status} ${r.text}`);
    return r.json.items[0];
  }

  /** A control route under /__emulator, its reply whatever the status: the one HTTP call of those routes (EmulatorControl names them). */
  async control(method: string, path: string, body?: unknown): Promise<Res> {
    return toRes(
      await fetch(`${this.url}/__emulator${path}`, {
        method,
        headers: body !== undefined ? { "Content-Type": "application/json" } : {},
        body: body !== undefined ? JSON.stringify(body) : undefined,
      }),
    );
  }
}

/** The Flow Service problem-body code, e.g. "1404-412", or undefined. */
export function flowCode(res: Res): string | undefined {
  const type = res.json?.type;
  const m = typeof type === "string" ? /FLOW-(\d+-\d+)$/.exec(type) : null;
  return m ? m[1] : undefined;
}

/**
 * One in-process emulator for a mocha suite: started before it, closed after it, and (unless
 * `reset: false`) reset before each test. `use` receives the emulator and a client for it.
 */
export function useEmulator(
  use: (emu: RunningEmulator, api: EmulatorApi) => void,
  opts: { reset?: boolean; emulator?: EmulatorOptions } = {},
): void {
  let emu: RunningEmulator | undefined;
  let api: EmulatorApi | undefined;
  before(async () => {
    // Suites name a sandbox of their own: every well-formed name exists here unless a suite says
    // otherwise (the org's sandbox list, --sandboxes, is tested in emulator.gateway.test.ts).
    emu = await startEmulator({ sandboxes: "any", ...opts.emulator });
    api = new EmulatorApi(emu.url);
    use(emu, api);
  });
  after(() => emu?.close());
  if (opts.reset !== false) beforeEach(() => api?.control("POST", "/reset"));
}
