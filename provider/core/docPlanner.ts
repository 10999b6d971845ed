// The smallest JSON Patch (RFC 6902) between two versions of a document: the generalisation of
// planner.planPatch to any entity. An entity's description (core/entity.ts) says which document a
// PATCH edits and which members are replaced whole ("atomic"); this module knows nothing else.
import type { PatchOp } from "./vocabulary";

/**
 * Stands for a value that cannot be read back (a write-only secret of an adopted object, or one
 * whose remote copy may have changed): it equals no real value, so the planner re-sends it.
 */
export const UNVERIFIED = "\u0000flowservice:unverified";

/** What secret values look like in plans meant for people: never the value. */
export const SECRET_MASK = "[secret]";

/** RFC 6901: `~` → `~0`, `/` → `~1`. */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

export function unescapePointerToken(token: string): string {
  return token.replace(/~1/g, "/").replace(/~0/g, "~");
}

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

interface DocPlanOptions {
  /**
   * JSON Pointers whose value is replaced as a whole when it changes (one `replace`, never ops
   * inside it); `*` matches any one token, e.g. "/transformations/*" replaces one transformation.
   */
  atomic?: readonly string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Structural equality of JSON values (member order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

function pointerMatches(pattern: string, path: string): boolean {
  const p = pattern.split("/");
  const q = path.split("/");
  return p.length === q.length && p.every((t, i) => t === "*" || t === q[i]);
}

/**
 * The ops turning `old` into `next`: per member `add` / `replace` / `remove`, recursing into
 * objects and arrays (unless atomic), so that a change of one schedule field or one param sends
 * only that field. Top-level members come in the order of `next` (then members `old` alone has);
 * nested members by key. Array elements past the common length are added in order, or removed from
 * the end, so each op's index is valid when it is applied.
 */
export function planDocPatch(old: JsonObject, next: JsonObject, opts: DocPlanOptions = {}): PatchOp[] {
  const ops: PatchOp[] = [];
  const atomic = opts.atomic ?? [];
  const isAtomic = (path: string) => atomic.some((a) => pointerMatches(a, path));

  const walk = (a: unknown, b: unknown, path: string, topLevel: boolean): void => {
    if (jsonEqual(a, b)) return;
    if (isObject(a) && isObject(b) && !isAtomic(path)) {
      const keys = topLevel
        ? [...Object.keys(b), ...Object.keys(a).filter((k) => !(k in b))]
        : [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
      for (const k of keys) {
        const p = `${path}/${escapePointerToken(k)}`;
        const [x, y] = [a[k], b[k]];
        if (x === undefined && y === undefined) continue;
        if (x === undefined) ops.push({ op: "add", path: p, value: y });
        else if (y === undefined) ops.push({ op: "remove", path: p });
        else walk(x, y, p, false);
      }
      return;
    }
    if (Array.isArray(a) && Array.isArray(b) && !isAtomic(path)) {
      const common = Math.min(a.length, b.length);
      for (let i = 0; i < common; i++) walk(a[i], b[i], `${path}/${i}`, false);
      for (let i = common; i < b.length; i++) ops.push({ op: "add", path: `${path}/${i}`, value: b[i] });
      for (let i = a.length - 1; i >= common; i--) ops.push({ op: "remove", path: `${path}/${i}` });
      return;
    }
    ops.push({ op: "replace", path, value: b });
  };
  walk(old, next, "", true);
  return ops;
}

/** The JSON Pointer tokens of a path ("/params/a~1b" → ["params", "a/b"]). */
export function pointerTokens(path: string): string[] {
  return path === "" ? [] : path.slice(1).split("/").map(unescapePointerToken);
}

/** The value at a JSON Pointer, or undefined. */
export function valueAt(doc: unknown, path: string): unknown {
  let v: unknown = doc;
  for (const t of pointerTokens(path)) {
    if (Array.isArray(v)) v = v[Number(t)];
    else if (isObject(v)) v = v[t];
    else return undefined;
  }
  return v;
}

/**
 * The secret key an op touches: the first token under `parent` (e.g. ["params"]) when it is one of
 * `secretKeys`; undefined otherwise.
 */
export function secretKeyOf(op: PatchOp, parent: readonly string[], secretKeys: readonly string[]): string | undefined {
  const tokens = pointerTokens(op.path);
  if (tokens.length <= parent.length || !parent.every((t, i) => tokens[i] === t)) return undefined;
  const key = tokens[parent.length];
  return secretKeys.includes(key) ? key : undefined;
}

/** The same ops with every secret value replaced by `[secret]`: safe to print or log. */
export function maskDocOps(ops: PatchOp[], parent: readonly string[], secretKeys: readonly string[]): PatchOp[] {
  return ops.map((op) => {
    if (!("value" in op)) return op;
    // A secret key's value, or a whole parent object holding secrets, is never shown.
    const wholeParent = op.path === "/" + parent.map(escapePointerToken).join("/") && secretKeys.length > 0;
    return secretKeyOf(op, parent, secretKeys) !== undefined || wholeParent ? { ...op, value: SECRET_MASK } : op;
  });
}
