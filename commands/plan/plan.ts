// `flowservice-plan`, the pure part: from the output of `pulumi preview --json` to a plan of what
// `up` will send to Flow Service. No I/O here (see cli.ts); the renderings are in render.ts.
//
// The plan is computed with the provider's own `diff` (core/diff.ts → core/planner.ts), so what a
// reviewer reads is what `up` sends. It is built only from the preview's JSON, where Pulumi has
// already replaced every secret value with "[secret]"; values of params named in `secretKeys` are
// masked again here in case a program did not mark one secret.
import { isFlowServiceToken, resourceType } from "../../provider/core/registry";
import { UNKNOWN } from "../../provider/core/unknown";
import {
  type Action,
  type Base,
  createEntry,
  deleteEntry,
  type PlanEntry,
  replaceEntry,
  str,
  unchangedEntry,
  updateEntry,
} from "./entries";

export type { Action, PlanEntry };
import type { PreviewJson, StepJson } from "./preview";

/** The dynamic Connection's type token (kept for callers of earlier releases; see core/registry.ts for all). */
export const CONNECTION_TYPE = "pulumi-nodejs:dynamic/flowservice:Connection";

/** The order of the JSON summary (as documented). */
export const ACTIONS: readonly Action[] = ["create", "update", "replace", "delete", "adopt", "unchanged"];
/** The order in which connections are listed: what appears, what changes, what goes. */
const LISTING_ORDER: readonly Action[] = ["create", "adopt", "update", "replace", "delete", "unchanged"];

export type Summary = Record<Action, number>;

/** A step of a flowservice type the plan cannot describe: the plan is then incomplete (exit 1). */
export interface Unplanned {
  urn: string;
  resourceName: string;
  type: string;
  op: string;
  reason: string;
}

export interface Plan {
  /** Stack and project, from the URNs (absent when the preview lists no resource). */
  stack?: string;
  project?: string;
  /** Every resource the plan covers, of any type (the name is kept for CI tools that read it). */
  connections: PlanEntry[];
  summary: Summary;
  /** Steps of a flowservice type that could not be planned: never read as "no changes". */
  unplanned: Unplanned[];
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
    const type = typeOf(step);
    if (type === undefined || !isFlowServiceToken(type)) continue;
    byUrn.set(step.urn, [...(byUrn.get(step.urn) ?? []), step]);
  }
  const connections: PlanEntry[] = [];
  const unplanned: Unplanned[] = [];
  const stackSandbox = str(preview.config?.["flowservice:sandboxName"]);
  for (const [urn, steps] of byUrn) {
    const outcome = entryFor(urn, steps);
    if (outcome === undefined) continue;
    if ("reason" in outcome) unplanned.push(outcome);
    else connections.push(withSandbox(outcome, steps, stackSandbox));
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
    unplanned,
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
  // An object that declares no sandbox belongs in the stack's: if `up` leaves it where it is, say so.
  const fromStack = declared === undefined || newInputs.__sandboxFromStack === true;
  const left = entry.action !== "replace" && fromStack && stackSandbox !== undefined && sandboxName !== stackSandbox;
  const notes = left
    ? [
        ...(entry.notes ?? []),
        `stays in sandbox ${sandboxName}, although it declares no sandboxName and the stack's flowservice:sandboxName is now ${stackSandbox}: ` +
          "this provider does not move it; declare sandboxName to say where it belongs",
      ]
    : entry.notes;
  return { ...entry, sandboxName, ...(moved ? { fromSandboxName: oldSandbox } : {}), ...(notes ? { notes } : {}) };
}

/** Steps that say what `up` does to Flow Service. */
const PLANNED_OPS = new Set(["create", "update", "delete", "same", "replace", "create-replacement", "delete-replaced"]);
/** Steps that send nothing and change nothing `up` applies: `refresh` before the change under --refresh, reads of `.get()`. */
const SILENT_OPS = new Set(["refresh", "read", "read-replacement", "remove-pending-replace"]);
/** A resource that leaves the stack but not Flow Service (retainOnDelete): no request. */
const DISCARD_OPS = new Set(["discard", "discard-replaced"]);

type State = NonNullable<StepJson["oldState"]>;

/** The step's entry, or why a step of a flowservice type cannot be planned; undefined when the steps say nothing `up` does. */
function entryFor(urn: string, allSteps: StepJson[]): PlanEntry | Unplanned | undefined {
  const steps = allSteps.filter((s) => !SILENT_OPS.has(s.op));
  if (steps.length === 0) return undefined;
  const type = typeOf(steps[0]) ?? "";
  const resourceName = resourceNameOf(urn);
  const known = resourceType(type);
  const op = steps.map((s) => s.op).join(", ");
  if (!known) {
    return { urn, resourceName, type, op, reason: "this version of flowservice-plan does not know this resource type" };
  }
  const other = steps.find((s) => !PLANNED_OPS.has(s.op) && !DISCARD_OPS.has(s.op));
  if (other) return { urn, resourceName, type, op, reason: `this version of flowservice-plan has no plan for a "${other.op}" step` };
  const { description: desc, door } = known;
  const base: Base = { urn, resourceName, type: known.kind, door };
  const ops = new Set(steps.map((s) => s.op));
  const discarded = steps.find((s) => DISCARD_OPS.has(s.op));
  if (discarded && !steps.some((s) => s.op === "replace" || s.op === "create-replacement")) {
    const entry = deleteEntry(desc, base, discarded.oldState ?? {});
    return { ...entry, keptRemotely: true, notes: ["retained (retainOnDelete): it leaves the stack's state, and no DELETE is sent"] };
  }
  try {
    // A replacement may be reported as one `replace` step or as its parts; it is one change.
    const replace = steps.find((s) => s.op === "replace") ?? steps.find((s) => s.op === "create-replacement");
    if (replace || ops.has("delete-replaced")) {
      const oldState = steps.map((s) => s.oldState).find((s) => s?.outputs) ?? {};
      const newState = steps.map((s) => s.newState).find((s) => s?.inputs) ?? {};
      const entry = replaceEntry(
        desc,
        base,
        oldState,
        newState,
        steps.flatMap((s) => s.replaceReasons ?? []),
      );
      if (!ops.has("discard-replaced")) return entry;
      const notes = [
        ...(entry.notes ?? []).slice(0, 1),
        "then the old one leaves the stack but stays in Flow Service (retainOnDelete: no DELETE)",
      ];
      return { ...entry, keptRemotely: true, notes };
    }
    const step = steps[steps.length - 1];
    const [o, n]: [State, State] = [step.oldState ?? {}, step.newState ?? {}];
    switch (step.op) {
      case "create":
        return createEntry(desc, base, n.inputs ?? {});
      case "update":
        return updateEntry(desc, base, o, n);
      case "delete":
        return deleteEntry(desc, base, o);
      case "same":
        return unchangedEntry(desc, base, step.oldState ?? step.newState);
      default:
        return { urn, resourceName, type, op, reason: `no plan for a "${step.op}" step` };
    }
  } catch (e) {
    // A state or inputs this version cannot read (a shape it does not know): said, never skipped.
    return { urn, resourceName, type, op, reason: `its state or inputs cannot be read (${(e as Error).message})` };
  }
}
