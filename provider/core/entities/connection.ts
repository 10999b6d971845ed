// A (base) connection: an account in a source or destination system.
// POST /connections {name, description?, connectionSpec, auth: {specName, params}}
// (flow-service.yaml CreateConnectionRequest).
//
// Patchable (the document): name, description and auth.params, per key, so a rotation sends only
// the rotated credential. Replaced: connectionSpec (the connector) and auth.specName (how it
// authenticates): Flow Service refuses a PATCH of /connectionSpec, and an auth spec decides which
// params exist. Secrets live under auth.params; their names are `secretKeys`.
import { CONNECTORS, lookupAuthSpec, ParamSpec } from "../catalog";
import { JsonObject, planDocPatch } from "../docPlanner";
import { EntityDescription, LiveObject } from "../entity";
import { CONNECTION_SECRET_PARENT, inPatchOrder, patchDocument } from "../planner";
import { ConnectionInputs, ConnectionOutputs, FlowConnection, Params, ParamValue } from "../schemas";
import { CheckFailure, UNKNOWN } from "../unknown";

/** Members present only: Flow Service bodies carry no `undefined`. */
function defined(o: Record<string, unknown>): JsonObject {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as JsonObject;
}

function hasType(value: unknown, type: ParamSpec["type"]): boolean {
  return type === "integer" ? Number.isInteger(value) : typeof value === type;
}

/**
 * For connectors the provider knows: the auth spec exists, every required param is there, no param
 * the auth spec does not know (Flow Service refuses it at `up`), and types match.
 */
export function catalogRules(raw: Record<string, unknown>): CheckFailure[] {
  const specId = (raw.connectionSpec as { id?: unknown } | undefined)?.id;
  const auth = raw.auth as { specName?: unknown; params?: Record<string, unknown> } | undefined;
  const specName = auth?.specName;
  const connector = typeof specId === "string" ? CONNECTORS[specId] : undefined;
  if (!connector || typeof specName !== "string" || specName === UNKNOWN) return [];
  const spec = lookupAuthSpec(specId as string, specName);
  if (!spec) {
    const names = Object.keys(connector.authSpecs)
      .map((n) => `"${n}"`)
      .join(", ");
    return [
      { property: "auth.specName", reason: `"${specName}" is not an auth spec of ${connector.name} (${specId}); use one of ${names}` },
    ];
  }
  const where = `${connector.name} auth spec "${specName}"`;
  const failures: CheckFailure[] = [];
  const given = auth?.params ?? {};
  for (const [key, p] of Object.entries(spec.params)) {
    const value = given[key];
    if (value === UNKNOWN) continue;
    if (value === undefined) {
      if (p.required) failures.push({ property: `auth.params.${key}`, reason: `is required by ${where}: add it to auth.params` });
    } else if (!hasType(value, p.type)) {
      failures.push({
        property: `auth.params.${key}`,
        reason: `must be ${p.type === "integer" ? "an integer" : `a ${p.type}`} for ${where}, got ${p.secret ? `a ${typeof value} (value not shown: a secret)` : JSON.stringify(value)}`,
      });
    }
  }
  const known = Object.keys(spec.params);
  for (const key of Object.keys(given)) {
    if (!(key in spec.params)) {
      failures.push({
        property: `auth.params.${key}`,
        reason: `is not a param of ${where} (Flow Service would refuse it); known params: ${known.join(", ")}`,
      });
    }
  }
  return failures;
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
  inputKeys: [
    "name",
    "description",
    "connectionSpec",
    "auth",
    "adoptId",
    "deleteOnDestroy",
    "sandboxName",
    "secretKeys",
    "verifyCredentials",
    "retriggerFailedRuns",
  ],
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
