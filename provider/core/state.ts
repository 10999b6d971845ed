// Pure mappings between an entity's inputs, its stored outputs (Pulumi state) and a live Flow
// Service object: what create, read and update return, what counts as drift, and how a conflict
// is explained. The generalisation of mappings.ts to any description.
import { declaredMatch, AnyDescription, CommonInputs, EntityOutputs, getPath, liveInputs, LiveObject, readableFields } from "./entity";
import { plainJson } from "./vocabulary";

export { plainJson } from "./vocabulary";

/**
 * Stored outputs as the provider and `flowservice-plan` read them: tolerant of members missing
 * (state from earlier releases) and of preview JSON (secrets masked as "[secret]").
 */
export function storedEntityOutputs(raw: Record<string, unknown>): EntityOutputs {
  const secretKeys = Array.isArray(raw.secretKeys) ? raw.secretKeys.filter((k): k is string => typeof k === "string") : [];
  return { adopted: false, ...raw, secretKeys } as unknown as EntityOutputs;
}

/** Outputs after a successful create, adopt or update: the applied desired state plus Flow Service's stamps. */
export function buildEntityOutputs(
  desc: AnyDescription,
  inputs: CommonInputs,
  write: { id: string; etag: string; state?: string },
  meta: { live?: LiveObject; previous?: EntityOutputs; adopted: boolean; sandbox?: string },
): EntityOutputs {
  const { __secretVersions: _ignored, __sandboxFromStack: _fromStack, ...desired } = inputs;
  const { live, previous: prev } = meta;
  const previous = (prev ?? {}) as Record<string, unknown>;
  return plainJson({
    ...desired,
    ...(desc.idOutput ? { [desc.idOutput]: write.id } : {}),
    etag: write.etag,
    adopted: meta.adopted,
    state: write.state ?? live?.state ?? prev?.state,
    createdAt: live?.createdAt ?? prev?.createdAt,
    updatedAt: live?.updatedAt ?? prev?.updatedAt,
    updatedBy: live?.updatedBy ?? prev?.updatedBy,
    // The sandbox the requests went to.
    sandboxName: meta.sandbox,
    // Outputs of the provider's own (a Connection's last credential test) stand until rewritten.
    ...Object.fromEntries((desc.carriedOutputs ?? []).map((k) => [k, previous[k]])),
  });
}

/** One readable difference between state and Flow Service. */
interface EntityDrift {
  field: string;
  state: unknown;
  live: unknown;
}

export function entityDrift(desc: AnyDescription, outputs: EntityOutputs, live: LiveObject): EntityDrift[] {
  const secretKeys = outputs.secretKeys ?? [];
  const mine = readableFields(desc, outputs as unknown as Record<string, unknown>, secretKeys);
  const theirs = readableFields(desc, liveInputs(desc, live, secretKeys), secretKeys);
  const drift: EntityDrift[] = [];
  for (const field of [...new Set([...mine.keys(), ...theirs.keys()])]) {
    const [a, b] = [mine.get(field), theirs.get(field)];
    // What the program cannot patch is compared as declared: members Flow Service adds are not drift.
    const fixed = desc.replaceOn.some((r) => field === r || field.startsWith(`${r}.`));
    if (fixed ? !declaredMatch(a, b) : JSON.stringify(a) !== JSON.stringify(b)) drift.push({ field, state: a, live: b });
  }
  return drift;
}

/**
 * What `pulumi refresh` records. An unchanged etag means nothing was written since Pulumi's own
 * last write: only the stamps move. Otherwise the readable fields take the live values (and the
 * inputs too, so the next preview shows what `up` will put back); secrets, which cannot be read,
 * are dropped as unverified, so the next `up` sends them again.
 */
export function refreshedEntity(
  desc: AnyDescription,
  outputs: EntityOutputs,
  live: LiveObject,
): { outputs: EntityOutputs; inputs?: Record<string, unknown>; drift: EntityDrift[] } {
  const stamps = {
    state: live.state ?? outputs.state,
    updatedAt: live.updatedAt ?? outputs.updatedAt,
    updatedBy: live.updatedBy ?? outputs.updatedBy,
    createdAt: live.createdAt ?? outputs.createdAt,
    sandboxName: live.sandboxName ?? outputs.sandboxName,
  };
  const drift = entityDrift(desc, outputs, live);
  if (live.etag === outputs.etag && drift.length === 0) return { outputs: plainJson({ ...outputs, ...stamps }), drift };
  const declared = liveInputs(desc, live, outputs.secretKeys ?? []);
  // What the program declared of a field it cannot patch stays as declared while the live value matches it.
  // (An import has no state yet, so nothing declared: it takes what Flow Service shows.)
  const imported = outputs.etag === undefined;
  for (const top of desc.replaceOn.filter((label) => !label.includes("."))) {
    if (!imported && declaredMatch(getPath(outputs, top), getPath(declared, top))) {
      if (outputs[top as keyof EntityOutputs] === undefined) delete declared[top];
      else declared[top] = outputs[top as keyof EntityOutputs];
    }
  }
  const desired = {
    ...declared,
    ...Object.fromEntries((desc.stateInputs ?? []).map((k) => [k, getPath(outputs, k)])),
    sandboxName: outputs.sandboxName,
    adoptId: outputs.adoptId,
    deleteOnDestroy: outputs.deleteOnDestroy,
    secretKeys: outputs.secretKeys ?? [],
  };
  return { outputs: plainJson({ ...outputs, ...desired, ...stamps, etag: live.etag } as EntityOutputs), inputs: plainJson(desired), drift };
}

function show(v: unknown): string {
  return v === undefined ? "(absent)" : JSON.stringify(v);
}

/**
 * The message of a 412, for any entity: who changed what, and how to recover. `head` names the
 * object and state's version; `it` is how the rest refers to it. Never includes a secret value
 * (`changes` are readable fields only).
 */
function conflictMessage(
  head: string,
  it: string,
  live: LiveObject | undefined,
  changes: () => EntityDrift[],
  /** This stack's API client: a last writer that is this client is not "outside this stack" for sure. */
  ownClient?: string,
): string {
  if (live && ownClient !== undefined && live.updatedClient === ownClient) return ownWriteConflict(head, live, changes);
  if (!live) {
    return `${head}, and ${it} no longer exists in Flow Service. Nothing was changed. To recover: run 'pulumi refresh' (it drops ${it} from state), then 'pulumi up' to create it again.`;
  }
  const who = [
    live.updatedBy && `by ${live.updatedBy}`,
    live.updatedClient &&
      `via ${live.updatedClient === "exc_app" ? "the Experience Platform UI (exc_app)" : `client ${live.updatedClient}`}`,
    live.updatedAt && `at ${new Date(live.updatedAt).toISOString()}`,
  ]
    .filter(Boolean)
    .join(" ");
  const changed = changes().map((d) => `${d.field}: ${show(d.state)} → ${show(d.live)}`);
  return (
    `${head}, Flow Service has ${live.etag}${who ? ` (last changed ${who})` : ""}. ` +
    (changed.length > 0 ? `Changed remotely: ${changed.join("; ")}. ` : "No readable field differs (a secret may have been changed). ") +
    `Your update was not applied and the state is unchanged. To recover: run 'pulumi refresh' to take the remote version into state, review it, then run 'pulumi up' to apply your program over it.`
  );
}

/**
 * A 412 whose last writer is this stack's own API client: most likely a run of this stack that was
 * interrupted after its write reached Flow Service (or another stack sharing the client).
 */
function ownWriteConflict(head: string, live: LiveObject, changes: () => EntityDrift[]): string {
  const [subject] = head.split(" was changed outside this stack");
  const when = live.updatedAt ? ` at ${new Date(live.updatedAt).toISOString()}` : "";
  const state = /Pulumi's state has version .*$/.exec(head)?.[0] ?? "";
  const changed = changes().map((d) => `${d.field}: ${show(d.state)} → ${show(d.live)}`);
  return (
    `${subject} was last changed by this stack's own API client${when}, after Pulumi's state was written — an interrupted run of this stack? ` +
    `(or another stack using the same client). ${state}, Flow Service has ${live.etag}. ` +
    (changed.length > 0 ? `Changed remotely: ${changed.join("; ")}. ` : "No readable field differs (a secret may have been changed). ") +
    `Your update was not applied and the state is unchanged. To recover: run 'flowservice-recover' (it lists the interrupted operations; --yes refreshes them into the state), ` +
    `or 'pulumi refresh', then 'pulumi up'.`
  );
}

/** The message of a 412: who changed what, and how to recover. Never includes a secret value. */
export function describeEntityConflict(
  desc: AnyDescription,
  id: string,
  outputs: EntityOutputs,
  live: LiveObject | undefined,
  ownClient?: string,
): string {
  const head = `${desc.label} ${id} ("${outputs.name}") was changed outside this stack: Pulumi's state has version ${outputs.etag}`;
  return conflictMessage(head, "it", live, () => entityDrift(desc, outputs, live as LiveObject), ownClient);
}
