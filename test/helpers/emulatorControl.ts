// Test-side access to the emulator: its control routes (request log, stored state, out-of-band
// edits) and a raw API call "as someone else", e.g. the Experience Platform UI. Plain fetch:
// never the provider's client, so the two check each other.
import { createHash } from "node:crypto";
import { EmulatorApi } from "./emulatorApi";

export interface LoggedRequest {
  seq: number;
  method: string;
  path: string;
  /** The raw query string without "?". */
  query?: string;
  headers: Record<string, string>;
  body?: any;
  status?: number;
}

export interface RefusedCredential {
  id: string;
  connectionSpecId: string | null;
  param: string;
  digest: string;
}

export interface EmulatorConfigView {
  tokenTtlSeconds: number;
  strictIfMatch: boolean;
  defaultSandbox: string | null;
  refuseRangeFilters: boolean;
  lenientScheduleIntervals: boolean;
}

export const sha256 = (v: string) => "sha256:" + createHash("sha256").update(v).digest("hex");

/**
 * The typed client of the emulator's control routes (/__emulator/…). Every control request goes
 * through EmulatorApi.control, the one HTTP call of those routes; this class names them.
 */
export class EmulatorControl {
  private readonly client: EmulatorApi;

  constructor(readonly url: string) {
    this.client = new EmulatorApi(url);
  }

  async requests(): Promise<LoggedRequest[]> {
    return ((await this.control("GET", "/requests")) as { items: LoggedRequest[] }).items;
  }

  /** Flow Service and IMS requests only (what a user would be billed or throttled for). */
  async apiRequests(): Promise<LoggedRequest[]> {
    return (await this.requests()).filter((r) => r.path.startsWith("/data/") || r.path.startsWith("/ims/"));
  }

  async clearRequests(): Promise<void> {
    await this.control("DELETE", "/requests");
  }

  /** The stored connection, secrets as sha256 fingerprints; undefined when it does not exist. */
  async stored(id: string): Promise<any | undefined> {
    return this.storedAt("connections", id);
  }

  /** A stored source connection, target connection or flow (any org and sandbox); undefined when absent. */
  async storedEntity(collection: "sourceConnections" | "targetConnections" | "flows", id: string): Promise<any | undefined> {
    return this.storedAt(collection, id);
  }

  private async storedAt(collection: string, id: string): Promise<any | undefined> {
    const r = await this.client.control("GET", `/${collection}/${id}`);
    if (r.status === 404) return undefined;
    if (r.status < 200 || r.status >= 300) throw new Error(`control GET ${collection}/${id}: ${r.status} ${r.text}`);
    return r.json;
  }

  /** An edit as if made in the Experience Platform UI: a new etag, another writer. */
  async editOutOfBand(id: string, patch: unknown[], user = "jane.doe@example.com"): Promise<{ etag: string }> {
    return (await this.control("POST", `/connections/${id}/edit`, { patch, user })) as { etag: string };
  }

  async addFault(fault: Record<string, unknown>): Promise<void> {
    await this.control("POST", "/faults", fault);
  }

  async clearFaults(): Promise<void> {
    await this.control("DELETE", "/faults");
  }

  /**
   * Makes every GET /connections/{id}/test answer `status` (default 503, "test endpoint unavailable")
   * until clearFaults(); `times` limits it to that many requests.
   */
  async failConnectionTests(opts: { status?: number; body?: unknown; times?: number | "always" } = {}): Promise<void> {
    await this.addFault({
      method: "GET",
      path: "/^\\/connections\\/[^/]+\\/test\\/?$/",
      action: "respond",
      status: opts.status ?? 503,
      body: opts.body ?? { error_code: "503000", message: "Service Unavailable" },
      times: opts.times ?? "always",
    });
  }

  /**
   * The source system refuses this credential: GET …/test answers {"result": false} for any
   * connection (of `connectionSpecId`, if given) whose stored `param` has this value, while Flow
   * Service still accepts it in POST and PATCH. Pass the value in clear or its "sha256:<hex>" digest;
   * the emulator keeps the digest only.
   */
  async refuseCredential(rule: { param: string; value?: unknown; digest?: string; connectionSpecId?: string }): Promise<RefusedCredential> {
    return (await this.control("POST", "/refuse-credentials", rule)) as RefusedCredential;
  }

  async refusedCredentials(): Promise<RefusedCredential[]> {
    return ((await this.control("GET", "/refuse-credentials")) as { items: RefusedCredential[] }).items;
  }

  async clearRefusedCredentials(): Promise<void> {
    await this.control("DELETE", "/refuse-credentials");
  }

  /** The emulator's runtime switches (POST /__emulator/config); returns the whole config. */
  async setConfig(config: Partial<EmulatorConfigView>): Promise<EmulatorConfigView> {
    return (await this.control("POST", "/config", config)) as EmulatorConfigView;
  }

  /** Conditions outside the connection: used by flows, the test's answer, a platform-set state. */
  async setFlags(id: string, flags: { usedByFlows?: boolean; testResult?: boolean; state?: string }): Promise<void> {
    await this.control("POST", `/connections/${id}/flags`, flags);
  }

  /** A control call that must succeed; its JSON reply. */
  async control(method: string, path: string, body?: unknown): Promise<unknown> {
    const r = await this.client.control(method, path, body);
    if (r.status < 200 || r.status >= 300) throw new Error(`control ${method} ${path}: ${r.status} ${r.text}`);
    return r.json;
  }

  /** A Salesforce connection created outside any stack (as in the UI); returns {id, etag}. */
  createSalesforce(name: string, params: Record<string, unknown>): Promise<{ id: string; etag: string }> {
    return this.client.createSalesforce(name, params);
  }

  /** A Flow Service API call with the emulator's demo credentials, outside any stack (as another user would). */
  async api(method: string, path: string, body?: unknown, sandbox = "prod"): Promise<{ status: number; json: any }> {
    return new EmulatorApi(this.url, sandbox).call(method, path, { body });
  }
}
