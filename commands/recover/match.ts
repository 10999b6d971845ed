// Which live object is the orphan of a pending create: pure rules, no I/O, for every resource type
// by its description (core/entity.ts), whichever door declared it.
//
// An object is a candidate for a pending create only if it could have been made by that create
// and by nothing else the user owns: the same create (the description's `sameCreate`: name, spec,
// and what tells a replacement's old object from the new one), the same readable fields (those
// drift compares; secrets cannot be read back); created by this client, in the resource's
// sandbox, since the interrupted run began; and not held by this stack's state or by any other
// stack's state that could be read. One candidate is taken; two or more are reported, never guessed.
import type { JsonObject } from "../../provider/core/docPlanner";
import { AnyDescription, declaredMatch, getPath, liveInputs, LiveObject, readableFields } from "../../provider/core/entity";
import { isSecretValue, type Interrupted, type PendingCreate, type StackExport } from "./export";

/** What a secret value of the stack export (encrypted, unreadable) reads as here: it equals nothing and is never compared. */
export type { PendingCreate };

const UNREADABLE = "\u0000flowservice:unreadable-secret";

function readable(v: unknown): unknown {
  if (isSecretValue(v)) return UNREADABLE;
  if (Array.isArray(v)) return v.map(readable);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, readable(x)]));
  return v;
}

const holdsSecret = (v: unknown): boolean =>
  v === UNREADABLE || (typeof v === "object" && v !== null && Object.values(v).some(holdsSecret));

/** A copy of `body` without the object under the description's secret parent (where secrets belong). */
function withoutSecretHolder(desc: AnyDescription, body: JsonObject): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
  const parent = desc.secretParent ?? [];
  let at: unknown = copy;
  for (const t of parent.slice(0, -1)) at = at && typeof at === "object" ? (at as Record<string, unknown>)[t] : undefined;
  if (parent.length > 0 && at && typeof at === "object") delete (at as Record<string, unknown>)[parent[parent.length - 1]];
  return copy;
}

/** Reads a pending create's inputs; a string says why it cannot be matched. */
export function pendingCreateOf(op: Interrupted, defaultSandbox: string): PendingCreate | string {
  const type = op.resourceType;
  if (!type) return `${op.resource.type} is not a resource type of this version of flowservice-recover`;
  const desc = type.description;
  const inputs = readable(op.resource.inputs ?? {}) as Record<string, unknown>;
  if (holdsSecret(inputs.name) || holdsSecret(inputs.description))
    return "its name or description is a secret, so it cannot be compared with what Flow Service lists";
  let body: JsonObject;
  try {
    body = desc.createBody(inputs as never);
  } catch (e) {
    return `its inputs do not make a create request (${(e as Error).message})`;
  }
  if (typeof body.name !== "string") return "its inputs lack a name";
  // What identifies the create must be readable: only values under the secret parent may be secret.
  const hidden = Object.entries(withoutSecretHolder(desc, body)).filter(([, v]) => holdsSecret(v));
  if (hidden.length > 0)
    return `its ${hidden.map(([k]) => k).join(", ")} ${hidden.length === 1 ? "is" : "are"} secret, so it cannot be compared with what Flow Service lists`;
  const secretKeys = Array.isArray(inputs.secretKeys) ? inputs.secretKeys.filter((k): k is string => typeof k === "string") : [];
  return {
    urn: op.urn,
    resourceName: op.resourceName,
    desc,
    door: type.door,
    body,
    inputs,
    secretKeys,
    // The resource's own sandbox when its inputs record one, else the stack's.
    sandbox: typeof inputs.sandboxName === "string" && inputs.sandboxName !== "" ? inputs.sandboxName : defaultSandbox,
    adoptId: typeof inputs.adoptId === "string" ? inputs.adoptId : undefined,
  };
}

export interface MatchRule {
  /** Flow Service `createdAt` (ms) from which an object may be the interrupted run's. */
  notBefore: number;
  clientId: string;
  /** Ids held by this stack's state or another stack's: never an orphan. */
  excluded: ReadonlySet<string>;
}

/** Whether a live object is the same create as the pending one, whatever its name (for --take). */
export function sameKind(c: LiveObject, p: PendingCreate): boolean {
  return p.desc.sameCreate(c, { ...p.body, name: c.name ?? "" } as never);
}

/**
 * The first readable field (as drift compares them) whose live value is not the pending create's.
 * Fields set by action calls after the create (a flow's `enabled`) are not compared: a run killed
 * between the POST and the action left them at Flow Service's default.
 */
function differingField(c: LiveObject, p: PendingCreate): string | undefined {
  const mine = readableFields(p.desc, p.inputs, p.secretKeys);
  const theirs = readableFields(p.desc, liveInputs(p.desc, c, p.secretKeys), p.secretKeys);
  const afterCreate = new Set((p.desc.actions ?? []).map((a) => a.field));
  for (const field of [...new Set([...mine.keys(), ...theirs.keys()])]) {
    const [a, b] = [mine.get(field), theirs.get(field)];
    if (afterCreate.has(field) || holdsSecret(a)) continue;
    const fixed = p.desc.replaceOn.some((r) => field === r || field.startsWith(`${r}.`));
    if (fixed ? !declaredMatch(a, b) : JSON.stringify(a) !== JSON.stringify(b)) return field;
  }
  return undefined;
}

/** Why a listed object is not the orphan of this pending create; undefined when it may be. */
export function mismatch(c: LiveObject, p: PendingCreate, rule: MatchRule): string | undefined {
  if (rule.excluded.has(c.id)) return "held by a stack's state";
  if (c.name !== p.body.name) return "another name";
  if (!p.desc.sameCreate(c, p.body as never)) return `another ${p.desc.replaceOn.join(" or ")}`;
  if (c.sandboxName !== undefined && c.sandboxName !== p.sandbox) return "another sandbox";
  if (c.createdClient !== rule.clientId) return `created by another client (${c.createdClient ?? "unknown"})`;
  if (c.createdAt === undefined || c.createdAt < rule.notBefore) return "created before the interrupted run";
  const field = differingField(c, p);
  if (field === "description") return "another description";
  return field === undefined ? undefined : `another value of ${field}`;
}

export type Decision =
  | { urn: string; outcome: "recovered"; object: LiveObject; chosen: boolean }
  | { urn: string; outcome: "not-created" }
  | { urn: string; outcome: "adopt"; adoptId: string }
  | { urn: string; outcome: "ambiguous"; candidates: LiveObject[] }
  | { urn: string; outcome: "undecidable"; reason: string }
  /** A later `up` created the resource again (it is in state): nothing of the interrupted run's is left. */
  | { urn: string; outcome: "in-state"; stateId: string }
  /** A later `up` created it again, and the interrupted run's object exists too: which one stays is the user's call. */
  | { urn: string; outcome: "superseded"; stateId: string; candidates: LiveObject[] };

/**
 * The decision for every pending create, from the objects listed for it. An object that is a
 * candidate of two pending creates decides neither. `chosen` holds the user's --take choices,
 * already checked by the caller; `inState` the pending creates whose resource a later `up` created
 * again (URN → the id in state).
 */
export function decide(
  pending: ReadonlyArray<PendingCreate | { urn: string; reason: string }>,
  listed: ReadonlyMap<string, readonly LiveObject[]>,
  rule: MatchRule,
  chosen: ReadonlyMap<string, LiveObject> = new Map(),
  inState: ReadonlyMap<string, string> = new Map(),
): Decision[] {
  const chosenIds = new Set([...chosen.values()].map((c) => c.id));
  const candidates = new Map<string, LiveObject[]>();
  for (const p of pending) {
    if ("reason" in p || p.adoptId || chosen.has(p.urn)) continue;
    const found = (listed.get(p.urn) ?? []).filter((c) => !chosenIds.has(c.id) && mismatch(c, p, rule) === undefined);
    candidates.set(p.urn, [...new Map(found.map((c) => [c.id, c])).values()]);
  }
  const claims = new Map<string, number>();
  for (const list of candidates.values()) for (const c of list) claims.set(c.id, (claims.get(c.id) ?? 0) + 1);
  return pending.map((p): Decision => {
    const chosenOne = chosen.get(p.urn);
    if (chosenOne) return { urn: p.urn, outcome: "recovered", object: chosenOne, chosen: true };
    if ("reason" in p) return { urn: p.urn, outcome: "undecidable", reason: p.reason };
    if (p.adoptId) return { urn: p.urn, outcome: "adopt", adoptId: p.adoptId };
    const list = candidates.get(p.urn) ?? [];
    const stateId = inState.get(p.urn);
    if (stateId !== undefined)
      return list.length === 0
        ? { urn: p.urn, outcome: "in-state", stateId }
        : { urn: p.urn, outcome: "superseded", stateId, candidates: list };
    if (list.length === 0) return { urn: p.urn, outcome: "not-created" };
    if (list.length > 1 || (claims.get(list[0].id) ?? 0) > 1) return { urn: p.urn, outcome: "ambiguous", candidates: list };
    return { urn: p.urn, outcome: "recovered", object: list[0], chosen: false };
  });
}

/**
 * Pending creates whose resource the state holds with the same values of what forces a
 * replacement (the description's replaceOn, and adoptId): an `up` after the interruption created
 * it again (Pulumi keeps pending creates until they are resolved). With other such values, the
 * pending create was a replacement instead.
 */
export function createdAgain(exp: StackExport, creates: readonly Interrupted[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const op of creates) {
    const desc = op.resourceType?.description;
    if (!desc) continue;
    const key = (i: Record<string, unknown> | undefined) =>
      JSON.stringify([...desc.replaceOn.map((r) => getPath(i, r)), i?.adoptId ?? null]);
    const held = (exp.deployment.resources ?? []).find((r) => r.urn === op.urn && !r.delete && r.id);
    if (held && key(held.inputs) === key(op.resource.inputs)) out.set(op.urn, held.id as string);
  }
  return out;
}

/**
 * The list filters that find a pending create's orphans, narrowest first: each next one is tried
 * when Flow Service refuses a filter (400); the matching (mismatch) stays the same, wider queries
 * only cost requests. Time ranges only where Flow Service documents them.
 */
export function searchFilters(p: PendingCreate, notBefore: number): string[][] {
  const own = p.desc.searchFilters(p.body as never);
  const name = String(p.body.name);
  // A comma means any-of in a filter and cannot be escaped: such names are matched by mismatch().
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a name with a control character cannot go in a filter
  const named = /^[^,\u0000-\u001f\u007f]+$/.test(name) ? [`name==${name}`] : [];
  const since = p.desc.equalityFiltersOnly ? [] : [`createdAt>=${notBefore}`];
  return [[...named, ...since, ...own], own, []];
}
