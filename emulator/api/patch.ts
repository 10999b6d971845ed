// The emulator's own small JSON Patch (RFC 6902) for the paths Flow Service lets a PATCH touch on a
// connection: /name, /description, /auth/params and /auth/params/<key>. Pointers are RFC 6901
// (`~1` → `/`, `~0` → `~`). Ops are add/replace/remove, case-insensitive (S1 spells them in upper
// case, the tutorials in lower case); anything else is FLOW-1434.
import { type About, errors, type FlowError } from "./errors";
import { setOwn } from "../data/secrets";

type OpName = "add" | "replace" | "remove";

export type Target = { kind: "name" } | { kind: "description" } | { kind: "params" } | { kind: "param"; key: string };

export type PatchOp = Op<Target>;

/** The patchable part of a connection. */
interface PatchDoc {
  name: string;
  description?: string;
  params: Record<string, unknown>;
}

const PATCHABLE = "patchable paths are /name, /description, /auth/params and /auth/params/<key>";

/** RFC 6901: "" is the whole document; otherwise "/"-separated tokens with ~1 and ~0 unescaped. */
export function parsePointer(path: string): string[] | undefined {
  if (path === "") return [];
  if (!path.startsWith("/")) return undefined;
  const tokens: string[] = [];
  for (const raw of path.slice(1).split("/")) {
    if (/~[^01]|~$/.test(raw)) return undefined; // only ~0 and ~1 are valid escapes
    tokens.push(raw.replace(/~1/g, "/").replace(/~0/g, "~"));
  }
  return tokens;
}

/** Resolves a pointer to a patchable target; throws the documented error for the others. */
function resolveTarget(path: string, connectionId?: string): Target {
  const tokens = parsePointer(path);
  if (tokens === undefined) {
    throw errors.patchValidation([`path '${path}' is not a valid JSON Pointer (RFC 6901)`], connectionId);
  }
  if (tokens[0] === "connectionSpec") throw errors.specNotUpdatable(path, connectionId);
  if (tokens.length === 1 && tokens[0] === "name") return { kind: "name" };
  if (tokens.length === 1 && tokens[0] === "description") return { kind: "description" };
  if (tokens.length >= 2 && tokens[0] === "auth" && tokens[1] === "params") {
    if (tokens.length === 2) return { kind: "params" };
    if (tokens.length === 3) return { kind: "param", key: tokens[2] };
  }
  throw errors.patchValidation([`path '${path}' cannot be patched; ${PATCHABLE}`], connectionId);
}

export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Deep copy of JSON data; non-plain objects (RetainedSecret) are kept by reference on purpose. */
export function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clone) as T;
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) setOwn(out, k, clone(x));
    return out as T;
  }
  return v;
}

export interface Op<T> {
  op: OpName;
  path: string;
  target: T;
  value?: unknown;
}

/**
 * Checks a JSON Patch body's shape and every op before anything is applied: an empty body is
 * FLOW-1405, an unsupported op FLOW-1434, anything else malformed FLOW-1455. `resolve` maps each
 * path to what the entity lets a PATCH touch, throwing the documented error otherwise.
 */
export function parseOps<T>(body: unknown, about: About | undefined, resolve: (path: string) => T): Array<Op<T>> {
  if (body === undefined || body === null) throw errors.emptyBody();
  if (!Array.isArray(body)) {
    throw errors.patchValidation([`the body must be a JSON array of patch operations (got ${describe(body)})`], about);
  }
  if (body.length === 0) throw errors.emptyBody();
  return body.map((raw, i): Op<T> => {
    if (!isPlainObject(raw)) throw errors.patchValidation([`operation [${i}] must be an object (got ${describe(raw)})`], about);
    if (typeof raw.op !== "string") throw errors.patchValidation([`operation [${i}] has no "op" string`], about);
    const op = raw.op.toLowerCase();
    if (op !== "add" && op !== "replace" && op !== "remove") throw errors.unsupportedOp(raw.op, about);
    if (typeof raw.path !== "string") throw errors.patchValidation([`operation [${i}] (${op}) has no "path" string`], about);
    const target = resolve(raw.path);
    if (op !== "remove" && !Object.hasOwn(raw, "value")) {
      throw errors.patchValidation([`operation [${i}] (${op} ${raw.path}) has no "value"`], about);
    }
    return { op, path: raw.path, target, value: raw.value };
  });
}

/** A connection's patch: /connectionSpec is FLOW-1414, paths other than the patchable ones FLOW-1455. */
export function parsePatch(body: unknown, connectionId?: string): PatchOp[] {
  return parseOps(body, connectionId, (path) => resolveTarget(path, connectionId));
}

/**
 * Applies the ops in order to a copy of `doc` with RFC 6902 semantics (replace/remove need the
 * member to exist; add on an existing member replaces it). Throws FLOW-1455 on the first failure;
 * `doc` itself is never modified, so a rejected patch changes nothing.
 */
export function applyPatch(doc: PatchDoc, ops: PatchOp[], connectionId?: string): PatchDoc {
  const next: PatchDoc = clone(doc);
  const fail = (msg: string): FlowError => errors.patchValidation([msg], connectionId);
  for (const { op, path, target, value } of ops) {
    switch (target.kind) {
      case "name":
        if (op === "remove") throw fail(`cannot remove ${path}: the connection name is required`);
        if (typeof value !== "string" || value.trim() === "") throw fail(`${op} ${path}: the name must be a non-empty string`);
        next.name = value;
        break;
      case "description":
        if (op !== "add" && next.description === undefined) {
          throw fail(`${op} ${path}: the connection has no description (use "add" to set one)`);
        }
        if (op === "remove") {
          delete next.description;
        } else {
          if (typeof value !== "string") throw fail(`${op} ${path}: the description must be a string (got ${describe(value)})`);
          next.description = value;
        }
        break;
      case "params":
        if (op === "remove") throw fail(`cannot remove ${path}: auth.params is required`);
        if (!isPlainObject(value)) throw fail(`${op} ${path}: the value must be an object of params (got ${describe(value)})`);
        next.params = clone(value);
        break;
      case "param": {
        const exists = Object.hasOwn(next.params, target.key);
        if (op !== "add" && !exists) {
          throw fail(`Missing field "${target.key}": ${op} ${path} targets a param the connection does not have`);
        }
        if (op === "remove") delete next.params[target.key];
        else setOwn(next.params, target.key, clone(value));
        break;
      }
    }
  }
  return next;
}
