// Test-side access to the emulator: its control routes (request log, stored state, out-of-band
// edits) and a raw API call "as someone else", e.g. the Experience Platform UI. Plain fetch:
// never the provider's client, so the two check each other.
import { createHash } from "crypto";

export interface LoggedRequest {
  seq: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: any;
  status?: number;
}

export const sha256 = (v: string) => "sha256:" + createHash("sha256").update(v).digest("hex");

export class EmulatorControl {
  constructor(readonly url: string) {}

  async requests(): Promise<LoggedRequest[]> {
    return ((await (await fetch(`${this.url}/__emulator/requests`)).json()) as { items: LoggedRequest[] }).items;
  }

  /** Flow Service and IMS requests only (what a user would be billed or throttled for). */
  async apiRequests(): Promise<LoggedRequest[]> {
    return (await this.requests()).filter((r) => r.path.startsWith("/data/") || r.path.startsWith("/ims/"));
  }

  async clearRequests(): Promise<void> {
    await fetch(`${this.url}/__emulator/requests`, { method: "DELETE" });
  }

  /** The stored connection, secrets as sha256 fingerprints; undefined when it does not exist. */
  async stored(id: string): Promise<any | undefined> {
    const r = await fetch(`${this.url}/__emulator/connections/${id}`);
    if (r.status === 404) return undefined;
    if (!r.ok) throw new Error(`control GET connection ${id}: ${r.status} ${await r.text()}`);
    return r.json();
  }

  /** An edit as if made in the Experience Platform UI: a new etag, another writer. */
  async editOutOfBand(id: string, patch: unknown[], user = "jane.doe@example.com"): Promise<{ etag: string }> {
    const r = await fetch(`${this.url}/__emulator/connections/${id}/edit`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ patch, user }),
    });
    if (!r.ok) throw new Error(`out-of-band edit of ${id}: ${r.status} ${await r.text()}`);
    return (await r.json()) as { etag: string };
  }

  async addFault(fault: Record<string, unknown>): Promise<void> {
    const r = await fetch(`${this.url}/__emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(fault),
    });
    if (!r.ok) throw new Error(`add fault: ${r.status} ${await r.text()}`);
  }

  /** A Flow Service API call with the emulator's demo credentials, outside any stack. */
  async api(method: string, path: string, body?: unknown, creds = { clientId: "flowservice-demo-client", clientSecret: "flowservice-demo-secret", orgId: "DEMO0000000000000000000@AdobeOrg" }, sandbox = "prod"): Promise<{ status: number; json: any }> {
    const form = new URLSearchParams({ grant_type: "client_credentials", client_id: creds.clientId, client_secret: creds.clientSecret, scope: "openid" });
    const token = ((await (await fetch(`${this.url}/ims/token/v3`, { method: "POST", body: form })).json()) as { access_token: string }).access_token;
    const r = await fetch(`${this.url}/data/foundation/flowservice${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        "x-api-key": creds.clientId,
        "x-gw-ims-org-id": creds.orgId,
        "x-sandbox-name": sandbox,
        "content-type": "application/json",
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : undefined };
  }
}
