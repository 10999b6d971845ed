// Credential verification, the pure part: which writes are followed by a test, how a test that
// could not be performed is classified, the patch that undoes a refused write, and the messages a
// user reads. The requests themselves are resources/verify.ts's.
import { ApiError, FlowServiceProviderError } from "./errors";
import { paramKeyOf, PatchableFields, UNVERIFIED } from "./planner";
import type { FlowConnection, PatchOp } from "./schemas";

/** A write that changes credentials: any op under /auth. */
export function writesCredentials(ops: readonly PatchOp[]): boolean {
  return ops.some((op) => op.path.startsWith("/auth/"));
}

/** The auth param names a patch touches, sorted: what a message may name (never a value). */
export function paramsOf(ops: readonly PatchOp[]): string[] {
  return [...new Set(ops.map(paramKeyOf).filter((k): k is string => k !== undefined))].sort();
}

/**
 * A test that could not be performed is not a refusal: the write is kept. Flow Service answers a
 * connector it cannot test with a client error (400, 405, 422, 501); anything else (no reply,
 * 5xx or 429 after retries, a reply of the wrong shape) means the test endpoint is unavailable now.
 * A 401 or 403 is about our own API client, not the connection: see ownClientRefused.
 */
export function unperformedTest(e: FlowServiceProviderError): "unsupported" | "unavailable" {
  return e instanceof ApiError && [400, 405, 422, 501].includes(e.status) ? "unsupported" : "unavailable";
}

/** The test was refused to this stack's own API client (401 after a renewed token, or 403): an error, never "unavailable". */
export function ownClientRefused(e: FlowServiceProviderError): boolean {
  return e instanceof ApiError && (e.status === 401 || e.status === 403);
}

/** The outcome of one connection test, with why it could not run when it could not. */
export type TestResult = { outcome: "passed" | "refused" } | { outcome: "unsupported" | "unavailable"; why: string };

interface Undo {
  /** The patch putting back the previous values of everything the refused write changed. */
  ops: PatchOp[];
  /** Params whose previous value is not known (write-only secrets): they keep the new value. */
  unrestorable: string[];
}

/**
 * The inverse of an applied patch, from the values before it. A param whose previous value is
 * UNVERIFIED (a secret of an adopted connection, never returned by Flow Service) or listed in
 * `unknown` (a secret that `pulumi refresh` dropped from state) cannot be restored.
 */
export function undoPatch(applied: readonly PatchOp[], previous: PatchableFields, unknown: readonly string[] = []): Undo {
  const ops: PatchOp[] = [];
  const unrestorable: string[] = [];
  for (const op of applied) {
    const key = paramKeyOf(op);
    const before =
      key !== undefined
        ? previous.params[key]
        : op.path === "/name"
          ? previous.name
          : op.path === "/description"
            ? previous.description
            : undefined;
    if (key !== undefined && (before === UNVERIFIED || unknown.includes(key))) {
      unrestorable.push(key);
    } else if (before === undefined) {
      if (op.op !== "remove") ops.push({ op: "remove", path: op.path });
    } else {
      ops.push({ op: op.op === "remove" ? "add" : "replace", path: op.path, value: before });
    }
  }
  return { ops, unrestorable: unrestorable.sort() };
}

const list = (names: readonly string[]) => (names.length > 0 ? names.join(", ") : "(none)");
const testCall = (id: string) => `GET /connections/${id}/test answered {"result": false}`;

interface RefusalFacts {
  id: string;
  name: string;
  /** The auth params the refused write set (names only). */
  params: readonly string[];
}

/** A refused create whose new connection was deleted (`deleteError` absent) or could not be. */
export function refusedCreateMessage(f: RefusalFacts, deleteError?: string): string {
  const head =
    `Connection "${f.name}" was not created: the source system refused its credentials (${testCall(f.id)}). ` +
    `Params involved: ${list(f.params)} (values not shown). `;
  if (deleteError === undefined) {
    return `${head}The new connection ${f.id} was deleted, so nothing is left half-made. Fix the credentials in the program and run 'pulumi up' again.`;
  }
  return (
    `${head}Deleting the new connection ${f.id} failed too (${deleteError}): it exists in Flow Service with the refused credentials, ` +
    `and is recorded in Pulumi's state so that it is not lost. Fix the credentials and run 'pulumi up' (it sends them again and tests them), ` +
    `or remove the resource from the program to delete the connection.`
  );
}

/** What the test after a rollback says about the previous credentials (never "works as before" without it). */
function retestSentence(t: TestResult, restoredAll: boolean): string {
  const what = restoredAll ? "the previous credentials" : "the credentials it holds now";
  switch (t.outcome) {
    case "passed":
      return `Tested again after the rollback: ${what} pass (the connection works).`;
    case "refused":
      return restoredAll
        ? "Tested again after the rollback: the previous credentials fail too — the source system refuses both, so the connection does not work now."
        : `Tested again after the rollback: ${what} fail too, so the connection does not work now.`;
    default:
      return `Whether ${what} work is not known: the test after the rollback could not run (${t.why}).`;
  }
}

/** A refused update or adoption that was rolled back (perhaps except secrets whose previous value is unknown), and the test that followed. */
export function rolledBackMessage(
  f: RefusalFacts & { etag: string; unrestorable: readonly string[]; adopted: boolean; retest: TestResult },
): string {
  const head =
    `Connection ${f.id} ("${f.name}"): the source system refused the new credentials (${testCall(f.id)}). ` +
    `Params involved: ${list(f.params)} (values not shown). `;
  const redo = f.adopted ? "The adoption was not recorded in Pulumi's state." : "Pulumi's state keeps the previous values.";
  const retest = retestSentence(f.retest, f.unrestorable.length === 0);
  if (f.unrestorable.length === 0) {
    const short =
      f.retest.outcome === "passed"
        ? "rolled back; the previous credentials pass"
        : f.retest.outcome === "refused"
          ? "rolled back; the previous credentials fail too — the source refuses both"
          : "rolled back; the previous credentials are untested";
    return `${head}They were ${short} (version ${f.etag}). ${retest} ${redo} Set credentials the source system accepts in the program and run 'pulumi up' again.`;
  }
  const several = f.unrestorable.length > 1;
  const why = f.adopted
    ? "the connection was adopted, and Flow Service never returns secret values"
    : "Pulumi's state does not hold the previous value: a 'pulumi refresh' after an outside change drops secrets, which Flow Service never returns, and an earlier refused write that could not be undone leaves the params it wrote unverified";
  return (
    `${head}The other changes were rolled back (version ${f.etag}), but the previous value${several ? "s" : ""} of ${list(f.unrestorable)} could not be restored (${why}): ` +
    `the connection still holds the refused ${several ? "values" : f.unrestorable[0]}. ${retest} ${redo} ` +
    `Set working credentials in the program and run 'pulumi up': it sends them and tests them again.`
  );
}

const UNTESTED_WHY = {
  unsupported: "the connector does not support connection tests",
  unavailable: "the test endpoint did not answer",
};

/** A credential write that stands untested: the warning (or, under requireVerifiedCredentials, the error) a user reads. */
export function untestedMessage(f: {
  id: string;
  name: string;
  params: readonly string[];
  what: "created" | "updated" | "adopted";
  test: Extract<TestResult, { why: string }>;
  strict: boolean;
}): string {
  const head =
    `Connection ${f.id} ("${f.name}"): its credentials were ${f.what} but not tested — ${UNTESTED_WHY[f.test.outcome]} (${f.test.why}). ` +
    `Params involved: ${list(f.params)} (values not shown). `;
  if (!f.strict) {
    return (
      `${head}They are kept, with verification "${f.test.outcome}"; whether the source system accepts them is not known. ` +
      `A later 'pulumi up' does not test them again unless they change. To make such a write fail 'pulumi up' instead, set flowservice:requireVerifiedCredentials true.`
    );
  }
  const redo =
    f.test.outcome === "unsupported"
      ? "This connector cannot be tested: set verifyCredentials: false on this resource to accept its credentials untested."
      : "Run 'pulumi up' again once the test endpoint answers: it sends the credentials again and tests them.";
  return (
    `${head}flowservice:requireVerifiedCredentials is true, so this fails. The write stands in Flow Service and is recorded in Pulumi's state ` +
    `without the untested params, so the next 'pulumi up' sends them again and tests them. ${redo}`
  );
}

/** The test of a credential write was refused to this stack's own API client: an error, with the write recorded. */
export function ownClientRefusedMessage(f: {
  id: string;
  name: string;
  params: readonly string[];
  what: "created" | "updated" | "adopted";
  why: string;
}): string {
  return (
    `Connection ${f.id} ("${f.name}"): its credentials were ${f.what}, but Flow Service refused this stack's own API client when the provider tested them (${f.why}): ` +
    `the client may have been deactivated, or lost the permission to test connections. Params involved: ${list(f.params)} (values not shown). ` +
    `The write stands in Flow Service and is recorded in Pulumi's state without the untested params. ` +
    `Check the API client (flowservice:clientId, its credentials and product profile), then run 'pulumi up': it sends the credentials again and tests them.`
  );
}

/** A refused write that could not be undone: what the connection holds now, and how to recover. */
export function rollbackFailedMessage(f: RefusalFacts & { etag: string; why: string; live?: FlowConnection; adopted: boolean }): string {
  const who = [f.live?.updatedBy && `by ${f.live.updatedBy}`, f.live?.updatedAt && `at ${new Date(f.live.updatedAt).toISOString()}`]
    .filter(Boolean)
    .join(" ");
  const since =
    f.live && f.live.etag !== f.etag
      ? `; someone else has changed it since (Flow Service now has version ${f.live.etag}${who ? `, changed ${who}` : ""})`
      : "";
  const recover = f.adopted
    ? "The adoption was not recorded in Pulumi's state. To recover: set credentials the source system accepts and run 'pulumi up' (it reads the connection again, sends them and tests them)."
    : "To recover: run 'pulumi refresh' (it takes the connection's current version into state), then 'pulumi up' with credentials the source system accepts (it sends them again and tests them).";
  return (
    `Connection ${f.id} ("${f.name}"): the source system refused the new credentials (${testCall(f.id)}; params involved: ${list(f.params)}, values not shown), ` +
    `and rolling them back failed: ${f.why}. The connection now holds the new, unverified credentials: version ${f.etag} has them${since}. ` +
    `Nothing was overwritten. ${recover}`
  );
}
