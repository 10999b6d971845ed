// Which live connection is the orphan of a pending create: pure rules, no I/O.
//
// A connection is a candidate for a pending create only if it could have been made by that create
// and by nothing else the user owns: the same name, connector, auth spec, description and readable
// params as the pending inputs; created by this client, in the resource's sandbox, since the
// interrupted run began; and not held by this stack's state or by any other stack's state that
// could be read. One candidate is taken; two or more are reported, never guessed.
import type { FlowConnection } from "../../provider/core/schemas";
import { isSecretValue, type Interrupted } from "./export";

/** A pending create, as far as matching needs it. */
export interface PendingCreate {
  urn: string;
  resourceName: string;
  name: string;
  description?: string;
  specId: string;
  authSpec: string;
  /** Params whose values can be compared (not secret). */
  readableParams: Record<string, unknown>;
  secretKeys: string[];
  sandbox: string;
  adoptId?: string;
}

/** Reads a pending create's inputs; a string says why it cannot be matched. */
export function pendingCreateOf(op: Interrupted, defaultSandbox: string): PendingCreate | string {
  // biome-ignore lint/suspicious/noExplicitAny: the inputs of a stack export are untyped JSON, read member by member below
  const i = (op.resource.inputs ?? {}) as Record<string, any>;
  if (isSecretValue(i.name) || isSecretValue(i.description))
    return "its name or description is a secret, so it cannot be compared with what Flow Service lists";
  if (typeof i.name !== "string" || typeof i.connectionSpec?.id !== "string" || typeof i.auth?.specName !== "string") {
    return "its inputs lack a name, connectionSpec.id or auth.specName";
  }
  const secretKeys: string[] = Array.isArray(i.secretKeys) ? i.secretKeys.filter((k: unknown) => typeof k === "string") : [];
  const readableParams: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((i.auth.params ?? {}) as Record<string, unknown>)) {
    if (!secretKeys.includes(k) && !isSecretValue(v)) readableParams[k] = v;
  }
  return {
    urn: op.urn,
    resourceName: op.resourceName,
    name: i.name,
    description: typeof i.description === "string" ? i.description : undefined,
    specId: i.connectionSpec.id,
    authSpec: i.auth.specName,
    readableParams,
    secretKeys,
    // The resource's own sandbox when its inputs record one, else the stack's.
    sandbox: typeof i.sandboxName === "string" && i.sandboxName !== "" ? i.sandboxName : defaultSandbox,
    adoptId: typeof i.adoptId === "string" ? i.adoptId : undefined,
  };
}

export interface MatchRule {
  /** Flow Service `createdAt` (ms) from which a connection may be the interrupted run's. */
  notBefore: number;
  clientId: string;
  /** Ids held by this stack's state or another stack's: never an orphan. */
  excluded: ReadonlySet<string>;
}

/** Why a listed connection is not the orphan of this pending create; undefined when it may be. */
export function mismatch(c: FlowConnection, p: PendingCreate, rule: MatchRule): string | undefined {
  if (rule.excluded.has(c.id)) return "held by a stack's state";
  if (c.name !== p.name) return "another name";
  if (c.connectionSpec.id !== p.specId) return "another connector";
  if (c.auth?.specName !== p.authSpec) return "another auth spec";
  if (c.sandboxName !== undefined && c.sandboxName !== p.sandbox) return "another sandbox";
  if (c.createdClient !== rule.clientId) return `created by another client (${c.createdClient ?? "unknown"})`;
  if (c.createdAt === undefined || c.createdAt < rule.notBefore) return "created before the interrupted run";
  if ((c.description ?? undefined) !== p.description) return "another description";
  const live = (c.auth?.params ?? {}) as Record<string, unknown>;
  const keys = new Set([...Object.keys(p.readableParams), ...Object.keys(live).filter((k) => !p.secretKeys.includes(k))]);
  for (const k of keys) if (JSON.stringify(live[k]) !== JSON.stringify(p.readableParams[k])) return `another value of auth.params.${k}`;
  return undefined;
}

export type Decision =
  | { urn: string; outcome: "recovered"; connection: FlowConnection; chosen: boolean }
  | { urn: string; outcome: "not-created" }
  | { urn: string; outcome: "adopt"; adoptId: string }
  | { urn: string; outcome: "ambiguous"; candidates: FlowConnection[] }
  | { urn: string; outcome: "undecidable"; reason: string }
  /** A later `up` created the resource again (it is in state): nothing of the interrupted run's is left. */
  | { urn: string; outcome: "in-state"; stateId: string }
  /** A later `up` created it again, and the interrupted run's connection exists too: which one stays is the user's call. */
  | { urn: string; outcome: "superseded"; stateId: string; candidates: FlowConnection[] };

/**
 * The decision for every pending create, from the connections listed for it. A connection that is
 * a candidate of two pending creates decides neither. `chosen` holds the user's --take choices,
 * already checked by the caller; `inState` the pending creates whose resource a later `up` created
 * again (URN → the id in state).
 */
export function decide(
  pending: ReadonlyArray<PendingCreate | { urn: string; reason: string }>,
  listed: ReadonlyMap<string, readonly FlowConnection[]>,
  rule: MatchRule,
  chosen: ReadonlyMap<string, FlowConnection> = new Map(),
  inState: ReadonlyMap<string, string> = new Map(),
): Decision[] {
  const chosenIds = new Set([...chosen.values()].map((c) => c.id));
  const candidates = new Map<string, FlowConnection[]>();
  for (const p of pending) {
    if ("reason" in p || p.adoptId || chosen.has(p.urn)) continue;
    const found = (listed.get(p.urn) ?? []).filter((c) => !chosenIds.has(c.id) && mismatch(c, p, rule) === undefined);
    candidates.set(p.urn, [...new Map(found.map((c) => [c.id, c])).values()]);
  }
  const claims = new Map<string, number>();
  for (const list of candidates.values()) for (const c of list) claims.set(c.id, (claims.get(c.id) ?? 0) + 1);
  return pending.map((p): Decision => {
    const chosenOne = chosen.get(p.urn);
    if (chosenOne) return { urn: p.urn, outcome: "recovered", connection: chosenOne, chosen: true };
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
    return { urn: p.urn, outcome: "recovered", connection: list[0], chosen: false };
  });
}

/** The list filters that find a pending create's orphans (equality only: Flow Service may refuse ranges). */
export function searchFilters(p: PendingCreate): string[] {
  const filters = [`connectionSpec.id==${p.specId}`];
  // A comma means any-of in a filter and cannot be escaped: such names are matched by mismatch().
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a name with a control character cannot go in a filter
  if (/^[^,\u0000-\u001f\u007f]+$/.test(p.name)) filters.unshift(`name==${p.name}`);
  return filters;
}
