// A Connection's patchable fields as the credential verification (resources/verify.ts) reads them,
// from its inputs and from the live object. Drift, refresh and conflicts are the generic ones
// (state.ts) over its description.
import { readableParams } from "./entities/connection";
import { PatchableFields, UNVERIFIED } from "./planner";
import { ConnectionInputs, FlowConnection } from "./schemas";

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
