// Types shared by the emulator's modules.
import type { IncomingHttpHeaders } from "node:http";

/** Accepted credentials and behaviour switches; some can be changed at run time via /__emulator/config. */
export interface EmulatorConfig {
  clientId: string;
  clientSecret: string;
  orgId: string;
  tokenTtlSeconds: number;
  /** Sandbox assumed when x-sandbox-name is absent; undefined → FLOW-2105-400. */
  defaultSandbox?: string;
  /** The sandboxes of the org: any other name is 404 FLOW-2100-404 "Sandbox not found". "any": every well-formed name exists. */
  sandboxes: readonly string[] | "any";
  /** Only the exact quoted etag is accepted as If-Match (otherwise the unquoted form is too). */
  strictIfMatch: boolean;
  /** GET /connections answers range filters (>, <, >=, <=) with 1453 instead of applying them. */
  refuseRangeFilters: boolean;
  /** A flow's interval must be ≥ 15 for frequency minute only, ≥ 1 otherwise (default: ≥ 15 for all but once). */
  lenientScheduleIntervals: boolean;
}

export const DEMO_CREDENTIALS = {
  clientId: "flowservice-demo-client",
  clientSecret: "flowservice-demo-secret",
  orgId: "DEMO0000000000000000000@AdobeOrg",
} as const;

export const DEFAULT_TOKEN_TTL_SECONDS = 86399;

/** The org's sandboxes unless --sandboxes says otherwise: the names the demos, examples and tests use. */
export const DEFAULT_SANDBOXES: readonly string[] = ["prod", "dev", "stage"];

export const FLOW_BASE = "/data/foundation/flowservice";
export const IMS_TOKEN_PATH = "/ims/token/v3";
export const CONTROL_PREFIX = "/__emulator";

/** What a handler answers; the server adds x-request-id and serializes the body. */
export interface Reply {
  status: number;
  /** Object → JSON; string → sent as is; undefined → no body. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** Who is calling, as established by the gateway checks. */
export interface Caller {
  clientId: string;
  orgId: string;
  sandboxName: string;
}

/** A Flow Service request that passed the gateway. */
export interface ApiRequest {
  method: string;
  /** Path after the Flow Service base, e.g. "/connections/abc". */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The raw body text ("" when none). */
  rawBody: string;
  requestId: string;
  caller: Caller;
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(", ") : v;
}
