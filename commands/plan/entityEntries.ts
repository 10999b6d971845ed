// Plan entries for the pipeline resources (SourceConnection, TargetConnection, Dataflow): what
// `up` will send for a create, adopt, update, replace or delete, computed with the provider's own
// description-driven diff (core/checkDiff.ts), so what a reviewer reads is what `up` sends.
import { containsUnknown, UNKNOWN } from "../../provider/core/check";
import { maskDocOps } from "../../provider/core/docPlanner";
import { AnyDescription, getPath, secretHolder } from "../../provider/core/entity";
import { dataflow } from "../../provider/core/entities/dataflow";
import { sourceConnection } from "../../provider/core/entities/sourceConnection";
import { targetConnection } from "../../provider/core/entities/targetConnection";
import { diffEntity, entityReplacements } from "../../provider/core/checkDiff";
import { storedEntityOutputs } from "../../provider/core/state";
import { changedSecrets, SECRET_MASK, UNVERIFIED } from "../../provider/core/planner";
import type { PlanEntry } from "./plan";
import { isObject, StateJson } from "./preview";

/** The pipeline resources by type token, each with its description. */
export const ENTITY_TYPES: Readonly<Record<string, AnyDescription>> = Object.fromEntries(
  [sourceConnection, targetConnection, dataflow].map((d) => [`pulumi-nodejs:dynamic/flowservice:${d.kind}`, d]),
);

type Base = Pick<PlanEntry, "urn" | "resourceName">;

/** What a value known only during `up` reads as in a plan. */
export const KNOWN_AT_UP = "[known at up]";

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function secretKeysOf(props: Record<string, unknown>): string[] {
  return Array.isArray(props.secretKeys) ? props.secretKeys.filter((k): k is string => typeof k === "string") : [];
}

/** A copy with every unknown value shown as KNOWN_AT_UP. */
function shownUnknowns(v: unknown): unknown {
  if (v === UNKNOWN) return KNOWN_AT_UP;
  if (Array.isArray(v)) return v.map(shownUnknowns);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shownUnknowns(x)]));
  return v;
}

/** The POST body the provider sends for these inputs, secrets masked. */
function createBody(desc: AnyDescription, inputs: Record<string, unknown>): Record<string, unknown> {
  const body = shownUnknowns(desc.createBody(inputs as never)) as Record<string, unknown>;
  if (desc.secretParent) {
    const holder = secretHolder(desc, body);
    // Unknown secret names (not a list in the preview): every value under the parent is masked.
    const names = Array.isArray(inputs.secretKeys) ? secretKeysOf(inputs) : Object.keys(holder);
    for (const k of names) if (k in holder) holder[k] = SECRET_MASK;
  }
  return body;
}

function actionCall(desc: AnyDescription, id: string | undefined, op: string): string {
  return `POST /${desc.collection}/${id ?? "{id}"}/action?op=${op}`;
}

function common(desc: AnyDescription, base: Base, action: PlanEntry["action"], id: string | undefined, name: unknown): PlanEntry {
  const entry: PlanEntry = { ...base, action, resourceType: desc.kind, collection: desc.collection, name: str(name) };
  if (id !== undefined) entry.connectionId = id;
  return entry;
}

function keptOnDelete(outs: Record<string, unknown>): boolean {
  const deleteOnDestroy = typeof outs.deleteOnDestroy === "boolean" ? outs.deleteOnDestroy : undefined;
  return !(deleteOnDestroy ?? outs.adopted !== true);
}

export function entityCreateEntry(desc: AnyDescription, base: Base, inputs: Record<string, unknown>): PlanEntry {
  const adoptId = str(inputs.adoptId);
  if (adoptId !== undefined) {
    const entry = common(desc, base, "adopt", adoptId, inputs.name);
    entry.notes = [
      `nothing is created: \`up\` reads this ${desc.label.toLowerCase()} and patches it to match the program (the patch depends on its live values)`,
    ];
    return entry;
  }
  const entry = common(desc, base, "create", undefined, inputs.name);
  entry.body = createBody(desc, inputs);
  const actions = actionsAfterCreate(desc, inputs);
  if (actions.length > 0) entry.actions = actions;
  return entry;
}

/** What Flow Service does not set at create (a flow declared disabled) is one action call after it. */
function actionsAfterCreate(desc: AnyDescription, inputs: Record<string, unknown>): string[] {
  return (desc.actions ?? [])
    .filter(
      (a) =>
        !containsUnknown(getPath(inputs, a.field)) && JSON.stringify(a.desired(inputs as never)) !== JSON.stringify(a.desired({} as never)),
    )
    .map((a) => actionCall(desc, undefined, a.op(a.desired(inputs as never))));
}

export function entityDeleteEntry(desc: AnyDescription, base: Base, oldState: StateJson): PlanEntry {
  const outs = oldState.outputs ?? {};
  const entry = common(desc, base, "delete", str(oldState.id), outs.name);
  if (keptOnDelete(outs)) entry.keptRemotely = true;
  return entry;
}

export function entityReplaceEntry(
  desc: AnyDescription,
  base: Base,
  oldState: StateJson,
  newState: StateJson,
  engineReasons: string[],
): PlanEntry {
  const rawOlds = oldState.outputs ?? {};
  const olds = storedEntityOutputs(rawOlds);
  const news = newState.inputs ?? {};
  const reasons = entityReplacements(desc, olds, news);
  for (const r of engineReasons) if (!reasons.includes(r)) reasons.push(r);
  const entry = common(desc, base, "replace", str(oldState.id), news.name ?? olds.name);
  entry.replaceReasons = reasons;
  entry.replaceDetails = reasons.map((r) => `${r}: ${show(getPath(olds, r))} → ${show(shownUnknowns(getPath(news, r)))}`);
  const adoptId = str(news.adoptId);
  if (adoptId === undefined) {
    entry.body = createBody(desc, news);
    const actions = actionsAfterCreate(desc, news);
    if (actions.length > 0) entry.actions = actions;
  }
  const what = desc.label.toLowerCase();
  const old = entry.connectionId ? `the old ${what} ${entry.connectionId}` : `the old ${what}`;
  const notes = [
    adoptId !== undefined ? `the replacement adopts ${what} ${adoptId}` : `a new ${what} is created first (POST /${desc.collection})`,
  ];
  if (keptOnDelete(rawOlds)) {
    entry.keptRemotely = true;
    notes.push(`then ${old} leaves the stack but stays in Flow Service (no DELETE: it was adopted, or deleteOnDestroy is false)`);
  } else {
    notes.push(`then ${old} is deleted (DELETE), after what uses it has moved to the new one`);
  }
  entry.notes = notes;
  return entry;
}

export function entityUpdateEntry(desc: AnyDescription, base: Base, oldState: StateJson, newState: StateJson): PlanEntry {
  const rawOlds = oldState.outputs ?? {};
  const news = newState.inputs ?? {};
  const entry = common(desc, base, "update", str(oldState.id), news.name ?? rawOlds.name);
  entry.ifMatch = str(rawOlds.etag);
  if (containsUnknown(news)) {
    entry.pending = true;
    entry.notes = ["some values are known only during `up` (outputs of other resources): the exact patch is decided then"];
    return entry;
  }
  // Preview masks every secret as "[secret]" on both sides: the versions check recorded say which changed.
  const secretKeys = [...new Set([...secretKeysOf(rawOlds), ...secretKeysOf(news)])];
  const changed = new Set(changedSecrets(oldState.inputs?.__secretVersions, news.__secretVersions) ?? []);
  const olds = JSON.parse(JSON.stringify(rawOlds)) as Record<string, unknown>;
  const next = JSON.parse(JSON.stringify(news)) as Record<string, unknown>;
  if (desc.secretParent) {
    const [o, n] = [secretHolder(desc, olds), secretHolder(desc, next)];
    for (const k of secretKeys) {
      if (k in o && k in n) [o[k], n[k]] = changed.has(k) ? [UNVERIFIED, SECRET_MASK] : [SECRET_MASK, SECRET_MASK];
    }
  }
  const d = diffEntity(desc, storedEntityOutputs(olds), next, rawOlds.__provider, news.__provider);
  entry.ops = maskDocOps(d.ops, desc.secretParent ?? [], secretKeys);
  if (d.actions.length > 0) entry.actions = d.actions.map((a) => actionCall(desc, entry.connectionId, a.op));
  if (entry.ops.length === 0 && d.actions.length === 0) {
    const why: string[] = [];
    if (rawOlds.__provider !== undefined && news.__provider !== undefined && rawOlds.__provider !== news.__provider)
      why.push("provider code");
    if ((rawOlds.deleteOnDestroy ?? null) !== (news.deleteOnDestroy ?? null)) why.push("deleteOnDestroy");
    if (secretKeysOf(rawOlds).sort().join() !== secretKeysOf(news).sort().join()) why.push("secretKeys");
    entry.stateOnly = why.length > 0 ? why : ["state"];
  }
  return entry;
}

export function entityUnchangedEntry(desc: AnyDescription, base: Base, state: StateJson | undefined): PlanEntry {
  return common(desc, base, "unchanged", str(state?.id), (state?.outputs ?? state?.inputs)?.name);
}

function show(v: unknown): string {
  return v === undefined ? "(none)" : JSON.stringify(v);
}
