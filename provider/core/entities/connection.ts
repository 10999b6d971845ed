// A (base) connection: an account in a source or destination system.
// POST /connections {name, description?, connectionSpec, auth: {specName, params}}
// (flow-service.yaml CreateConnectionRequest).
//
// Patchable (the document): name, description and auth.params, per key, so a rotation sends only
// the rotated credential. Replaced: connectionSpec (the connector) and auth.specName (how it
// authenticates): Flow Service refuses a PATCH of /connectionSpec, and an auth spec decides which
// params exist. Secrets live under auth.params; their names are `secretKeys`.
import { catalogRules, liveSpecRules } from "../catalog";
import { JsonObject, planDocPatch } from "../docPlanner";
import { EntityDescription, inputKeysOf, LiveObject } from "../entity";
import { CONNECTION_SECRET_PARENT, inPatchOrder, patchDocument } from "../planner";
import { ConnectionInputs, ConnectionOutputs, FlowConnection, Params, ParamValue } from "../schemas";

/** Members present only: Flow Service bodies carry no `undefined`. */
function defined(o: Record<string, unknown>): JsonObject {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as JsonObject;
}

/** A live connection's readable params (secrets are masked by Flow Service and left to the caller). */
export function readableParams(live: FlowConnection): Params {
  const params: Params = {};
  for (const [k, v] of Object.entries(live.auth?.params ?? {})) if (ParamValue.safeParse(v).success) params[k] = v as ParamValue;
  return params;
}

export const connection: EntityDescription<ConnectionInputs> = {
  kind: "Connection",
  label: "Connection",
  collection: "connections",
  plural: "connections",
  idOutput: "connectionId",
  inputs: ConnectionInputs,
  outputs: ConnectionOutputs,
  inputKeys: inputKeysOf(ConnectionInputs),
  live: FlowConnection,
  document: (i) => patchDocument({ name: i.name, description: i.description, params: i.auth?.params ?? {} }),
  secretParent: CONNECTION_SECRET_PARENT,
  replaceOn: ["connectionSpec", "auth.specName"],
  planPatch: (old, next) => inPatchOrder(planDocPatch(old, next)),
  verifiesCredentials: true,
  carriedOutputs: ["verification", "verifiedAt", "retriggeredRuns"],
  stateInputs: ["verifyCredentials", "retriggerFailedRuns"],
  createBody: (i) =>
    defined({ name: i.name, description: i.description, connectionSpec: i.connectionSpec, auth: i.auth as unknown as JsonObject }),
  fromLive: (live: LiveObject) => {
    const l = live as FlowConnection;
    return defined({
      connectionSpec: defined({ id: l.connectionSpec.id, version: l.connectionSpec.version }),
      auth: { specName: l.auth?.specName ?? "", params: readableParams(l) },
    });
  },
  validate: (raw) => catalogRules(raw),
  // Only what the offline catalog doubts (an auth spec or param it does not know) needs the live spec.
  liveCheck: async (i, spec) =>
    catalogRules(i as unknown as Record<string, unknown>).some((f) => f.warning)
      ? liveSpecRules(i as unknown as Record<string, unknown>, await spec(i.connectionSpec.id))
      : [],
  // Equality filters only: Flow Service documents no range filter (createdAt>=) for connections.
  searchFilters: (body) => [`connectionSpec.id==${(body.connectionSpec as { id: string }).id}`],
  equalityFiltersOnly: true,
  lostVersionHint: (id) =>
    `the state keeps the previous values. To reconcile: run 'pulumi refresh' (it reads connection ${id} and takes its version), then 'pulumi up' (it re-sends the secrets, which cannot be read back).`,
  sameCreate: (candidate, body) => {
    const c = candidate as FlowConnection;
    const auth = body.auth as { specName?: string };
    return (
      c.name === body.name &&
      c.connectionSpec?.id === (body.connectionSpec as { id: string }).id &&
      (c.auth?.specName === undefined || c.auth.specName === auth.specName)
    );
  },
  inUseHint: "is used by dataflows: delete or reassign those dataflows first",
};
