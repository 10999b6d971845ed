// One plan entry per resource and action, for every resource type: what `up` will send for a
// create, adopt, update, replace or delete, computed with the provider's own description-driven
// diff (core/entityCheck.ts), so what a reviewer reads is what `up` sends. What differs between a
// Connection, a SourceConnection, a TargetConnection and a Dataflow is their description (data):
// the collection, the create body, where secrets live, what forces a replacement, action fields.
import { jsonEqual, maskDocOps, pointerTokens } from "../../provider/core/docPlanner";
import { AnyDescription, getPath } from "../../provider/core/entity";
import { diffEntity, entityReplacements } from "../../provider/core/checkDiff";
import { storedEntityOutputs } from "../../provider/core/state";
import { changedSecrets } from "../../provider/core/planner";
import type { PatchOp } from "../../provider/core/schemas";
import { containsUnknown, UNKNOWN } from "../../provider/core/unknown";
import { isObject, StateJson } from "./preview";
import { alignSecrets, holderOf, maskBody, SECRET_MASK, secretKeysOf, shownUnknowns, withHolder } from "./secrets";

/** What a plan entry says `up` does to one object. */
export type Action = "create" | "update" | "replace" | "delete" | "adopt" | "unchanged";

/** One object in the plan: what `up` will send for it (the JSON format's `connections` entries). */
export interface PlanEntry {
  urn: string;
  resourceName: string;
  action: Action;
  /** Every resource: Connection, SourceConnection, TargetConnection or Dataflow. */
  type?: string;
  /** Every resource: how the program declares it, dynamic (pulumi-nodejs:dynamic/flowservice:*) or plugin (flowservice:index:*). */
  door?: "dynamic" | "plugin";
  /** Pipeline resources only: SourceConnection, TargetConnection or Dataflow (absent for a Connection). */
  resourceType?: string;
  /** Pipeline resources only: the API collection (sourceConnections, targetConnections, flows). */
  collection?: string;
  /** update, create: the action calls `up` makes beside the PATCH (a flow's ENABLE or DISABLE). */
  actions?: string[];
  /** The Flow Service id (for adopt: the one adopted). Unknown for a create. Any type, despite the name (kept for CI tools): see `id`. */
  connectionId?: string;
  /** The same as connectionId, named for what it is: the object's Flow Service id. */
  id?: string;
  /** The connection's display name after the change (before it, for a delete). */
  name?: string;
  /** The sandbox the change touches (for a replace: where the new connection is); undefined when not known before `up`. */
  sandboxName?: string;
  /** replace: the sandbox of the old connection, when the connection moves to another sandbox. */
  fromSandboxName?: string;
  /** update: the PATCH body `up` sends, secrets masked; [] when `up` sends no request. */
  ops?: PatchOp[];
  /** update: the version sent as If-Match. */
  ifMatch?: string;
  /** create: the POST body, secrets masked. */
  body?: Record<string, unknown>;
  /** replace: the properties that force it (connectionSpec, auth, adoptId, sandboxName). */
  replaceReasons?: string[];
  /** replace: each reason with its old and new value, for people. */
  replaceDetails?: string[];
  /** delete, replace: the old connection stays in Flow Service (no DELETE is sent). */
  keptRemotely?: boolean;
  /** update with no request: what changes in Pulumi's state only. */
  stateOnly?: string[];
  /** The credential test `up` makes after the write (create, adopt, replace, an update touching /auth). */
  test?: string;
  /** update: part of the patch depends on values known only during `up`. */
  pending?: boolean;
  notes?: string[];
}

export type Base = Pick<PlanEntry, "urn" | "resourceName" | "type" | "door">;

export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** The Flow Service id of a state: its id, or (state of early releases) the id output. */
function idOf(desc: AnyDescription, state: StateJson | undefined): string | undefined {
  return str(state?.id) ?? (desc.idOutput ? str(state?.outputs?.[desc.idOutput]) : undefined);
}

const what = (desc: AnyDescription) => desc.label.toLowerCase();

function common(desc: AnyDescription, base: Base, action: PlanEntry["action"], id: string | undefined, name: unknown): PlanEntry {
  const entry: PlanEntry = { ...base, action, name: str(name) };
  // resourceType and collection name the pipeline resources only, as they always have (CI tools
  // read their absence as "a connection"); `type` names every resource.
  if (desc.collection !== "connections") Object.assign(entry, { resourceType: desc.kind, collection: desc.collection });
  if (id !== undefined) Object.assign(entry, { connectionId: id, id });
  return entry;
}

/**
 * The credential test after a write (resources/verify.ts), for the resources whose description
 * says they verify credentials, unless the resource turns it off.
 * The stack's flowservice:verifyCredentials is not in the preview: a resource that does not say is
 * described with that condition.
 */
function testStep(
  desc: AnyDescription,
  inputs: Record<string, unknown>,
  request: string,
  undo: string,
  existing = false,
): string | undefined {
  if (!desc.verifiesCredentials || inputs.verifyCredentials === false) return undefined;
  const unless = inputs.verifyCredentials === true ? "" : " (unless flowservice:verifyCredentials is false)";
  return `${request}${unless}; if the source system refuses the credentials, ${undo} and \`up\` fails${existing ? retriggerStep(inputs) : ""}`;
}

/**
 * After an existing object's passing test: the re-trigger of failed runs (resources/retriggerRuns.ts), for a
 * resource that sets retriggerFailedRuns (the stack's flowservice:retriggerFailedRuns is not in the preview).
 */
function retriggerStep(inputs: Record<string, unknown>): string {
  if (inputs.retriggerFailedRuns !== true) return "";
  return "; once it passes, POST /runs/{id}/action?op=re-trigger for each run of the dataflows reading through it that failed on credentials since their last run that did not fail";
}

const testUrl = (desc: AnyDescription, id: string | undefined) => `GET /${desc.collection}/${id ?? "{new id}"}/test`;

/** The POST body the provider sends for these inputs, secrets masked, values known at `up` marked. */
function createBody(desc: AnyDescription, inputs: Record<string, unknown>): Record<string, unknown> {
  return maskBody(desc, shownUnknowns(desc.createBody(inputs as never)) as Record<string, unknown>, secretKeysOf(inputs));
}

function actionCall(desc: AnyDescription, id: string | undefined, op: string): string {
  return `POST /${desc.collection}/${id ?? "{id}"}/action?op=${op}`;
}

/** What Flow Service does not set at create (a flow declared disabled) is one action call after it. */
function actionsAfterCreate(desc: AnyDescription, inputs: Record<string, unknown>): string[] {
  return (desc.actions ?? [])
    .filter((a) => !containsUnknown(getPath(inputs, a.field)) && !jsonEqual(a.desired(inputs as never), a.desired({} as never)))
    .map((a) => actionCall(desc, undefined, a.op(a.desired(inputs as never))));
}

/** The provider's rule: delete what the stack created, keep what it adopted, unless deleteOnDestroy says otherwise. */
function keptOnDelete(outs: Record<string, unknown>): boolean {
  const deleteOnDestroy = typeof outs.deleteOnDestroy === "boolean" ? outs.deleteOnDestroy : undefined;
  return !(deleteOnDestroy ?? outs.adopted !== true);
}

export function createEntry(desc: AnyDescription, base: Base, inputs: Record<string, unknown>): PlanEntry {
  const adoptId = str(inputs.adoptId);
  if (adoptId !== undefined) {
    const entry = common(desc, base, "adopt", adoptId, inputs.name);
    const test = testStep(
      desc,
      inputs,
      `${testUrl(desc, adoptId)} if the PATCH writes credentials`,
      "it is PATCHed back to what was read (never deleted)",
      true,
    );
    if (test) entry.test = test;
    const resent = desc.secretParent ? "; every secret param is sent again, since Flow Service never returns secrets" : "";
    entry.notes = [
      `no ${what(desc)} is created: \`up\` reads this one and patches it to match the program (the patch depends on its live values${resent})`,
    ];
    return entry;
  }
  const entry = common(desc, base, "create", undefined, inputs.name);
  entry.body = createBody(desc, inputs);
  const actions = actionsAfterCreate(desc, inputs);
  if (actions.length > 0) entry.actions = actions;
  const test = testStep(desc, inputs, testUrl(desc, undefined), `the new ${what(desc)} is deleted`);
  if (test) entry.test = test;
  return entry;
}

export function deleteEntry(desc: AnyDescription, base: Base, oldState: StateJson): PlanEntry {
  const outs = oldState.outputs ?? {};
  const entry = common(desc, base, "delete", idOf(desc, oldState), outs.name);
  if (keptOnDelete(outs)) entry.keptRemotely = true;
  return entry;
}

export function unchangedEntry(desc: AnyDescription, base: Base, state: StateJson | undefined): PlanEntry {
  return common(desc, base, "unchanged", idOf(desc, state), (state?.outputs ?? state?.inputs)?.name);
}

/** A value as a reason's detail shows it: a spec as "id vVERSION", anything else as JSON. */
function show(v: unknown): string {
  if (v === undefined) return "(none)";
  const keys = isObject(v) ? Object.keys(v) : [];
  if (isObject(v) && typeof v.id === "string" && keys.every((k) => k === "id" || k === "version"))
    return `${v.id}${typeof v.version === "string" ? ` v${v.version}` : ""}`;
  return JSON.stringify(shownUnknowns(v));
}

/** Each reason with its old and new value; a reason that groups replaceOn paths (a Connection's `auth`) by those paths. */
function replaceDetails(desc: AnyDescription, reasons: string[], olds: Record<string, unknown>, news: Record<string, unknown>): string[] {
  return reasons.flatMap((r) => {
    if (r === "sandboxName") {
      const why =
        news.__sandboxFromStack === true ? "the stack's default flowservice:sandboxName changed" : "the program's sandboxName changed";
      return [`sandboxName: ${show(olds.sandboxName)} → ${show(news.sandboxName)} (${why}; a ${what(desc)} cannot move between sandboxes)`];
    }
    const paths = desc.replaceOn.includes(r) ? [r] : desc.replaceOn.filter((p) => p.startsWith(`${r}.`));
    return (paths.length > 0 ? paths : [r]).map((p) => `${p}: ${show(getPath(olds, p))} → ${show(getPath(news, p))}`);
  });
}

export function replaceEntry(
  desc: AnyDescription,
  base: Base,
  oldState: StateJson,
  newState: StateJson,
  engineReasons: string[],
): PlanEntry {
  const rawOlds = oldState.outputs ?? {};
  const olds = storedEntityOutputs(rawOlds);
  const news = newState.inputs ?? {};
  // The description's reasons, as the provider's diff gives them to the engine; the engine's own
  // list covers what the provider cannot see (a `replaceOnChanges` option, `--target-replace`).
  const reasons = entityReplacements(desc, olds, news);
  // A preview made by another provider version may name the same reason at another depth ("auth", "auth.specName").
  const named = (r: string) => reasons.some((x) => x === r || x.startsWith(`${r}.`) || r.startsWith(`${x}.`));
  for (const r of engineReasons) if (!named(r)) reasons.push(r);
  const entry = common(desc, base, "replace", idOf(desc, oldState), news.name ?? olds.name);
  entry.replaceReasons = reasons;
  entry.replaceDetails = replaceDetails(desc, reasons, olds as unknown as Record<string, unknown>, news);
  const adoptId = str(news.adoptId);
  const [from, to] = [str(olds.sandboxName), news.sandboxName === UNKNOWN ? undefined : str(news.sandboxName)];
  const moves = reasons.includes("sandboxName") && from !== undefined && to !== undefined && from !== to;
  if (adoptId === undefined) {
    entry.body = createBody(desc, news);
    const actions = actionsAfterCreate(desc, news);
    if (actions.length > 0) entry.actions = actions;
  }
  const test =
    adoptId === undefined
      ? testStep(desc, news, testUrl(desc, undefined), `the new ${what(desc)} is deleted (the old one is kept)`)
      : testStep(
          desc,
          news,
          `${testUrl(desc, adoptId)} if the adoption's PATCH writes credentials`,
          "it is PATCHed back (the old one is kept)",
        );
  if (test) entry.test = test;
  const old = entry.connectionId ? `the old ${what(desc)} ${entry.connectionId}` : `the old ${what(desc)}`;
  const notes = [
    adoptId !== undefined
      ? `the replacement adopts ${what(desc)} ${adoptId}${moves ? ` in sandbox ${to}` : ""}`
      : `a new ${what(desc)} is created first${moves ? ` in sandbox ${to}` : ""} (POST /${desc.collection})`,
  ];
  if (keptOnDelete(rawOlds)) {
    entry.keptRemotely = true;
    notes.push(
      `then ${old}${moves ? ` in sandbox ${from}` : ""} leaves the stack but stays in Flow Service (no DELETE: it was adopted, or deleteOnDestroy is false)`,
    );
  } else {
    notes.push(`then ${old} is deleted${moves ? ` from sandbox ${from}` : ""} (DELETE)`);
  }
  entry.notes = notes;
  return entry;
}

/** A write that changes what the credential test checks: an op under the secret parent. */
function writesSecrets(desc: AnyDescription, ops: readonly PatchOp[]): boolean {
  const parent = desc.secretParent ?? [];
  return parent.length > 0 && ops.some((op) => parent.every((t, i) => pointerTokens(op.path)[i] === t));
}

export function updateEntry(desc: AnyDescription, base: Base, oldState: StateJson, newState: StateJson): PlanEntry {
  // Like the provider's diff: from the OLD OUTPUTS (the state last applied) to the NEW INPUTS.
  const rawOlds = oldState.outputs ?? {};
  const news = newState.inputs ?? {};
  const entry = common(desc, base, "update", idOf(desc, oldState), news.name ?? rawOlds.name);
  entry.ifMatch = str(rawOlds.etag);
  const test = (ops?: PatchOp[]) =>
    testStep(
      desc,
      news,
      `${testUrl(desc, entry.connectionId)}${ops ? "" : " if the patch writes credentials"}`,
      "the PATCH is rolled back",
      true,
    );
  if (containsUnknown(news)) {
    entry.pending = true;
    const t = test();
    if (t) entry.test = t;
    entry.notes = ["some values are known only during `up` (outputs of other resources): the exact patch is decided then"];
    return entry;
  }
  const notes: string[] = [];
  let [olds, next] = [rawOlds, news];
  if (desc.secretParent) {
    const [oldHolder, newHolder] = [holderOf(desc, rawOlds), holderOf(desc, news)];
    const where = desc.secretParent.join(".");
    if ((oldHolder !== undefined && !isObject(oldHolder)) || (newHolder !== undefined && !isObject(newHolder))) {
      entry.notes = [`${where} is a secret as a whole in this preview: the patch cannot be shown`];
      return entry;
    }
    const changed = changedSecrets(oldState.inputs?.__secretVersions, news.__secretVersions);
    const o = (oldHolder ?? {}) as Record<string, unknown>;
    const n = (newHolder ?? {}) as Record<string, unknown>;
    const { oldSide, newSide } = alignSecrets(o, n, secretKeysOf(news), changed, notes, where);
    olds = withHolder(desc, rawOlds, oldSide);
    next = withHolder(desc, news, newSide);
  }
  const d = diffEntity(desc, storedEntityOutputs(olds), next, rawOlds.__provider, news.__provider);
  const secretKeys = [...new Set([...(secretKeysOf(rawOlds) ?? []), ...(secretKeysOf(news) ?? [])])];
  const parent = desc.secretParent ?? [];
  entry.ops = maskDocOps(d.ops, parent, secretKeys).map((op) =>
    // Belt and braces: with the secret names unknown, every value under the secret parent is masked.
    secretKeysOf(news) === undefined && writesSecrets(desc, [op]) && "value" in op ? { ...op, value: SECRET_MASK } : op,
  );
  if (d.actions.length > 0) entry.actions = d.actions.map((a) => actionCall(desc, entry.connectionId, a.op));
  if (writesSecrets(desc, entry.ops)) {
    const t = test(entry.ops);
    if (t) entry.test = t;
  }
  if (entry.ops.length === 0 && d.actions.length === 0) {
    const why: string[] = [];
    if (rawOlds.__provider !== undefined && news.__provider !== undefined && rawOlds.__provider !== news.__provider)
      why.push("provider code");
    for (const k of ["deleteOnDestroy", ...(desc.stateInputs ?? [])]) if ((rawOlds[k] ?? null) !== (news[k] ?? null)) why.push(k);
    if ([...(secretKeysOf(rawOlds) ?? [])].sort().join() !== [...(secretKeysOf(news) ?? [])].sort().join()) why.push("secretKeys");
    entry.stateOnly = why.length > 0 ? why : ["state"];
  }
  if (notes.length > 0) entry.notes = notes;
  return entry;
}
