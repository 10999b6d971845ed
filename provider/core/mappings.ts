// Pure mappings between the resource's inputs, its stored outputs (Pulumi state) and a live Flow
// Service connection: what `create`, `read` and `update` return, what counts as drift, how a
// conflict is explained, and one tolerant reading of stored outputs for every reader.
import { readableParams } from "./entities/connection";
import { conflictMessage, EntityDrift, plainJson, storedEntityOutputs } from "./entityState";
import { PatchableFields, UNVERIFIED } from "./planner";
import { ConnectionInputs, ConnectionOutputs, FlowConnection, Params } from "./schemas";

export function fieldsFromInputs(i: Pick<ConnectionInputs, "name" | "description" | "auth">): PatchableFields {
  return { name: i.name, description: i.description, params: { ...i.auth.params } };
}

/**
 * A live connection as a desired state. Secret params cannot be read back (Flow Service masks
 * them), so a secret that is present counts as UNVERIFIED: the planner will send the program's
 * value rather than trust it.
 */
export function fieldsFromLive(live: FlowConnection, secretKeys: readonly string[]): PatchableFields {
  const params = readableParams(live);
  for (const k of Object.keys(live.auth?.params ?? {})) if (secretKeys.includes(k)) params[k] = UNVERIFIED;
  return { name: live.name, description: live.description, params };
}

/**
 * Stored outputs as the provider and `flowservice-plan` read them: tolerant of state written by
 * earlier releases (members missing) and of preview JSON (secret params masked as "[secret]").
 */
export function storedOutputs(raw: Record<string, unknown>): ConnectionOutputs {
  const obj = (v: unknown): Record<string, unknown> =>
    v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  return {
    ...storedEntityOutputs(raw),
    auth: { specName: "", params: {}, ...obj(raw.auth) },
    connectionSpec: { id: "", ...obj(raw.connectionSpec) },
  } as unknown as ConnectionOutputs;
}

/** JSON-only copy without undefined members: the dynamic-provider host rejects anything else. */
export const plain = plainJson;

/** Outputs after a successful create, adopt or update. */
export function buildOutputs(
  inputs: ConnectionInputs,
  write: { id: string; etag: string },
  meta: { live?: FlowConnection; previous?: ConnectionOutputs; adopted: boolean },
): ConnectionOutputs {
  const { __secretVersions: _ignored, __sandboxFromStack: _fromStack, ...desired } = inputs;
  const live = meta.live;
  const prev = meta.previous;
  return plain({
    ...desired,
    connectionSpec: {
      id: inputs.connectionSpec.id,
      version: inputs.connectionSpec.version ?? live?.connectionSpec.version ?? prev?.connectionSpec.version,
    },
    connectionId: write.id,
    etag: write.etag,
    adopted: meta.adopted,
    state: live?.state ?? prev?.state,
    createdAt: live?.createdAt ?? prev?.createdAt,
    updatedAt: live?.updatedAt ?? prev?.updatedAt,
    updatedBy: live?.updatedBy ?? prev?.updatedBy,
    // The sandbox the requests went to.
    sandboxName: inputs.sandboxName ?? live?.sandboxName ?? prev?.sandboxName,
    // The last credential test's outcome stands until credentials are written again.
    verification: prev?.verification,
    verifiedAt: prev?.verifiedAt,
  });
}

/** One readable difference between state and Flow Service. */
export type Drift = EntityDrift;

export function driftOf(outputs: ConnectionOutputs, live: FlowConnection): Drift[] {
  const drift: Drift[] = [];
  const note = (field: string, state: unknown, liveValue: unknown) => {
    if (state !== liveValue) drift.push({ field, state, live: liveValue });
  };
  note("name", outputs.name, live.name);
  note("description", outputs.description, live.description);
  note("auth.specName", outputs.auth.specName, live.auth?.specName);
  note("connectionSpec.id", outputs.connectionSpec.id, live.connectionSpec.id);
  const liveParams = (live.auth?.params ?? {}) as Record<string, unknown>;
  const keys = new Set([...Object.keys(outputs.auth.params), ...Object.keys(liveParams)]);
  for (const k of [...keys].sort()) {
    if (outputs.secretKeys.includes(k)) continue; // write-only: not comparable
    note(`auth.params.${k}`, outputs.auth.params[k], liveParams[k]);
  }
  return drift;
}

/**
 * What `pulumi refresh` records. When the etag is unchanged nothing was written since Pulumi's own
 * last write, so only the timestamps move. Otherwise the readable fields take the live values (and
 * the inputs too, so the next preview shows what `up` will put back), and the secrets, which
 * cannot be compared, are dropped from state as unverified: the next `up` sends them again.
 */
export function refreshedState(
  outputs: ConnectionOutputs,
  live: FlowConnection,
): { outputs: ConnectionOutputs; inputs?: ConnectionInputs; drift: Drift[] } {
  const stamps = {
    state: live.state,
    updatedAt: live.updatedAt,
    updatedBy: live.updatedBy,
    createdAt: live.createdAt ?? outputs.createdAt,
    sandboxName: live.sandboxName ?? outputs.sandboxName,
  };
  if (live.etag === outputs.etag) {
    return { outputs: plain({ ...outputs, ...stamps }), drift: [] };
  }
  const drift = driftOf(outputs, live);
  const liveParams = fieldsFromLive(live, outputs.secretKeys).params;
  const params: Params = {};
  for (const [k, v] of Object.entries(liveParams)) if (v !== UNVERIFIED) params[k] = v;
  const desired = {
    name: live.name,
    description: live.description,
    connectionSpec: { id: live.connectionSpec.id, version: live.connectionSpec.version ?? outputs.connectionSpec.version },
    auth: { specName: live.auth?.specName ?? outputs.auth.specName, params },
    adoptId: outputs.adoptId,
    deleteOnDestroy: outputs.deleteOnDestroy,
    sandboxName: stamps.sandboxName,
    verifyCredentials: outputs.verifyCredentials,
    secretKeys: outputs.secretKeys,
  };
  return {
    outputs: plain({ ...outputs, ...desired, ...stamps, etag: live.etag }),
    inputs: plain(desired),
    drift,
  };
}

/** The message of a 412: who changed what, and how to recover. Never includes a secret value. */
export function describeConflict(id: string, outputs: ConnectionOutputs, live: FlowConnection | undefined, ownClient?: string): string {
  const head = `Connection ${id} ("${outputs.name}") was changed outside this stack: Pulumi's state has version ${outputs.etag}`;
  return conflictMessage(head, "the connection", live, () => driftOf(outputs, live as FlowConnection), ownClient);
}
