// `check` and `diff` for any entity, as pure functions of its description: no network and no
// credentials, so previews of pull requests run them.
import { addRuleResults, CheckFailure, CheckOutcome, containsUnknown, UNKNOWN } from "./unknown";
import { JsonObject, jsonEqual, planDocPatch } from "./docPlanner";
import { AnyDescription, CommonInputs, declaredMatch, EntityOutputs, getPath, isEmptyValue, secretHolder } from "./entity";
import { sizeRule } from "./limits";
import { plainJson } from "./state";
import { secretVersions } from "./planner";
import type { Params, PatchOp } from "./schemas";
import { SANDBOX_NAME_RULE } from "./vocabulary";

/** Whether the value at `path`, or one of its parents, is unknown until `up`. */
function unknownAlong(value: unknown, path: readonly PropertyKey[]): boolean {
  let v: unknown = value;
  for (const k of path) {
    if (v === UNKNOWN) return true;
    if (v === null || typeof v !== "object") return false;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v === UNKNOWN;
}

/** What `check` takes from the stack's configuration (the host configures the provider before it checks). */
export interface StackDefaults {
  /** flowservice:sandboxName, the sandbox of every object that declares none. */
  sandboxName?: string;
}

function reasonFor(desc: AnyDescription, property: string, issue: { message: string; code: string }, raw: Record<string, unknown>): string {
  const { message, code } = issue;
  if (property === "sandboxName") {
    const rule = code === "invalid_type" ? `must be a string: ${SANDBOX_NAME_RULE}` : message;
    return raw.__sandboxFromStack
      ? `comes from the stack's flowservice:sandboxName (${JSON.stringify(raw.sandboxName)}), which ${rule}. Fix it with 'pulumi config set flowservice:sandboxName NAME' (or AEP_SANDBOX_NAME), or declare sandboxName on the ${desc.label.toLowerCase()}`
      : `${raw.sandboxName === "" ? "" : `${JSON.stringify(raw.sandboxName)} `}${rule}. Leave sandboxName out to use the stack's flowservice:sandboxName`;
  }
  const holder = desc.secretParent?.join(".");
  if (holder && property.startsWith(`${holder}.`)) {
    // Worded for every language: the same check serves TypeScript, Python, Go and YAML programs.
    return `${message}: each ${holder.replace(/\./g, " ").replace(/s$/, "")} must be a string, number or boolean (to keep one secret, mark it secret in the program or take it from secret stack config)`;
  }
  if (code === "invalid_type" && getPath(raw, property) === undefined) return `is required (${message})`;
  return message;
}

/**
 * Validates the program's args into failures that name the property and the fix, and normalizes
 * them into the inputs the engine stores. Values unknown until `up` are checked then.
 */
export function checkEntity(
  desc: AnyDescription,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  now = Date.now(),
  stack: StackDefaults = {},
): CheckOutcome {
  const raw: Record<string, unknown> = {};
  for (const k of desc.inputKeys) if (news[k] !== undefined) raw[k] = news[k];
  // The effective sandbox is recorded, so that `diff` (which has no configuration) sees a move of
  // every object that relies on the stack's default when that default changes: one rule for all.
  if (raw.sandboxName === undefined && stack.sandboxName !== undefined) {
    raw.sandboxName = stack.sandboxName;
    raw.__sandboxFromStack = true;
  }
  const failures: CheckFailure[] = [];
  const parsed = desc.inputs.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (unknownAlong(raw, issue.path)) continue;
      const property = issue.path.join(".") || "(args)";
      // One reason per property: an empty sandbox name is too short and malformed at once.
      if (failures.some((f) => f.property === property)) continue;
      failures.push({ property, reason: reasonFor(desc, property, issue, raw) });
    }
  }
  // Every problem at once, not one per preview.
  const warnings: CheckFailure[] = [];
  addRuleResults([...(desc.validate?.(raw, olds ?? {}, now) ?? []), ...sizeRule(raw)], failures, warnings);
  const inputs = parsed.success && !containsUnknown(raw) ? plainJson(parsed.data as Record<string, unknown>) : raw;
  // Secret versions need only the secrets known (other values may be known only at `up`).
  const secretsKnown = !containsUnknown(getPath(raw, (desc.secretParent ?? []).join("."))) && !containsUnknown(raw.secretKeys);
  if (desc.secretParent && failures.length === 0 && secretsKnown) {
    const oldHolder = olds && Object.keys(olds).length > 0 ? (secretHolder(desc, olds) as Params) : undefined;
    inputs.__secretVersions = secretVersions(
      oldHolder,
      olds?.__secretVersions as Record<string, number> | undefined,
      secretHolder(desc, inputs) as Params,
      (inputs as CommonInputs).secretKeys ?? [],
    );
  }
  return { inputs, failures, warnings };
}

interface EntityDiff {
  changes: boolean;
  /** Inputs that force a new object (their dotted names). */
  replaces: string[];
  /** The PATCH `update` would send (empty when unknown values leave it undecided). */
  ops: PatchOp[];
  /** The action calls `update` would make: `op` per action field that changes. */
  actions: Array<{ field: string; op: string }>;
}

/**
 * The replacement rule, once for every resource: why a change needs a new object. What Flow
 * Service cannot patch (`replaceOn`) changed: a member the program declares differs from the
 * applied one (members it leaves out, such as a spec's version Flow Service filled in, keep the
 * applied value), or a declared value is dropped; the adopted id; the sandbox (sandboxMove).
 */
export function entityReplacements(desc: AnyDescription, olds: EntityOutputs, news: Record<string, unknown>): string[] {
  const reasons: string[] = [];
  for (const label of desc.replaceOn) {
    const next = getPath(news, label);
    // Unknown until `up`: an id not known yet belongs to a new object.
    const old = getPath(olds, label);
    const same = isEmptyValue(next) ? isEmptyValue(old) : declaredMatch(next, old);
    if (containsUnknown(next) || !same) reasons.push(label);
  }
  if (news.adoptId === UNKNOWN || (olds.adoptId ?? "") !== (news.adoptId ?? "")) reasons.push("adoptId");
  reasons.push(...sandboxMove(olds, news));
  return reasons;
}

/**
 * The sandbox rule, once for every resource: an object lives in its declared sandbox, or else in
 * the stack's (check records which); a different one is a new object there, the old one deleted.
 * A sandbox known only at `up` is decided then; state without a sandbox (earlier releases) never moves.
 */
function sandboxMove(olds: { sandboxName?: string }, news: Record<string, unknown>): string[] {
  const next = news.sandboxName;
  if (next === undefined || containsUnknown(next) || olds.sandboxName === undefined) return [];
  return next !== olds.sandboxName ? ["sandboxName"] : [];
}

/** The PATCH between two documents of an entity: the one planner of diff, update and adopt. */
export function planEntityPatch(desc: AnyDescription, old: JsonObject, next: JsonObject): PatchOp[] {
  return desc.planPatch ? desc.planPatch(old, next) : planDocPatch(old, next, { atomic: desc.atomic });
}

export function diffEntity(
  desc: AnyDescription,
  olds: EntityOutputs,
  news: Record<string, unknown>,
  oldProvider?: unknown,
  newProvider?: unknown,
): EntityDiff {
  const replaces = entityReplacements(desc, olds, news);
  if (containsUnknown(news)) return { changes: true, replaces, ops: [], actions: [] };
  const parsed = desc.inputs.safeParse(news);
  const next = (parsed.success ? parsed.data : news) as CommonInputs;
  const ops = planEntityPatch(desc, desc.document(olds), desc.document(next));
  const actions = (desc.actions ?? [])
    .filter((a) => !jsonEqual(a.desired(olds), a.desired(next)))
    .map((a) => ({ field: a.field, op: a.op(a.desired(next)) }));
  const changes =
    replaces.length > 0 ||
    ops.length > 0 ||
    actions.length > 0 ||
    ["deleteOnDestroy", ...(desc.stateInputs ?? [])].some((k) => (getPath(olds, k) ?? null) !== (getPath(next, k) ?? null)) ||
    [...(olds.secretKeys ?? [])].sort().join() !== [...(next.secretKeys ?? [])].sort().join() ||
    // A new provider version reaches state only through an update (which sends nothing if the plan is empty).
    (oldProvider !== undefined && newProvider !== undefined && oldProvider !== newProvider);
  return { changes, replaces, ops, actions };
}
