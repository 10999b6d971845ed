// `flowservice-plan`, the pure part: from the output of `pulumi preview --json` to a plan of what
// `up` will send to Flow Service, and its three renderings. No I/O here (see planCli.ts).
//
// The plan is computed with the provider's own `diff` (diff.ts → planner.ts), so what a reviewer
// reads is what `up` sends. It is built only from the preview's JSON, where Pulumi has already
// replaced every secret value with "[secret]"; values of params named in `secretKeys` are masked
// again here in case a program did not mark one secret.
import { diffConnection } from "./diff";
import { changedSecrets, maskOps, replacementReasons, SECRET_MASK, UNVERIFIED } from "./planner";
import type { ConnectionOutputs, PatchOp } from "./schemas";
import { containsUnknown } from "./validate";

export const CONNECTION_TYPE = "pulumi-nodejs:dynamic/flowservice:Connection";

export type Action = "create" | "update" | "replace" | "delete" | "adopt" | "unchanged";
/** The order of the JSON summary (as documented). */
export const ACTIONS: readonly Action[] = ["create", "update", "replace", "delete", "adopt", "unchanged"];
/** The order in which connections are listed: what appears, what changes, what goes. */
const LISTING_ORDER: readonly Action[] = ["create", "adopt", "update", "replace", "delete", "unchanged"];

export interface PlanEntry {
  urn: string;
  resourceName: string;
  action: Action;
  /** The Flow Service connection id (for adopt: the one adopted). Unknown for a create. */
  connectionId?: string;
  /** The connection's display name after the change (before it, for a delete). */
  name?: string;
  /** update: the PATCH body `up` sends, secrets masked; [] when `up` sends no request. */
  ops?: PatchOp[];
  /** update: the version sent as If-Match. */
  ifMatch?: string;
  /** create: the POST body, secrets masked. */
  body?: Record<string, unknown>;
  /** replace: the properties that force it (connectionSpec, auth, adoptId). */
  replaceReasons?: string[];
  /** replace: each reason with its old and new value, for people. */
  replaceDetails?: string[];
  /** delete, replace: the old connection stays in Flow Service (no DELETE is sent). */
  keptRemotely?: boolean;
  /** update with no request: what changes in Pulumi's state only. */
  stateOnly?: string[];
  /** update: part of the patch depends on values known only during `up`. */
  pending?: boolean;
  notes?: string[];
}

export type Summary = Record<Action, number>;

export interface Plan {
  /** Stack and project, from the URNs (absent when the preview lists no resource). */
  stack?: string;
  project?: string;
  connections: PlanEntry[];
  summary: Summary;
  /** Error diagnostics of a failed preview: the plan is then incomplete. */
  errors: string[];
}

// ---- The input: what `pulumi preview --json` prints -------------------------------------------

interface StateJson {
  urn?: string;
  type?: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

interface StepJson {
  op: string;
  urn: string;
  oldState?: StateJson;
  newState?: StateJson;
  replaceReasons?: string[];
}

export interface PreviewJson {
  steps?: StepJson[];
  diagnostics?: Array<{ urn?: string; message?: string; severity?: string }>;
  changeSummary?: Record<string, number>;
}

/** Thrown for input that is not the output of `pulumi preview --json`. */
export class PlanInputError extends Error {}

/** Parses and shape-checks the preview's JSON text. */
export function parsePreview(text: string): PreviewJson {
  if (text.trim() === "") throw new PlanInputError("the input is empty: expected the output of `pulumi preview --json`");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    // The parser's message quotes the input, which may be anything: only the position is kept.
    const at = /position (\d+)/.exec((e as Error).message);
    throw new PlanInputError(`the input is not JSON${at ? ` (at character ${at[1]})` : ""}: expected the output of \`pulumi preview --json\` (was --json given?)`);
  }
  if (!isObject(json) || (!("steps" in json) && !("diagnostics" in json) && !("changeSummary" in json))) {
    throw new PlanInputError("the input is JSON but not the output of `pulumi preview --json` (no steps, diagnostics or changeSummary)");
  }
  if ("steps" in json && json.steps !== undefined && !Array.isArray(json.steps)) {
    throw new PlanInputError("`steps` in the input is not a list: expected the output of `pulumi preview --json`");
  }
  for (const s of (json.steps as unknown[] | undefined) ?? []) {
    if (!isObject(s) || typeof s.op !== "string" || typeof s.urn !== "string") {
      throw new PlanInputError("a step in the input has no `op` or `urn`: expected the output of `pulumi preview --json`");
    }
  }
  return json as PreviewJson;
}

// ---- The plan -------------------------------------------------------------------------------

/** The URN's last part: `urn:pulumi:stack::project::type::name` → name. */
function resourceNameOf(urn: string): string {
  return urn.split("::").slice(3).join("::") || urn;
}

/** A step's resource type, from its states or (nested resources: `parent$child`) its URN. */
function typeOf(step: StepJson): string | undefined {
  return step.newState?.type ?? step.oldState?.type ?? step.urn.split("::")[2]?.split("$").pop();
}

export function buildPlan(preview: PreviewJson): Plan {
  const byUrn = new Map<string, StepJson[]>();
  for (const step of preview.steps ?? []) {
    if (typeOf(step) !== CONNECTION_TYPE) continue;
    byUrn.set(step.urn, [...(byUrn.get(step.urn) ?? []), step]);
  }
  const connections: PlanEntry[] = [];
  for (const [urn, steps] of byUrn) {
    const entry = entryFor(urn, steps);
    if (entry) connections.push(entry);
  }
  connections.sort((a, b) => LISTING_ORDER.indexOf(a.action) - LISTING_ORDER.indexOf(b.action) || a.resourceName.localeCompare(b.resourceName));
  const summary = Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Summary;
  for (const c of connections) summary[c.action]++;
  const first = preview.steps?.[0]?.urn.split("::");
  const errors = (preview.diagnostics ?? [])
    .filter((d) => d.severity === "error")
    .map((d) => (d.message ?? "").trim().replace(/^error:\s*/, ""))
    .filter((m) => m !== "");
  return {
    stack: first?.[0]?.replace(/^urn:pulumi:/, "") || undefined,
    project: first?.[1] || undefined,
    connections,
    summary,
    errors,
  };
}

/** Whether `up` will change anything this plan covers (the exit code 2). */
export function hasChanges(plan: Plan): boolean {
  return plan.connections.some((c) => c.action !== "unchanged");
}

/** Steps that say what `up` does; others (`refresh` before the change under --refresh, read, discard…) do not. */
const PLANNED_OPS = new Set(["create", "update", "delete", "same", "replace", "create-replacement", "delete-replaced"]);

function entryFor(urn: string, allSteps: StepJson[]): PlanEntry | undefined {
  const steps = allSteps.filter((s) => PLANNED_OPS.has(s.op));
  if (steps.length === 0) return undefined;
  const ops = new Set(steps.map((s) => s.op));
  const base = { urn, resourceName: resourceNameOf(urn) };
  // A replacement may be reported as one `replace` step or as its parts; it is one change.
  const replace = steps.find((s) => s.op === "replace") ?? steps.find((s) => s.op === "create-replacement");
  if (replace || ops.has("delete-replaced")) {
    const oldState = steps.map((s) => s.oldState).find((s) => s?.outputs) ?? {};
    const newState = steps.map((s) => s.newState).find((s) => s?.inputs) ?? {};
    return replaceEntry(base, oldState, newState, steps.flatMap((s) => s.replaceReasons ?? []));
  }
  const step = steps[steps.length - 1];
  switch (step.op) {
    case "create":
      return createEntry(base, step.newState?.inputs ?? {});
    case "update":
      return updateEntry(base, step.oldState ?? {}, step.newState ?? {});
    case "delete":
      return deleteEntry(base, step.oldState ?? {});
    case "same": {
      const outs = step.oldState?.outputs ?? step.newState?.outputs ?? {};
      return { ...base, action: "unchanged", connectionId: idOf(step.oldState), name: str(outs.name) };
    }
    default:
      return undefined;
  }
}

function createEntry(base: Pick<PlanEntry, "urn" | "resourceName">, inputs: Record<string, unknown>): PlanEntry {
  const adoptId = str(inputs.adoptId);
  if (adoptId !== undefined) {
    return {
      ...base,
      action: "adopt",
      connectionId: adoptId,
      name: str(inputs.name),
      notes: [
        "no connection is created: `up` reads this one and patches it to match the program " +
          "(the patch depends on its live values; every secret param is sent again, since Flow Service never returns secrets)",
      ],
    };
  }
  return { ...base, action: "create", name: str(inputs.name), body: createBody(inputs) };
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

function deleteEntry(base: Pick<PlanEntry, "urn" | "resourceName">, oldState: StateJson): PlanEntry {
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

function replaceEntry(
  base: Pick<PlanEntry, "urn" | "resourceName">,
  oldState: StateJson,
  newState: StateJson,
  engineReasons: string[],
): PlanEntry {
  const olds = outputsOf(oldState.outputs ?? {});
  const news = newState.inputs ?? {};
  const next = {
    connectionSpec: isObject(news.connectionSpec) ? (news.connectionSpec as ConnectionOutputs["connectionSpec"]) : olds.connectionSpec,
    auth: { specName: str((news.auth as { specName?: unknown } | undefined)?.specName) ?? olds.auth.specName },
    adoptId: str(news.adoptId),
  };
  // The planner's reasons, as the provider's diff gave them to the engine; the engine's own list
  // covers what the planner cannot see (a `replaceOnChanges` option, `--target-replace`).
  const reasons = replacementReasons(olds, next);
  for (const r of engineReasons) if (!reasons.includes(r)) reasons.push(r);
  const details: string[] = [];
  if (reasons.includes("connectionSpec")) {
    details.push(`connectionSpec: ${specLabel(olds.connectionSpec)} → ${specLabel(next.connectionSpec)} (Flow Service cannot patch a connection's connector)`);
  }
  if (reasons.includes("auth")) details.push(`auth.specName: ${show(olds.auth.specName)} → ${show(next.auth.specName)}`);
  if (reasons.includes("adoptId")) details.push(`adoptId: ${show(olds.adoptId)} → ${show(next.adoptId)}`);
  const entry: PlanEntry = {
    ...base,
    action: "replace",
    connectionId: idOf(oldState),
    name: str(news.name) ?? olds.name,
    replaceReasons: reasons,
    replaceDetails: details,
  };
  if (next.adoptId === undefined) entry.body = createBody(news);
  const old = entry.connectionId ? `the old connection ${entry.connectionId}` : "the old connection";
  const notes = [next.adoptId !== undefined ? `the replacement adopts connection ${next.adoptId}` : "a new connection is created first (POST /connections)"];
  if (keptOnDelete(oldState.outputs ?? {})) {
    entry.keptRemotely = true;
    notes.push(`then ${old} leaves the stack but stays in Flow Service (no DELETE: it was adopted, or deleteOnDestroy is false)`);
  } else {
    notes.push(`then ${old} is deleted (DELETE)`);
  }
  entry.notes = notes;
  return entry;
}

function updateEntry(base: Pick<PlanEntry, "urn" | "resourceName">, oldState: StateJson, newState: StateJson): PlanEntry {
  // Like the provider's diff: from the OLD OUTPUTS (the state last applied) to the NEW INPUTS.
  const rawOlds = oldState.outputs ?? {};
  const news = newState.inputs ?? {};
  const olds = outputsOf(rawOlds);
  const entry: PlanEntry = {
    ...base,
    action: "update",
    connectionId: idOf(oldState),
    name: str(news.name) ?? olds.name,
    ifMatch: str(rawOlds.etag),
  };
  if (containsUnknown(news)) {
    entry.pending = true;
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
  const d = diffConnection({ ...olds, auth: { ...olds.auth, params: oldSide } } as ConnectionOutputs, aligned, rawOlds.__provider, news.__provider);
  entry.ops = maskOps(d.ops, [...new Set([...secretKeysOf(rawOlds) ?? [], ...secretKeysOf(news) ?? []])]).map((op) =>
    // Belt and braces: a param whose secret keys are unknown is masked too.
    secretKeysOf(news) === undefined && op.path.startsWith("/auth/params/") && "value" in op ? { ...op, value: SECRET_MASK } : op,
  );
  if (entry.ops.length === 0) {
    const why: string[] = [];
    if (rawOlds.__provider !== undefined && news.__provider !== undefined && rawOlds.__provider !== news.__provider) why.push("provider code");
    if ((rawOlds.deleteOnDestroy ?? null) !== (news.deleteOnDestroy ?? null)) why.push("deleteOnDestroy");
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

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function idOf(state: StateJson | undefined): string | undefined {
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

/** Stored outputs, tolerant of missing members (as the provider's own `outputsOf`). */
function outputsOf(raw: Record<string, unknown>): ConnectionOutputs {
  return {
    adopted: false,
    ...raw,
    secretKeys: secretKeysOf(raw) ?? [],
    auth: { specName: "", params: {}, ...(isObject(raw.auth) ? raw.auth : {}) },
    connectionSpec: { id: "", ...(isObject(raw.connectionSpec) ? raw.connectionSpec : {}) },
  } as unknown as ConnectionOutputs;
}

function show(v: unknown): string {
  return v === undefined ? "(none)" : JSON.stringify(v);
}

function specLabel(s: { id?: string; version?: string } | undefined): string {
  return s ? `${s.id ?? "?"}${s.version ? ` v${s.version}` : ""}` : "(none)";
}

// ---- Renderings -----------------------------------------------------------------------------

const SYMBOL: Record<Action, string> = { create: "+", adopt: "+", update: "~", replace: "+-", delete: "-", unchanged: " " };

/** "update (no request: state only)", "delete (kept remotely)"…: the action as people read it. */
export function actionLabel(c: PlanEntry): string {
  if (c.action === "update" && c.pending) return "update (patch decided at up)";
  if (c.action === "update" && c.ops && c.ops.length === 0) return "update (no request: state only)";
  if (c.action === "delete" && c.keptRemotely) return "delete (kept remotely)";
  return c.action;
}

export function summaryLine(s: Summary): string {
  const parts = (["create", "adopt", "update", "replace", "delete"] as const).filter((a) => s[a] > 0).map((a) => `${s[a]} to ${a}`);
  const changes = parts.length > 0 ? parts.join(", ") : "no changes";
  return s.unchanged > 0 ? `${changes}, ${s.unchanged} unchanged` : changes;
}

function whatIsSent(c: PlanEntry): string | undefined {
  switch (c.action) {
    case "create":
      return "POST /connections";
    case "update":
      if (c.pending) return `PATCH /connections/${c.connectionId}`;
      return c.ops && c.ops.length > 0 ? `PATCH /connections/${c.connectionId}${c.ifMatch ? ` (If-Match: ${c.ifMatch})` : ""}` : "no request";
    case "delete":
      return c.keptRemotely ? "no request (the connection stays in Flow Service)" : `DELETE /connections/${c.connectionId}`;
    case "adopt":
      return `GET /connections/${c.connectionId}, then a PATCH if it differs from the program`;
    default:
      return undefined;
  }
}

export function renderText(plan: Plan): string {
  const lines: string[] = [];
  const where = plan.stack ? ` for stack ${plan.stack}` : "";
  lines.push(`Flow Service plan${where}: ${summaryLine(plan.summary)}`);
  for (const e of plan.errors) lines.push(`error: the preview failed, so this plan is incomplete: ${e}`);
  for (const c of plan.connections) {
    lines.push("");
    const id = c.connectionId ? ` [${c.connectionId}]` : "";
    const name = c.name !== undefined ? ` ${JSON.stringify(c.name)}` : "";
    lines.push(`${SYMBOL[c.action].padEnd(2)} ${c.resourceName}: ${actionLabel(c)}${name}${id}`);
    const sent = whatIsSent(c);
    if (sent) lines.push(`     ${sent}`);
    for (const op of c.ops ?? []) lines.push(`       ${JSON.stringify(op)}`);
    if (c.body && c.action === "create") lines.push(`       ${JSON.stringify(c.body)}`);
    if (c.stateOnly) lines.push(`     changes in state only: ${c.stateOnly.join(", ")}`);
    for (const d of c.replaceDetails ?? []) lines.push(`     forced by ${d}`);
    for (const n of c.notes ?? []) lines.push(`     note: ${n}`);
    if (c.body && c.action === "replace") lines.push(`     the new connection's POST /connections body:`, `       ${JSON.stringify(c.body)}`);
  }
  return lines.join("\n") + "\n";
}

/** Marks the comment as this tool's, so CI can find and update it rather than add another. */
export const MARKDOWN_MARKER = "<!-- flowservice-plan -->";

/** A code fence longer than any backtick run in `text`, so a value cannot close it. */
function fence(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return "`".repeat(Math.max(3, longest + 1));
}

/** Text safe in a list item: no HTML of its own, one line. */
function inline(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Text safe inside a table cell or list item: no pipe, newline, backtick or HTML of its own. */
function cell(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/\r?\n/g, " ")
    .replace(/`/g, "'")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

export function renderMarkdown(plan: Plan): string {
  const out: string[] = [MARKDOWN_MARKER, `### Flow Service plan${plan.stack ? ` for \`${cell(plan.stack)}\`` : ""}`, ""];
  out.push(`**${summaryLine(plan.summary)}**`, "");
  for (const e of plan.errors) out.push(`> **Error:** the preview failed, so this plan is incomplete: ${cell(e)}`, "");
  if (plan.connections.length === 0) {
    out.push("No Flow Service connection is touched by this change.");
    return out.join("\n") + "\n";
  }
  out.push("| Resource | Action | Connection | Sent to Flow Service |", "| --- | --- | --- | --- |");
  for (const c of plan.connections) {
    const conn = [c.name !== undefined ? cell(c.name) : "", c.connectionId ? `\`${cell(c.connectionId)}\`` : ""].filter(Boolean).join("<br>");
    const sent = c.action === "replace" ? (c.replaceDetails ?? []).map((d) => `forced by ${d}`) : [whatIsSent(c) ?? ""];
    out.push(`| \`${cell(c.resourceName)}\` | ${actionLabel(c)} | ${conn} | ${sent.map(cell).join("<br>")} |`);
  }
  for (const c of plan.connections) {
    const block = c.ops && c.ops.length > 0 ? c.ops : c.body;
    const extra = [...(c.stateOnly ? [`Changes in Pulumi's state only: ${c.stateOnly.join(", ")}.`] : []), ...(c.notes ?? [])];
    if (block === undefined && extra.length === 0) continue;
    out.push("", `#### \`${cell(c.resourceName)}\`: ${actionLabel(c)}`, "");
    if (block !== undefined) {
      // Ops one per line: a reviewer reads a patch op by op.
      const json = c.ops && c.ops.length > 0 ? `[\n${c.ops.map((op) => `  ${JSON.stringify(op)}`).join(",\n")}\n]` : JSON.stringify(block, null, 2);
      const f = fence(json);
      if (c.ops && c.ops.length > 0) out.push(`${inline(whatIsSent(c) ?? "")}:`, "", `${f}json`, json, f, "");
      // A create body is long and holds nothing surprising: folded.
      else out.push(`<details><summary>POST /connections body${c.action === "replace" ? " (the new connection)" : ""}</summary>`, "", `${f}json`, json, f, "", "</details>", "");
    }
    for (const n of extra) out.push(`- ${inline(n)}`);
  }
  return out.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd() + "\n";
}

export function renderJson(plan: Plan): string {
  const connections = plan.connections.map((c) => {
    const o: Record<string, unknown> = { urn: c.urn, resourceName: c.resourceName, action: c.action };
    for (const k of ["connectionId", "name", "ops", "ifMatch", "body", "replaceReasons", "replaceDetails", "keptRemotely", "stateOnly", "pending", "notes"] as const) {
      if (c[k] !== undefined) o[k] = c[k];
    }
    return o;
  });
  const out: Record<string, unknown> = { connections, summary: plan.summary };
  if (plan.stack) out.stack = plan.stack;
  if (plan.errors.length > 0) out.errors = plan.errors;
  return JSON.stringify(out, null, 2) + "\n";
}
