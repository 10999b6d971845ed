// `flowservice-plan`, the pure part: from the output of `pulumi preview --json` to a plan of what
// `up` will send to Flow Service. No I/O here (see cli.ts); the renderings are in render.ts.
//
// The plan is computed with the provider's own `diff` (core/diff.ts → core/planner.ts), so what a
// reviewer reads is what `up` sends. It is built only from the preview's JSON, where Pulumi has
// already replaced every secret value with "[secret]"; values of params named in `secretKeys` are
// masked again here in case a program did not mark one secret.
import { UNKNOWN } from "../../provider/core/check";
import type { PatchOp } from "../../provider/core/schemas";
import { createEntry, deleteEntry, idOf, replaceEntry, str, updateEntry } from "./entries";
import {
  entityCreateEntry,
  entityDeleteEntry,
  entityReplaceEntry,
  ENTITY_TYPES,
  entityUnchangedEntry,
  entityUpdateEntry,
} from "./entityEntries";
import type { AnyDescription } from "../../provider/core/entity";
import type { PreviewJson, StepJson } from "./preview";

export const CONNECTION_TYPE = "pulumi-nodejs:dynamic/flowservice:Connection";

/** Every type the plan covers: connections and the pipeline resources. */
function covered(type: string | undefined): boolean {
  return type === CONNECTION_TYPE || (type !== undefined && type in ENTITY_TYPES);
}

export type Action = "create" | "update" | "replace" | "delete" | "adopt" | "unchanged";
/** The order of the JSON summary (as documented). */
export const ACTIONS: readonly Action[] = ["create", "update", "replace", "delete", "adopt", "unchanged"];
/** The order in which connections are listed: what appears, what changes, what goes. */
const LISTING_ORDER: readonly Action[] = ["create", "adopt", "update", "replace", "delete", "unchanged"];

export interface PlanEntry {
  urn: string;
  resourceName: string;
  action: Action;
  /** Pipeline resources only: SourceConnection, TargetConnection or Dataflow (absent for a Connection). */
  resourceType?: string;
  /** Pipeline resources only: the API collection (sourceConnections, targetConnections, flows). */
  collection?: string;
  /** update, create: the action calls `up` makes beside the PATCH (a flow's ENABLE or DISABLE). */
  actions?: string[];
  /** The Flow Service id (for adopt: the one adopted). Unknown for a create. */
  connectionId?: string;
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

export type Summary = Record<Action, number>;

export interface Plan {
  /** Stack and project, from the URNs (absent when the preview lists no resource). */
  stack?: string;
  project?: string;
  connections: PlanEntry[];
  summary: Summary;
  /** Error diagnostics of a failed preview: the plan is then incomplete. */
  errors: string[];
  /** Set from `--stack-export`: operations an interrupted run left pending (the plan is then wrong). */
  interrupted?: string;
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
    if (!covered(typeOf(step))) continue;
    byUrn.set(step.urn, [...(byUrn.get(step.urn) ?? []), step]);
  }
  const connections: PlanEntry[] = [];
  const stackSandbox = str(preview.config?.["flowservice:sandboxName"]);
  for (const [urn, steps] of byUrn) {
    const entry = entryFor(urn, steps);
    if (entry) connections.push(withSandbox(entry, steps, stackSandbox));
  }
  connections.sort(
    (a, b) => LISTING_ORDER.indexOf(a.action) - LISTING_ORDER.indexOf(b.action) || a.resourceName.localeCompare(b.resourceName),
  );
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

/**
 * The sandbox each change touches: the one `check` recorded in the new inputs, else (state and
 * previews from earlier releases) the one the old connection was applied in, else the stack's.
 */
function withSandbox(entry: PlanEntry, steps: StepJson[], stackSandbox: string | undefined): PlanEntry {
  const known = (v: unknown) => (v === UNKNOWN ? undefined : str(v));
  const newInputs = steps.map((s) => s.newState?.inputs).find((i) => i !== undefined) ?? {};
  const old = steps.map((s) => s.oldState).find((s) => s?.outputs) ?? steps.map((s) => s.oldState).find((s) => s !== undefined);
  const oldSandbox = str(old?.outputs?.sandboxName) ?? str(old?.inputs?.sandboxName);
  if (entry.action === "delete") return { ...entry, sandboxName: oldSandbox ?? stackSandbox };
  const declared = newInputs.sandboxName;
  const sandboxName = declared === UNKNOWN ? undefined : (known(declared) ?? oldSandbox ?? stackSandbox);
  const moved = entry.action === "replace" && oldSandbox !== undefined && oldSandbox !== sandboxName;
  return { ...entry, sandboxName, ...(moved ? { fromSandboxName: oldSandbox } : {}) };
}

/** Steps that say what `up` does; others (`refresh` before the change under --refresh, read, discard…) do not. */
const PLANNED_OPS = new Set(["create", "update", "delete", "same", "replace", "create-replacement", "delete-replaced"]);

type Base = Pick<PlanEntry, "urn" | "resourceName">;
type State = StepJson["oldState"];

/** How each kind of step becomes an entry: a connection's rules, or a pipeline resource's description's. */
interface EntryBuilders {
  replace(base: Base, oldState: NonNullable<State>, newState: NonNullable<State>, reasons: string[]): PlanEntry;
  create(base: Base, inputs: Record<string, unknown>): PlanEntry;
  update(base: Base, oldState: NonNullable<State>, newState: NonNullable<State>): PlanEntry;
  delete(base: Base, oldState: NonNullable<State>): PlanEntry;
  unchanged(base: Base, step: StepJson): PlanEntry;
}

const CONNECTION_ENTRIES: EntryBuilders = {
  replace: replaceEntry,
  create: createEntry,
  update: updateEntry,
  delete: deleteEntry,
  unchanged: (base, step) => {
    const outs = step.oldState?.outputs ?? step.newState?.outputs ?? {};
    return { ...base, action: "unchanged", connectionId: idOf(step.oldState), name: str(outs.name) };
  },
};

function entityEntries(desc: AnyDescription): EntryBuilders {
  return {
    replace: (base, o, n, reasons) => entityReplaceEntry(desc, base, o, n, reasons),
    create: (base, inputs) => entityCreateEntry(desc, base, inputs),
    update: (base, o, n) => entityUpdateEntry(desc, base, o, n),
    delete: (base, o) => entityDeleteEntry(desc, base, o),
    unchanged: (base, step) => entityUnchangedEntry(desc, base, step.oldState ?? step.newState),
  };
}

function entryFor(urn: string, allSteps: StepJson[]): PlanEntry | undefined {
  const steps = allSteps.filter((s) => PLANNED_OPS.has(s.op));
  if (steps.length === 0) return undefined;
  const ops = new Set(steps.map((s) => s.op));
  const base = { urn, resourceName: resourceNameOf(urn) };
  const desc = ENTITY_TYPES[typeOf(steps[0]) ?? ""];
  const build = desc ? entityEntries(desc) : CONNECTION_ENTRIES;
  // A replacement may be reported as one `replace` step or as its parts; it is one change.
  const replace = steps.find((s) => s.op === "replace") ?? steps.find((s) => s.op === "create-replacement");
  if (replace || ops.has("delete-replaced")) {
    const oldState = steps.map((s) => s.oldState).find((s) => s?.outputs) ?? {};
    const newState = steps.map((s) => s.newState).find((s) => s?.inputs) ?? {};
    return build.replace(
      base,
      oldState,
      newState,
      steps.flatMap((s) => s.replaceReasons ?? []),
    );
  }
  const step = steps[steps.length - 1];
  switch (step.op) {
    case "create":
      return build.create(base, step.newState?.inputs ?? {});
    case "update":
      return build.update(base, step.oldState ?? {}, step.newState ?? {});
    case "delete":
      return build.delete(base, step.oldState ?? {});
    case "same":
      return build.unchanged(base, step);
    default:
      return undefined;
  }
}
