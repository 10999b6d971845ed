// The patch planner: pure functions from (last applied desired state, new desired state) to the
// smallest RFC 6902 patch Flow Service accepts. Shared by the provider (what `up` sends) and the
// `flowservice-plan` command (what a reviewer reads), so the two can never disagree.
import { JsonObject, maskDocOps, planDocPatch, SECRET_MASK, UNVERIFIED, escapePointerToken, unescapePointerToken } from "./docPlanner";
import type { Params, PatchOp } from "./schemas";

export { SECRET_MASK, UNVERIFIED, escapePointerToken, unescapePointerToken };

/** The fields of a connection that a PATCH can change (name, description, auth params). */
export interface PatchableFields {
  name: string;
  description?: string;
  params: Params;
}

/** Where a connection's secrets live in its document: the ops' paths are JSON Pointers into it. */
export const CONNECTION_SECRET_PARENT = ["auth", "params"] as const;

/** The document Flow Service patches for a connection (what its entity description edits). */
export function patchDocument(d: PatchableFields): JsonObject {
  const doc: JsonObject = { name: d.name };
  if (d.description !== undefined) doc.description = d.description;
  doc.auth = { params: { ...d.params } };
  return doc;
}

/**
 * The smallest patch turning `old` into `next`: `add` for a field that was absent, `replace` for
 * one that changed, `remove` for one the program dropped; per-key `/auth/params/<key>` ops with
 * RFC 6901 escaping, so a rotation sends only the rotated credential.
 */
export function planPatch(old: PatchableFields, next: PatchableFields): PatchOp[] {
  return inPatchOrder(planDocPatch(patchDocument(old), patchDocument(next)));
}

/** A connection's ops in a stable order for readers and tests: name, description, then params by key. */
export function inPatchOrder(ops: PatchOp[]): PatchOp[] {
  return ops.sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path));
}

function rank(path: string): number {
  if (path === "/name") return 0;
  if (path === "/description") return 1;
  return 2;
}

/** The param key an op touches, or undefined for /name and /description. */
export function paramKeyOf(op: PatchOp): string | undefined {
  const prefix = "/auth/params/";
  return op.path.startsWith(prefix) ? unescapePointerToken(op.path.slice(prefix.length)) : undefined;
}

/** The same ops with every secret param value replaced by `[secret]`: safe to print or log. */
export function maskOps(ops: PatchOp[], secretKeys: readonly string[]): PatchOp[] {
  return maskDocOps(ops, CONNECTION_SECRET_PARENT, secretKeys);
}

/**
 * A version number per secret param: kept while the value is unchanged, bumped when it changes
 * (1 for a new one). Recorded in the inputs (`__secretVersions`) so that a plan rendered from
 * `pulumi preview --json`, where every secret reads `[secret]`, still knows which secrets will be
 * sent, without any value, hash or length of a secret being stored. Unlike a list of "changed"
 * names it is stable: an unchanged program yields identical inputs, so the engine has nothing to
 * rewrite in its checkpoint.
 */
export function secretVersions(
  oldParams: Params | undefined,
  oldVersions: Record<string, number> | undefined,
  newParams: Params,
  secretKeys: readonly string[],
): Record<string, number> {
  const versions: Record<string, number> = {};
  for (const k of [...secretKeys].sort()) {
    if (!(k in newParams)) continue;
    const previous = oldVersions?.[k] ?? 0;
    const same = oldParams !== undefined && k in oldParams && oldParams[k] === newParams[k];
    versions[k] = same && previous > 0 ? previous : previous + 1;
  }
  return versions;
}

/** The secret params whose version differs between two inputs; undefined when the new side has none. */
export function changedSecrets(oldVersions: unknown, newVersions: unknown): string[] | undefined {
  if (!newVersions || typeof newVersions !== "object") return undefined;
  const olds = (oldVersions && typeof oldVersions === "object" ? oldVersions : {}) as Record<string, unknown>;
  return Object.entries(newVersions as Record<string, unknown>)
    .filter(([k, v]) => olds[k] !== v)
    .map(([k]) => k)
    .sort();
}
