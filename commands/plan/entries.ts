// One plan entry per resource and action: what `up` will send for a create, a delete, a
// replacement or an update, computed with the provider's own diff and planner.
import { containsUnknown, UNKNOWN } from "../../provider/core/check";
import { diffConnection } from "../../provider/core/diff";
import { storedOutputs } from "../../provider/core/mappings";
import { changedSecrets, maskOps, replacementReasons, SECRET_MASK, UNVERIFIED } from "../../provider/core/planner";
import type { ConnectionOutputs } from "../../provider/core/schemas";
import { writesCredentials } from "../../provider/core/verification";
import type { PlanEntry } from "./plan";
import { isObject, StateJson } from "./preview";

export function createEntry(base: Pick<PlanEntry, "urn" | "resourceName">, inputs: Record<string, unknown>): PlanEntry {
  const adoptId = str(inputs.adoptId);
  if (adoptId !== undefined) {
    return {
      ...base,
      action: "adopt",
      connectionId: adoptId,
      name: str(inputs.name),
      test: testStep(
        inputs,
        `GET /connections/${adoptId}/test if the PATCH writes credentials`,
        "it is PATCHed back to what was read (never deleted)",
        true,
      ),
      notes: [
        "no connection is created: `up` reads this one and patches it to match the program " +
          "(the patch depends on its live values; every secret param is sent again, since Flow Service never returns secrets)",
      ],
    };
  }
  return {
    ...base,
    action: "create",
    name: str(inputs.name),
    body: createBody(inputs),
    test: testStep(inputs, "GET /connections/{new id}/test", "the new connection is deleted"),
  };
}

/**
 * The credential test after a write (resources/verify.ts), unless the resource turns it off. The
 * stack's flowservice:verifyCredentials is not in the preview, so a resource that does not say is
 * described with that condition.
 */
function testStep(inputs: Record<string, unknown>, request: string, undo: string, existing = false): string | undefined {
  if (inputs.verifyCredentials === false) return undefined;
  const unless = inputs.verifyCredentials === true ? "" : " (unless flowservice:verifyCredentials is false)";
  return `${request}${unless}; if the source system refuses the credentials, ${undo} and \`up\` fails${existing ? retriggerStep(inputs) : ""}`;
}

/**
 * After an update's passing test: the re-trigger of failed runs (resources/retriggerRuns.ts), for a
 * resource that sets retriggerFailedRuns (the stack's flowservice:retriggerFailedRuns is not in the preview).
 */
function retriggerStep(inputs: Record<string, unknown>): string {
  if (inputs.retriggerFailedRuns !== true) return "";
  return "; once it passes, POST /runs/{id}/action?op=re-trigger for each run of the dataflows reading through it that failed on credentials since their last run that did not fail";
}

/** The POST /connections body the provider sends for these inputs (operations.ts), secrets masked. */
function createBody(inputs: Record<string, unknown>): Record<string, unknown> {
  const auth = isObject(inputs.auth) ? inputs.auth : {};
  const body: Record<string, unknown> = { name: inputs.name };
  if (inputs.description !== undefined) body.description = inputs.description;
  body.connectionSpec = inputs.connectionSpec;
  body.auth = { specName: auth.specName, params: maskParams(auth.params, secretKeysOf(inputs)) };
  return body;
}

export function deleteEntry(base: Pick<PlanEntry, "urn" | "resourceName">, oldState: StateJson): PlanEntry {
  const outs = oldState.outputs ?? {};
  const entry: PlanEntry = { ...base, action: "delete", connectionId: idOf(oldState), name: str(outs.name) };
  if (keptOnDelete(outs)) entry.keptRemotely = true;
  return entry;
}

/** The provider's rule (operations.ts, deleteConnection): delete what the stack created, keep what it adopted, unless deleteOnDestroy says otherwise. */
function keptOnDelete(outs: Record<string, unknown>): boolean {
  const deleteOnDestroy = typeof outs.deleteOnDestroy === "boolean" ? outs.deleteOnDestroy : undefined;
  return !(deleteOnDestroy ?? outs.adopted !== true);
}

export function replaceEntry(
  base: Pick<PlanEntry, "urn" | "resourceName">,
  oldState: StateJson,
  newState: StateJson,
  engineReasons: string[],
): PlanEntry {
  const olds = storedOutputs(oldState.outputs ?? {});
  const news = newState.inputs ?? {};
  const next = {
    connectionSpec: isObject(news.connectionSpec) ? (news.connectionSpec as ConnectionOutputs["connectionSpec"]) : olds.connectionSpec,
    auth: { specName: str((news.auth as { specName?: unknown } | undefined)?.specName) ?? olds.auth.specName },
    adoptId: str(news.adoptId),
    sandboxName: news.sandboxName === UNKNOWN ? undefined : str(news.sandboxName),
  };
  // The planner's reasons, as the provider's diff gave them to the engine; the engine's own list
  // covers what the planner cannot see (a `replaceOnChanges` option, `--target-replace`).
  const reasons = replacementReasons(olds, next);
  for (const r of engineReasons) if (!reasons.includes(r)) reasons.push(r);
  const details: string[] = [];
  if (reasons.includes("connectionSpec")) {
    details.push(
      `connectionSpec: ${specLabel(olds.connectionSpec)} → ${specLabel(next.connectionSpec)} (Flow Service cannot patch a connection's connector)`,
    );
  }
  if (reasons.includes("auth")) details.push(`auth.specName: ${show(olds.auth.specName)} → ${show(next.auth.specName)}`);
  if (reasons.includes("adoptId")) details.push(`adoptId: ${show(olds.adoptId)} → ${show(next.adoptId)}`);
  const moves =
    reasons.includes("sandboxName") &&
    olds.sandboxName !== undefined &&
    next.sandboxName !== undefined &&
    olds.sandboxName !== next.sandboxName;
  if (reasons.includes("sandboxName")) {
    const why =
      news.__sandboxFromStack === true ? "the stack's default flowservice:sandboxName changed" : "the program's sandboxName changed";
    details.push(`sandboxName: ${show(olds.sandboxName)} → ${show(next.sandboxName)} (${why}; a connection cannot move between sandboxes)`);
  }
  const entry: PlanEntry = {
    ...base,
    action: "replace",
    connectionId: idOf(oldState),
    name: str(news.name) ?? olds.name,
    replaceReasons: reasons,
    replaceDetails: details,
  };
  if (next.adoptId === undefined) entry.body = createBody(news);
  entry.test =
    next.adoptId === undefined
      ? testStep(news, "GET /connections/{new id}/test", "the new connection is deleted (the old one is kept)")
      : testStep(
          news,
          `GET /connections/${next.adoptId}/test if the adoption's PATCH writes credentials`,
          "it is PATCHed back (the old connection is kept)",
        );
  const old = entry.connectionId ? `the old connection ${entry.connectionId}` : "the old connection";
  const inNew = moves ? ` in sandbox ${next.sandboxName}` : "";
  const inOld = moves ? ` in sandbox ${olds.sandboxName}` : "";
  const notes = [
    next.adoptId !== undefined
      ? `the replacement adopts connection ${next.adoptId}${inNew}`
      : `a new connection is created first${inNew} (POST /connections)`,
  ];
  if (keptOnDelete(oldState.outputs ?? {})) {
    entry.keptRemotely = true;
    notes.push(`then ${old}${inOld} leaves the stack but stays in Flow Service (no DELETE: it was adopted, or deleteOnDestroy is false)`);
  } else {
    notes.push(`then ${old} is deleted${moves ? ` from sandbox ${olds.sandboxName}` : ""} (DELETE)`);
  }
  entry.notes = notes;
  return entry;
}

export function updateEntry(base: Pick<PlanEntry, "urn" | "resourceName">, oldState: StateJson, newState: StateJson): PlanEntry {
  // Like the provider's diff: from the OLD OUTPUTS (the state last applied) to the NEW INPUTS.
  const rawOlds = oldState.outputs ?? {};
  const news = newState.inputs ?? {};
  const olds = storedOutputs(rawOlds);
  const entry: PlanEntry = {
    ...base,
    action: "update",
    connectionId: idOf(oldState),
    name: str(news.name) ?? olds.name,
    ifMatch: str(rawOlds.etag),
  };
  if (containsUnknown(news)) {
    entry.pending = true;
    entry.test = testStep(
      news,
      `GET /connections/${entry.connectionId}/test if the patch writes credentials`,
      "the PATCH is rolled back",
      true,
    );
    entry.notes = ["some values are known only during `up` (outputs of other resources): the exact patch is decided then"];
    return entry;
  }
  const oldParams = olds.auth.params as Record<string, unknown>;
  const newAuth = isObject(news.auth) ? news.auth : {};
  if (!isObject(oldParams) || !isObject(newAuth.params)) {
    entry.notes = ["auth.params is a secret as a whole in this preview: the patch cannot be shown"];
    return entry;
  }
  const newParams: Record<string, unknown> = { ...newAuth.params };
  const notes: string[] = [];
  const changed = changedSecrets(oldState.inputs?.__secretVersions, news.__secretVersions);
  const { oldSide, newSide } = alignSecrets(oldParams, newParams, secretKeysOf(news), changed, notes);
  const aligned = { ...news, auth: { ...newAuth, params: newSide } };
  const d = diffConnection(
    { ...olds, auth: { ...olds.auth, params: oldSide } } as ConnectionOutputs,
    aligned,
    rawOlds.__provider,
    news.__provider,
  );
  entry.ops = maskOps(d.ops, [...new Set([...(secretKeysOf(rawOlds) ?? []), ...(secretKeysOf(news) ?? [])])]).map((op) =>
    // Belt and braces: a param whose secret keys are unknown is masked too.
    secretKeysOf(news) === undefined && op.path.startsWith("/auth/params/") && "value" in op ? { ...op, value: SECRET_MASK } : op,
  );
  if (writesCredentials(entry.ops))
    entry.test = testStep(news, `GET /connections/${entry.connectionId}/test`, "the PATCH is rolled back", true);
  if (entry.ops.length === 0) {
    const why: string[] = [];
    if (rawOlds.__provider !== undefined && news.__provider !== undefined && rawOlds.__provider !== news.__provider)
      why.push("provider code");
    if ((rawOlds.deleteOnDestroy ?? null) !== (news.deleteOnDestroy ?? null)) why.push("deleteOnDestroy");
    if ((rawOlds.verifyCredentials ?? null) !== (news.verifyCredentials ?? null)) why.push("verifyCredentials");
    if ((rawOlds.retriggerFailedRuns ?? null) !== (news.retriggerFailedRuns ?? null)) why.push("retriggerFailedRuns");
    if ([...olds.secretKeys].sort().join() !== [...(secretKeysOf(news) ?? [])].sort().join()) why.push("secretKeys");
    entry.stateOnly = why.length > 0 ? why : ["state"];
  }
  if (notes.length > 0) entry.notes = notes;
  return entry;
}

/**
 * Both sides' params with every secret value replaced, so the planner sees a secret change exactly
 * when the provider would send one. Preview masks a secret as "[secret]" on both sides, so for a
 * masked key the secret versions recorded by `check` decide (`__secretVersions`: a number per
 * secret, bumped when its value changes; see planner.secretVersions): a changed key gets
 * UNVERIFIED on the old side (it equals nothing, so the planner emits its op) and "[secret]" on the
 * new; any other gets "[secret]" on both (no op). An added or removed key shows by its presence; a
 * value the preview left readable is compared as it is (and masked when printed).
 */
function alignSecrets(
  oldParams: Record<string, unknown>,
  newParams: Record<string, unknown>,
  newSecretKeys: string[] | undefined,
  secretChanges: string[] | undefined,
  notes: string[],
): { oldSide: Record<string, unknown>; newSide: Record<string, unknown> } {
  const oldSide = { ...oldParams };
  const newSide = { ...newParams };
  const changed = secretChanges ? new Set(secretChanges) : undefined;
  const unsure: string[] = [];
  for (const k of Object.keys(newParams)) {
    const o = oldParams[k];
    const n = newParams[k];
    // undefined: the preview does not show the secret keys, so any param may be secret.
    const secretNow = newSecretKeys ? newSecretKeys.includes(k) : undefined;
    if (!(k in oldParams)) {
      if (secretNow !== false) newSide[k] = SECRET_MASK;
    } else if (changed?.has(k)) {
      oldSide[k] = UNVERIFIED;
      newSide[k] = SECRET_MASK;
    } else if (secretNow === false && n !== SECRET_MASK) {
      if (o === SECRET_MASK) {
        // It stops being secret: its old value is masked, so whether it changes cannot be seen.
        oldSide[k] = UNVERIFIED;
        notes.push(`auth.params.${k} was secret and no longer is: its old value cannot be compared, so it is listed as sent`);
      }
    } else if (o !== SECRET_MASK && n !== SECRET_MASK) {
      // Readable on both sides (a program that did not mark it secret): compared as the provider does.
      if (secretNow === true) {
        oldSide[k] = o === n ? SECRET_MASK : UNVERIFIED;
        newSide[k] = SECRET_MASK;
      }
    } else {
      oldSide[k] = SECRET_MASK;
      newSide[k] = SECRET_MASK;
      if (!changed) unsure.push(k);
    }
  }
  for (const k of Object.keys(oldParams)) if (!(k in newParams)) oldSide[k] = SECRET_MASK; // removed: its value is never sent
  if (unsure.length > 0) {
    notes.push(
      `the preview does not say whether secret params ${unsure.join(", ")} change (no __secretVersions: inputs checked by an older provider): ` +
        "they are left out of the ops above and `up` may send them",
    );
  }
  return { oldSide, newSide };
}

// ---- Helpers --------------------------------------------------------------------------------

export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

export function idOf(state: StateJson | undefined): string | undefined {
  return str(state?.id) ?? str(state?.outputs?.connectionId);
}

/** The secret param names, or undefined when the preview does not show them as a list. */
function secretKeysOf(props: Record<string, unknown>): string[] | undefined {
  const k = props.secretKeys;
  return Array.isArray(k) && k.every((x) => typeof x === "string") ? (k as string[]) : undefined;
}

function maskParams(params: unknown, secretKeys: string[] | undefined): unknown {
  if (!isObject(params)) return SECRET_MASK;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) out[k] = !secretKeys || secretKeys.includes(k) ? SECRET_MASK : v;
  return out;
}

function show(v: unknown): string {
  return v === undefined ? "(none)" : JSON.stringify(v);
}

function specLabel(s: { id?: string; version?: string } | undefined): string {
  return s ? `${s.id ?? "?"}${s.version ? ` v${s.version}` : ""}` : "(none)";
}
