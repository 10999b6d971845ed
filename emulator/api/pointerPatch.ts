// JSON Patch (RFC 6902) for source connections, target connections and flows: any RFC 6901
// pointer below the kind's patchable top-level members, on objects and arrays alike
// ("/transformations/0", "/params/path", "/scheduleParams/interval"). The result is checked by the
// kind afterwards; a rejected patch changes nothing, as the ops apply to a copy.
import { type FlowError, type Resource, errors } from "./errors";
import { type Op, clone, describe, isPlainObject, parseOps, parsePointer } from "./patch";
import { setOwn } from "../data/secrets";

export interface PatchRules {
  /** Top-level members a PATCH may touch, and everything below them. */
  roots: readonly string[];
  /** Top-level members with a documented error of their own (a flow's flowSpec → 1414). */
  frozen?: Record<string, (path: string) => FlowError>;
  /** Appended to the 1455 message for any other path. */
  hint?: string;
}

export type PointerOp = Op<string[]>;

export function parsePointerPatch(body: unknown, about: Resource, rules: PatchRules): PointerOp[] {
  return parseOps(body, about, (path) => {
    const tokens = parsePointer(path);
    if (tokens === undefined) throw errors.patchValidation([`path '${path}' is not a valid JSON Pointer (RFC 6901)`], about);
    const root = tokens[0];
    if (root !== undefined && rules.frozen && Object.hasOwn(rules.frozen, root)) throw rules.frozen[root](path);
    if (root === undefined || !rules.roots.includes(root)) {
      const patchable = rules.roots.map((r) => `/${r}`).join(", ");
      throw errors.patchValidation(
        [`path '${path}' cannot be patched; patchable paths are ${patchable} and the paths below them${rules.hint ?? ""}`],
        about,
      );
    }
    return tokens;
  });
}

function child(parent: unknown, token: string): unknown {
  if (Array.isArray(parent)) return /^(0|[1-9]\d*)$/.test(token) ? parent[Number(token)] : undefined;
  if (isPlainObject(parent)) return Object.hasOwn(parent, token) ? parent[token] : undefined;
  return undefined;
}

/** Applies the ops in order to a copy of `doc`; throws FLOW-1455 naming the first op that cannot apply. */
export function applyPointerPatch(doc: Record<string, unknown>, ops: PointerOp[], about: Resource): Record<string, unknown> {
  const next = clone(doc);
  const fail = (msg: string): FlowError => errors.patchValidation([msg], about);
  for (const { op, path, target: tokens, value } of ops) {
    let parent: unknown = next;
    for (const [i, t] of tokens.slice(0, -1).entries()) {
      parent = child(parent, t);
      if (parent === undefined) throw fail(`${op} ${path}: /${tokens.slice(0, i + 1).join("/")} does not exist`);
    }
    const key = tokens[tokens.length - 1];
    if (Array.isArray(parent)) {
      if (op === "add" && key === "-") {
        parent.push(clone(value));
        continue;
      }
      if (!/^(0|[1-9]\d*)$/.test(key)) throw fail(`${op} ${path}: '${key}' is not an array index`);
      const i = Number(key);
      if (op === "add") {
        if (i > parent.length) throw fail(`add ${path}: index ${i} is past the end of the array (length ${parent.length})`);
        parent.splice(i, 0, clone(value));
      } else {
        if (i >= parent.length) throw fail(`${op} ${path}: the array has no element ${i} (length ${parent.length})`);
        if (op === "replace") parent[i] = clone(value);
        else parent.splice(i, 1);
      }
    } else if (isPlainObject(parent)) {
      if (op !== "add" && !Object.hasOwn(parent, key))
        throw fail(`Missing field "${key}": ${op} ${path} targets a member that does not exist`);
      if (op === "remove") delete parent[key];
      else setOwn(parent, key, clone(value));
    } else {
      throw fail(`${op} ${path}: its parent is ${describe(parent)}, not an object or array`);
    }
  }
  return next;
}
