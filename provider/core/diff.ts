// `diff`, as a pure function: no network and no credentials, so a preview needs neither.
import { planPatch, replacementReasons } from "./planner";
import { ConnectionInputs, ConnectionOutputs, PatchOp } from "./schemas";
import { fieldsFromInputs } from "./mappings";
import { containsUnknown } from "./unknown";

export interface DiffOutcome {
  changes: boolean;
  replaces: string[];
  /** The patch `update` would send (empty when unknown values leave it undecided). */
  ops: PatchOp[];
}

export function diffConnection(olds: ConnectionOutputs, news: Record<string, unknown>, oldProvider?: unknown, newProvider?: unknown): DiffOutcome {
  const n = news as unknown as ConnectionInputs;
  const replaces = replacementReasons(olds, {
    connectionSpec: containsUnknown(n.connectionSpec) ? olds.connectionSpec : n.connectionSpec,
    auth: { specName: n.auth?.specName === undefined || containsUnknown(n.auth.specName) ? olds.auth.specName : n.auth.specName },
    adoptId: containsUnknown(n.adoptId) ? olds.adoptId : n.adoptId,
    // olds are the outputs: the sandbox as applied (as read from Flow Service, for earlier releases).
    sandboxName: containsUnknown(n.sandboxName) ? olds.sandboxName : n.sandboxName,
  });
  if (containsUnknown(news)) {
    // A value known only at `up`: there will be a change, its exact patch is decided then.
    return { changes: true, replaces, ops: [] };
  }
  const ops = planPatch(fieldsFromInputs(olds), fieldsFromInputs(n));
  const changes =
    replaces.length > 0 ||
    ops.length > 0 ||
    (olds.deleteOnDestroy ?? null) !== (n.deleteOnDestroy ?? null) ||
    (olds.verifyCredentials ?? null) !== (n.verifyCredentials ?? null) ||
    [...olds.secretKeys].sort().join() !== [...(n.secretKeys ?? [])].sort().join() ||
    // A new provider version reaches state only through an update (which sends nothing if the plan is empty).
    (oldProvider !== undefined && newProvider !== undefined && oldProvider !== newProvider);
  return { changes, replaces, ops };
}
