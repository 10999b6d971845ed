// `check` and `diff` for any entity, as pure functions of its description: no network and no
// credentials, so previews of pull requests run them.
import { addRuleResults, CheckFailure, CheckOutcome, containsUnknown, UNKNOWN } from "./unknown";
import { jsonEqual, planDocPatch } from "./docPlanner";
import { AnyDescription, CommonInputs, EntityOutputs, getPath, isEmptyValue, secretHolder } from "./entity";
import { plainJson } from "./entityState";
import { sizeRule } from "./limits";
import { secretVersions } from "./planner";
import type { Params, PatchOp } from "./schemas";

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

function reasonFor(message: string, code: string, input: unknown): string {
  if (code === "invalid_type" && input === undefined) return `is required (${message})`;
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
): CheckOutcome {
  const raw: Record<string, unknown> = {};
  for (const k of desc.inputKeys) if (news[k] !== undefined) raw[k] = news[k];
  const failures: CheckFailure[] = [];
  const parsed = desc.inputs.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (unknownAlong(raw, issue.path)) continue;
      const input = getPath(raw, issue.path.map(String).join("."));
      failures.push({ property: issue.path.join(".") || "(args)", reason: reasonFor(issue.message, issue.code, input) });
    }
  }
  // Every problem at once, not one per preview.
  const warnings: CheckFailure[] = [];
  addRuleResults([...(desc.validate?.(raw, olds ?? {}, now) ?? []), ...sizeRule(raw)], failures, warnings);
  if (!parsed.success || containsUnknown(raw)) return { inputs: raw, failures, warnings };
  const inputs = plainJson(parsed.data as Record<string, unknown>);
  if (desc.secretParent) {
    const i = parsed.data as CommonInputs;
    const oldHolder = olds && Object.keys(olds).length > 0 ? (secretHolder(desc, olds) as Params) : undefined;
    inputs.__secretVersions = secretVersions(
      oldHolder,
      olds?.__secretVersions as Record<string, number> | undefined,
      secretHolder(desc, i) as Params,
      i.secretKeys,
    );
  }
  return { inputs, failures, warnings };
}

export interface EntityDiff {
  changes: boolean;
  /** Inputs that force a new object (their dotted names). */
  replaces: string[];
  /** The PATCH `update` would send (empty when unknown values leave it undecided). */
  ops: PatchOp[];
  /** The action calls `update` would make: `op` per action field that changes. */
  actions: Array<{ field: string; op: string }>;
}

/** Why a change needs a new object: what Flow Service cannot patch, the adopted id, the sandbox. */
export function entityReplacements(desc: AnyDescription, olds: EntityOutputs, news: Record<string, unknown>): string[] {
  if (desc.replacements) return desc.replacements(olds, news);
  const reasons: string[] = [];
  for (const label of desc.replaceOn) {
    const next = getPath(news, label);
    // Unknown until `up`: an id not known yet belongs to a new object.
    const old = getPath(olds, label);
    if (containsUnknown(next) || !((isEmptyValue(old) && isEmptyValue(next)) || jsonEqual(old, next))) reasons.push(label);
  }
  if (news.adoptId === UNKNOWN || (olds.adoptId ?? "") !== (news.adoptId ?? "")) reasons.push("adoptId");
  // An object stays in the sandbox it was created in unless the program names another.
  if (news.sandboxName !== undefined && news.sandboxName !== olds.sandboxName) reasons.push("sandboxName");
  return reasons;
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
  const ops = desc.planPatch ? desc.planPatch(olds, next) : planDocPatch(desc.document(olds), desc.document(next), { atomic: desc.atomic });
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
