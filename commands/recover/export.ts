// The output of `pulumi stack export`, as far as recovery reads and rewrites it: the resources, the
// operations an interrupted run left pending, and the checkpoint time. Pure: no I/O here.
import { z } from "zod";
import { type AnyDescription, type CommonInputs, liveInputs, type LiveObject } from "../../provider/core/entity";
import { buildEntityOutputs } from "../../provider/core/state";
import type { JsonObject } from "../../provider/core/docPlanner";
import { type Door, isFlowServiceToken, type ResourceType, resourceType } from "../../provider/core/registry";

/** A pending create, as far as matching needs it. */
export interface PendingCreate {
  urn: string;
  resourceName: string;
  desc: AnyDescription;
  door: Door;
  /** The POST body the interrupted run sent (secret values unreadable). */
  body: JsonObject;
  /** The resource's inputs, secret values unreadable. */
  inputs: Record<string, unknown>;
  secretKeys: string[];
  sandbox: string;
  adoptId?: string;
}

/** The signature key Pulumi puts on a secret value in exported state (`{<sig>: <secret sig>, ciphertext}`). */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";

const StateResource = z
  .object({
    urn: z.string(),
    type: z.string(),
    id: z.string().optional(),
    custom: z.boolean().optional(),
    inputs: z.record(z.string(), z.unknown()).optional(),
    outputs: z.record(z.string(), z.unknown()).optional(),
    parent: z.string().optional(),
    provider: z.string().optional(),
    dependencies: z.array(z.string()).optional(),
  })
  .passthrough();
type StateResource = z.infer<typeof StateResource>;

const PendingOperation = z.object({ type: z.string(), resource: StateResource }).passthrough();

export const StackExport = z
  .object({
    version: z.number(),
    deployment: z
      .object({
        manifest: z.object({ time: z.string() }).passthrough(),
        resources: z.array(StateResource).optional(),
        pending_operations: z.array(PendingOperation).optional(),
      })
      .passthrough(),
  })
  .passthrough();
export type StackExport = z.infer<typeof StackExport>;

/** Input that is not the output of `pulumi stack export`, or a state recovery cannot rewrite. */
export class StackExportError extends Error {}

export function parseStackExport(text: string, source = "the stack export"): StackExport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new StackExportError(`${source} is not JSON: expected the output of \`pulumi stack export\``);
  }
  const parsed = StackExport.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StackExportError(
      `${source} is not the output of \`pulumi stack export\` (${issue.path.join(".") || "(top)"}: ${issue.message})`,
    );
  }
  return parsed.data;
}

/** One operation the interrupted run began and never finished. */
export interface Interrupted {
  urn: string;
  resourceName: string;
  /** creating, updating, deleting, reading, importing. */
  kind: string;
  /** The resource's type and description when it is one of this package's (either door). */
  resourceType?: ResourceType;
  /** Whether its type token is this package's, known or not. */
  flowService: boolean;
  resource: StateResource;
}

export function resourceNameOf(urn: string): string {
  return urn.split("::").slice(3).join("::") || urn;
}

export function interruptedOperations(exp: StackExport): Interrupted[] {
  return (exp.deployment.pending_operations ?? []).map((op) => ({
    urn: op.resource.urn,
    resourceName: resourceNameOf(op.resource.urn),
    kind: op.type,
    resourceType: resourceType(op.resource.type),
    flowService: isFlowServiceToken(op.resource.type),
    resource: op.resource,
  }));
}

export function isSecretValue(v: unknown): boolean {
  return typeof v === "object" && v !== null && SECRET_SIG_KEY in v;
}

/** The ids of the Flow Service objects (of every type, either door) a stack's state holds. */
export function flowServiceIds(exp: StackExport): string[] {
  return (exp.deployment.resources ?? []).filter((r) => isFlowServiceToken(r.type) && r.id).map((r) => r.id as string);
}

/** What one pending create became: a resource of the state with this id and these outputs. */
interface Completed {
  urn: string;
  id: string;
  outputs: Record<string, unknown>;
  /** When the object was created (RFC 3339), for the state's `created`/`modified`. */
  created?: string;
}

/**
 * The state of a recovered create, as the provider's create writes it (core/state.ts): the inputs
 * of the interrupted run (secrets stay encrypted as they are; `__provider` kept, which the dynamic
 * resources' refresh and destroy run) and Flow Service's stamps. Fields set by action calls after
 * the POST (a flow's `enabled`) take the live value, so the next `up` makes the call it missed.
 */
export function recoveredOutputs(op: Interrupted, p: PendingCreate, live: LiveObject): Record<string, unknown> {
  const afterCreate = Object.fromEntries(
    (p.desc.actions ?? []).map((a) => [a.field, a.desired(liveInputs(p.desc, live, p.secretKeys) as never)]),
  );
  const inputs = { ...(op.resource.inputs ?? {}), ...afterCreate } as unknown as CommonInputs;
  const write = { id: live.id, etag: live.etag, state: live.state };
  return buildEntityOutputs(p.desc, inputs, write, { live, adopted: false, sandbox: p.sandbox }) as unknown as Record<string, unknown>;
}

/**
 * The deployment to import: every pending operation removed (the CLI's import drops them anyway),
 * and each completed create added as a resource, after everything it refers to. A completed create
 * whose URN the state already holds was a replacement (create before delete): the old resource is
 * marked for deletion, as the engine marks it once the new one exists, so the next `up` deletes it.
 */
export function completedDeployment(exp: StackExport, completed: readonly Completed[]): StackExport {
  const pending = new Map((exp.deployment.pending_operations ?? []).map((op) => [op.resource.urn, op.resource]));
  const replaced = new Set(completed.map((c) => c.urn));
  const resources = (exp.deployment.resources ?? []).map((r) => (replaced.has(r.urn) && !r.delete ? { ...r, delete: true } : r));
  const present = new Set(resources.map((r) => r.urn));
  const providerRefs = new Set(resources.filter((r) => r.id).map((r) => `${r.urn}::${r.id}`));
  let todo = completed.map((c) => {
    const base = pending.get(c.urn);
    if (!base) throw new StackExportError(`${c.urn} has no pending create in the stack export`);
    const { outputs: _none, ...rest } = base;
    return { ...rest, id: c.id, outputs: c.outputs, ...(c.created ? { created: c.created, modified: c.created } : {}) } as StateResource;
  });
  // A resource follows its parent, provider and dependencies (the CLI's import checks this order).
  while (todo.length > 0) {
    const ready = todo.filter((r) => refsOf(r).every((u) => present.has(u)) && (!r.provider || providerRefs.has(r.provider)));
    if (ready.length === 0) {
      const r = todo[0];
      const missing = [...refsOf(r).filter((u) => !present.has(u)), ...(r.provider && !providerRefs.has(r.provider) ? [r.provider] : [])];
      throw new StackExportError(`${r.urn} refers to ${missing.join(", ")}, which the state does not hold: it cannot be added`);
    }
    for (const r of ready) {
      resources.push(r);
      present.add(r.urn);
    }
    todo = todo.filter((r) => !ready.includes(r));
  }
  return { ...exp, deployment: { ...exp.deployment, resources, pending_operations: [] } };
}

function refsOf(r: StateResource): string[] {
  const propertyDeps = Object.values((r.propertyDependencies as Record<string, string[]> | undefined) ?? {}).flat();
  return [...new Set([...(r.parent ? [r.parent] : []), ...(r.dependencies ?? []), ...propertyDeps])];
}

/**
 * The warning `flowservice-plan --stack-export` gives: `pulumi preview --json` does not show pending
 * operations, and an `up` over them creates what the interrupted creates made a second time.
 */
export function interruptedWarning(exp: StackExport): string | undefined {
  const ops = interruptedOperations(exp);
  if (ops.length === 0) return undefined;
  const creates = ops.filter((o) => o.kind === "creating");
  const list = ops.map((o) => `${o.resourceName} (${o.kind})`).join(", ");
  return (
    `the stack has ${ops.length} operation${ops.length === 1 ? "" : "s"} left pending by an interrupted run: ${list}. ` +
    (creates.length > 0
      ? `\`pulumi up\` would create ${creates.length === 1 ? "what this create made" : "what these creates made"} a second time and this plan shows ${creates.length === 1 ? "it" : "them"} as creates: `
      : "the plan may not match what Flow Service holds: ") +
    "run `flowservice-recover` first (see the README, Failures and retries)"
  );
}
