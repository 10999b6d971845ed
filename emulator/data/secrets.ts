// How secret params (`format: password`) are held and shown.
//
// The store keeps only "sha256:<hex>" digests of secret values, never the values: GET replies can
// then not leak them, the --state file does not contain them, and the control route can still let
// a test check that a rotated secret landed (by comparing digests).
import { createHash } from "node:crypto";

/** What GET and list replies show in place of every secret param value (the emulator's choice). */
export const SECRET_MASK = "********";

/** What the request log shows in place of every secret value. */
export const REDACTED = "[redacted]";

export function digest(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return "sha256:" + createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * A secret the store already holds (as a digest), carried through a patch unchanged. Being a class
 * instance, not plain JSON, it cannot be confused with a new clear value sent by a client.
 */
export class RetainedSecret {
  constructor(readonly digest: string) {}
}

/** Params as the store holds them → params with each stored secret wrapped as RetainedSecret. */
export function wrapRetained(params: Record<string, unknown>, secrets: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    setOwn(out, k, secrets.has(k) && typeof v === "string" ? new RetainedSecret(v) : v);
  }
  return out;
}

/** A view fit for schema validation: retained secrets stand in as the mask string (they were validated when set). */
export function validationView(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) setOwn(out, k, v instanceof RetainedSecret ? SECRET_MASK : v);
  return out;
}

/** Params after validation → params to store: new secret values become digests, retained ones stay. */
export function toStored(params: Record<string, unknown>, secrets: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (v instanceof RetainedSecret) setOwn(out, k, v.digest);
    else setOwn(out, k, secrets.has(k) ? digest(v) : v);
  }
  return out;
}

/** Params as shown by GET/list: every secret param replaced by the mask. */
export function masked(params: Record<string, unknown>, secrets: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) setOwn(out, k, secrets.has(k) ? SECRET_MASK : v);
  return out;
}

/**
 * Secret params whose new value is the GET mask itself: a client that wrote back what it read.
 * Storing it would silently replace the real secret, so the emulator refuses it.
 */
export function maskRoundTrips(params: Record<string, unknown>, secrets: Set<string>): string[] {
  return Object.entries(params)
    .filter(([k, v]) => secrets.has(k) && v === SECRET_MASK)
    .map(([k]) => k);
}

/** Own-property assignment that is safe for any key, including "__proto__". */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
