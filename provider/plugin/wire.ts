// Property values as the engine sends them over gRPC, and back: secrets arrive wrapped in Pulumi's
// secret sentinel object, are unwrapped before any provider code sees them (their paths kept), and
// are wrapped again on the way out, so the engine stores them encrypted and shows them as [secret].
// Pure: no gRPC here, only plain JSON values.
import { jsonEqual } from "../core/docPlanner";

/** Pulumi's signature key of special values, and the signature of a secret. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** A path into a property value: object keys (array indexes as numbers). */
export type PropertyPath = Array<string | number>;

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function isSecretValue(v: unknown): v is { [SIG_KEY]: string; value?: unknown } {
  return isObject(v) && v[SIG_KEY] === SECRET_SIG;
}

export function secretValue(value: unknown): Record<string, unknown> {
  return { [SIG_KEY]: SECRET_SIG, value };
}

/** A value without secret wrappers, and the paths where secrets were. */
export function unwrapSecrets(
  value: unknown,
  at: PropertyPath = [],
  found: PropertyPath[] = [],
): { value: unknown; secrets: PropertyPath[] } {
  const walk = (v: unknown, path: PropertyPath): unknown => {
    if (isSecretValue(v)) {
      found.push(path);
      return walk(v.value, path);
    }
    if (Array.isArray(v)) return v.map((e, i) => walk(e, [...path, i]));
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, walk(e, [...path, k])]));
    return v;
  };
  return { value: walk(value, at), secrets: found };
}

/** A copy of `value` with the values at `paths` wrapped as secrets (paths that do not exist are skipped). */
export function wrapSecrets<T>(value: T, paths: readonly PropertyPath[]): T {
  const copy = JSON.parse(JSON.stringify(value ?? null)) as unknown;
  for (const path of paths) {
    if (path.length === 0) return secretValue(copy) as T;
    let parent: unknown = copy;
    for (const key of path.slice(0, -1))
      parent = isObject(parent) || Array.isArray(parent) ? (parent as Record<string, unknown>)[key] : undefined;
    const last = path[path.length - 1];
    if ((isObject(parent) || Array.isArray(parent)) && (parent as Record<string, unknown>)[last] !== undefined) {
      const container = parent as Record<string | number, unknown>;
      if (!isSecretValue(container[last])) container[last] = secretValue(container[last]);
    }
  }
  return copy as T;
}

/** Whether a value holds a secret anywhere (what must never be logged). */
export function holdsSecret(value: unknown): boolean {
  return unwrapSecrets(value).secrets.length > 0;
}

/** The engine's property path syntax: `auth.params.password`, `auth.params["odd.key"]`, `items[0]`. */
export function formatPath(path: PropertyPath): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Whether `prefix` is `path` or one of its ancestors. */
export function isPrefix(prefix: PropertyPath, path: PropertyPath): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => s === path[i]);
}

export type ChangeKind = "add" | "delete" | "update";

/**
 * The leaves that differ between two plain values, recursing into objects (arrays compare whole:
 * the provider's arrays, such as secretKeys, are sets of names).
 */
export function changedLeaves(olds: unknown, news: unknown, at: PropertyPath = []): Array<{ path: PropertyPath; kind: ChangeKind }> {
  if (isObject(olds) && isObject(news)) {
    const keys = [...new Set([...Object.keys(olds), ...Object.keys(news)])].sort();
    return keys.flatMap((k) => changedLeaves(olds[k], news[k], [...at, k]));
  }
  if (jsonEqual(olds, news)) return [];
  if (olds === undefined || olds === null) return [{ path: at, kind: "add" }];
  if (news === undefined || news === null) return [{ path: at, kind: "delete" }];
  return [{ path: at, kind: "update" }];
}
