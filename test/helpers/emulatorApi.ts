// A tiny HTTP client for the emulator tests: plain fetch, no code shared with provider/.
import { type RunningEmulator, startEmulator } from "../../emulator/main";
export const DEMO = {
  clientId: "flowservice-demo-client",
  clientSecret: "flowservice-demo-secret",
  orgId: "DEMO0000000000000000000@AdobeOrg",
} as const;

export const BASE = "/data/foundation/flowservice";
export const SALESFORCE = "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5";
export const S3 = "ecadc60c-7455-4d87-84dc-2a0e293d997b";
/** Experience Platform's data lake: a connector without auth specs. */
export const DATA_LAKE = "c604ff05-7f1a-43c0-8e18-33bf874cb11c";
/** The emulator's test connector whose connections cannot be tested (GET …/test → 400 FLOW-1100-400). */
export const NO_TEST_CONNECTOR = "e0e0e0e0-0000-4000-8000-00000000e002";
export const SCOPE = "openid,session,AdobeID,read_organizations,additional_info.projectedProductContext";

export interface Res {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

async function toRes(r: Response): Promise<Res> {
  const text = await r.text();
  let json: unknown = undefined;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, text, json };
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

  patch(id: string, ops: unknown, ifMatch: string | undefined, opts: CallOptions = {}): Promise<Res> {
    return this.call("PATCH", `/connections/${id}`, { body: ops, ...opts, headers: { "If-Match": ifMatch, ...opts.headers } });
  }

  /** Creates a Salesforce Basic Authentication connection; returns {id, etag}. */
  async createSalesforce(name = "E2E_SF Base_Connection", params?: Record<string, unknown>): Promise<{ id: string; etag: string }> {
    const r = await this.call("POST", "/connections", {
      body: {
        name,
        connectionSpec: { id: SALESFORCE, version: "1.0" },
        auth: {
          specName: "Basic Authentication",
          params: params ?? {
            environmentUrl: "login.salesforce.com",
            username: "my-salesforce-account",
            password: "initial-password",
            securityToken: "initial-token",
          },
        },
      },
    });
    if (r.status !== 201) throw new Error(`create failed: ${r.status} ${r.text}`);
    return r.json;
  }

  /** A Data Lake connection (no auth); returns {id, etag}. */
  async createDataLake(name = "Data Lake connection"): Promise<{ id: string; etag: string }> {
    const r = await this.call("POST", "/connections", { body: { name, connectionSpec: { id: DATA_LAKE, version: "1.0" } } });
    if (r.status !== 201) throw new Error(`create failed: ${r.status} ${r.text}`);
    return r.json;
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

  /** A control route under /__emulator. */
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
export function useEmulator(use: (emu: RunningEmulator, api: EmulatorApi) => void, opts: { reset?: boolean } = {}): void {
  let emu: RunningEmulator | undefined;
  let api: EmulatorApi | undefined;
  before(async () => {
    emu = await startEmulator();
    api = new EmulatorApi(emu.url);
    use(emu, api);
  });
  after(() => emu?.close());
  if (opts.reset !== false) beforeEach(() => api?.control("POST", "/reset"));
}
