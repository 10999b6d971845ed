// A Connection's fields as the credential verification (resources/verify.ts) reads them: its patchable fields, and one tolerant reading of its stored outputs. Drift, refresh
// and conflicts are the generic ones (state.ts) over its description.
import { readableParams } from "./entities/connection";
import { PatchableFields, UNVERIFIED } from "./planner";
import { ConnectionInputs, ConnectionOutputs, FlowConnection } from "./schemas";
import { storedEntityOutputs } from "./state";

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
