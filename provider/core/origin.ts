// What an object was created under: the org (flowservice:orgId) and the Flow Service endpoint's
// host. Recorded in state as the outputs `orgId` and `endpointHost`, so that a configuration change
// (another org's credentials, another endpoint) can never make refresh read a live object as
// "deleted", nor update or delete it elsewhere: moving is an explicit act.
//
// State from releases before this rule records neither. Such an object is served under the
// current configuration; a read that finds it records the origin (the object answered there, which
// is evidence it lives there), and a read that does not find it fails instead of dropping it: the
// provider cannot tell "deleted" from "looked for under another org" (see docs/reads.md).
import { OtherOriginError, UnconfirmedMissError } from "./errors";

export interface Origin {
  orgId: string;
  endpointHost: string;
}

/** The origin the configuration names now. */
export function currentOrigin(config: { orgId?: string; endpoint: string }): Origin {
  return { orgId: config.orgId ?? "", endpointHost: new URL(config.endpoint).host };
}

/** The origin recorded in state, or undefined for state written before it was recorded. */
export function recordedOrigin(outs: object): Origin | undefined {
  const { orgId, endpointHost } = outs as Record<string, unknown>;
  return typeof orgId === "string" && typeof endpointHost === "string" ? { orgId, endpointHost } : undefined;
}

/** Outputs with the origin stamped: the recorded one when there is one, else `current`. */
export function withOrigin<T extends object>(outs: T, current: Origin): T & Origin {
  return { ...outs, ...(recordedOrigin(outs) ?? current) };
}

/**
 * Refuses to read, update or delete under another org or endpoint than the one the object was
 * created under. `what` names the object ("Connection 0a1b… (\"CRM\")").
 */
export function assertSameOrigin(what: string, outs: object, current: Origin, act: "read" | "update" | "delete"): void {
  const recorded = recordedOrigin(outs);
  if (!recorded) return;
  const differences: string[] = [];
  if (recorded.orgId !== current.orgId) {
    differences.push(`org ${recorded.orgId}, but flowservice:orgId is now ${current.orgId || "(unset)"}`);
  }
  if (recorded.endpointHost !== current.endpointHost) {
    differences.push(`endpoint host ${recorded.endpointHost}, but flowservice:endpoint now names ${current.endpointHost}`);
  }
  if (differences.length === 0) return;
  const verb = act === "read" ? "refresh it" : act === "update" ? "update it" : "delete it";
  throw new OtherOriginError(
    `${what} was created under ${differences.join("; and ")}. Refusing to ${verb} there: under other credentials or another endpoint ` +
      `Flow Service would not show it, which is not proof it is gone. Nothing was changed. Moving is an explicit act: restore the stack's ` +
      `flowservice:orgId / flowservice:endpoint (and the matching credentials) to manage it; to let this stack forget it, ` +
      `run 'pulumi state delete <urn>' (the object stays in Flow Service); to move it, create a new one under the new configuration.`,
  );
}

/**
 * After Flow Service confirmed an object is not found: fine when state records the origin the read
 * went to; state from an earlier release records none, and then "not found" may only mean another
 * org or endpoint than the one it was created under, so the refresh fails instead of dropping it.
 */
export function assertGoneIsKnown(what: string, outs: object, current: Origin): void {
  if (recordedOrigin(outs)) return;
  throw new UnconfirmedMissError(
    `${what} is not found under org ${current.orgId} at ${current.endpointHost}, but its state (written by an earlier release) does ` +
      `not record the org and endpoint it was created under, so this is not proof that it is gone. Nothing was changed. ` +
      `If it was deleted on purpose, remove it from the stack: 'pulumi state delete <urn>'. If the stack's flowservice:orgId or ` +
      `flowservice:endpoint changed, restore them and refresh again (a refresh that finds an object records its org and endpoint).`,
  );
}
