// The request log behind GET /__emulator/requests: every API and IMS request in arrival order,
// with secrets redacted before they are recorded (the log never holds a secret in clear).
import type { IncomingHttpHeaders } from "node:http";
import { parsePointer } from "../api/patch";
import { REDACTED } from "../data/secrets";

export interface LogEntry {
  seq: number;
  time: string;
  method: string;
  /** The full request path (without the query). */
  path: string;
  /** The raw query string without "?" ("" when none), IMS client_secret redacted. */
  query: string;
  headers: Record<string, string>;
  /** Parsed JSON when the body is JSON, else the raw text; null when empty. */
  body: unknown;
  /** The status answered; null while in progress or when the connection was dropped without an answer. */
  status: number | null;
  requestId: string;
  /** True when the emulator destroyed the socket instead of answering (a fault). */
  dropped: boolean;
  fault?: { id: string; action: string };
}

/** Which auth params are secret for the body being logged; undefined = unknown → redact every param. */
export interface SecretResolver {
  forSpec(specId: unknown, specName: unknown): Set<string> | undefined;
  forConnection(id: string): Set<string> | undefined;
}

const MAX_ENTRIES = 10_000; // a long-running emulator (npm start) must not grow without bound

export class RequestLog {
  private items: LogEntry[] = [];
  private nextSeq = 1;

  add(entry: Omit<LogEntry, "seq">): LogEntry {
    const full: LogEntry = { seq: this.nextSeq++, ...entry };
    this.items.push(full);
    if (this.items.length > MAX_ENTRIES) this.items.splice(0, this.items.length - MAX_ENTRIES);
    return full;
  }

  since(seq: number): LogEntry[] {
    return this.items.filter((e) => e.seq > seq);
  }

  clear(): number {
    const n = this.items.length;
    this.items = [];
    return n;
  }
}

export function redactHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    const value = Array.isArray(v) ? v.join(", ") : v;
    if (k === "authorization") out[k] = /^bearer\s/i.test(value) ? `Bearer ${REDACTED}` : REDACTED;
    else out[k] = value;
  }
  return out;
}

/** Redacts client_secret in a form-encoded string (IMS body or query), however its name is encoded. */
export function redactForm(text: string): string {
  return text
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=");
      const rawKey = eq < 0 ? pair : pair.slice(0, eq);
      let key = rawKey;
      try {
        key = decodeURIComponent(rawKey.replace(/\+/g, " "));
      } catch {
        // keep the raw key
      }
      return key === "client_secret" ? `${rawKey}=${REDACTED}` : pair;
    })
    .join("&");
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function redactParams(params: unknown, secrets: Set<string> | undefined): unknown {
  if (!isObject(params)) return secrets ? params : REDACTED;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    Object.defineProperty(out, k, {
      value: !secrets || secrets.has(k) ? REDACTED : v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/**
 * The body as the log records it. `route` says how to find the secret params: a create body names
 * its connectionSpec and authSpec; a patch body's connection is the one in the path.
 */
export function redactBody(
  rawBody: string,
  route: { kind: "create" } | { kind: "patch"; connectionId: string } | { kind: "other" },
  resolver: SecretResolver,
): unknown {
  if (rawBody === "") return null;
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    // A create or patch body that is not JSON may still hold secrets that cannot be located.
    if (route.kind !== "other") return `[unparseable body of ${Buffer.byteLength(rawBody)} bytes, not recorded]`;
    return redactForm(rawBody);
  }
  if (route.kind === "create" && isObject(body) && isObject(body.auth) && Object.hasOwn(body.auth, "params")) {
    const spec = isObject(body.connectionSpec) ? body.connectionSpec.id : undefined;
    const secrets = resolver.forSpec(spec, body.auth.specName);
    return { ...body, auth: { ...body.auth, params: redactParams(body.auth.params, secrets) } };
  }
  if (route.kind === "patch" && Array.isArray(body)) {
    const secrets = resolver.forConnection(route.connectionId);
    return body.map((op) => {
      if (!isObject(op) || typeof op.path !== "string" || !Object.hasOwn(op, "value")) return op;
      const tokens = parsePointer(op.path);
      if (tokens?.[0] !== "auth") return op;
      if (tokens.length === 1) {
        // "/auth" is not patchable, but its value may still carry params: redact them anyway
        return isObject(op.value) && Object.hasOwn(op.value, "params")
          ? { ...op, value: { ...op.value, params: redactParams(op.value.params, undefined) } }
          : { ...op, value: REDACTED };
      }
      if (tokens[1] !== "params") return op;
      if (tokens.length === 2) return { ...op, value: redactParams(op.value, secrets) };
      return !secrets || secrets.has(tokens[2]) || tokens.length > 3 ? { ...op, value: REDACTED } : op;
    });
  }
  return body;
}
