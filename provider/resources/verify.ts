// Safe credential changes: after every credential write the connection is tested once
// (GET /connections/{id}/test), and a write the source system refuses is undone — a new connection
// is deleted, an update or adoption is PATCHed back — before the operation fails. A test that
// cannot be performed (unsupported connector, endpoint down after retries) keeps the write.
import type { CallOptions } from "../api/client";
import type { FlowSession } from "../api/session";
import { connection } from "../core/entities/connection";
import { secretValuesOf } from "../core/entity";
import { CredentialsRefusedError, FlowServiceProviderError } from "../core/errors";
import { fieldsFromInputs, fieldsFromLive, plain } from "../core/mappings";
import { ConnectionInputs, ConnectionOutputs, FlowConnection, PatchOp, Verification } from "../core/schemas";
import {
  paramsOf,
  refusedCreateMessage,
  rollbackFailedMessage,
  rolledBackMessage,
  undoPatch,
  unperformedTest,
  writesCredentials,
} from "../core/verification";

type TestOutcome = Exclude<Verification, "skipped">;

/** The resource's choice, else the stack's (flowservice:verifyCredentials, default true). */
export function verificationOn(s: FlowSession, inputs: Pick<ConnectionInputs, "verifyCredentials">): boolean {
  return inputs.verifyCredentials ?? s.config.verifyCredentials;
}

async function test(s: FlowSession, id: string, call: CallOptions): Promise<TestOutcome> {
  try {
    return (await s.client.testConnection(id, call)) ? "passed" : "refused";
  } catch (e) {
    if (e instanceof FlowServiceProviderError) return unperformedTest(e);
    throw e;
  }
}

/** Plain JSON (the host refuses an undefined member): verifiedAt stays absent until a test passes. */
function stamped(outs: ConnectionOutputs, outcome: Verification): ConnectionOutputs {
  return plain({ ...outs, verification: outcome, verifiedAt: outcome === "passed" ? new Date().toISOString() : outs.verifiedAt });
}

/** Outputs that vouch for none of `params`: the next `up` sends them again (and tests them). */
function unverified(outs: ConnectionOutputs, params: readonly string[]): ConnectionOutputs {
  const kept = Object.fromEntries(Object.entries(outs.auth.params).filter(([k]) => !params.includes(k)));
  return plain({ ...outs, auth: { ...outs.auth, params: kept }, verification: "refused" as const });
}

const secretsOf = (...all: ConnectionInputs[]) => all.flatMap((i) => secretValuesOf(connection, i));

/** After POST /connections: a refused connection is deleted, so a failed create leaves nothing behind. */
export async function verifyCreated(
  s: FlowSession,
  inputs: ConnectionInputs,
  outs: ConnectionOutputs,
  call: CallOptions = {},
): Promise<ConnectionOutputs> {
  if (!verificationOn(s, inputs)) return stamped(outs, "skipped");
  const outcome = await test(s, outs.connectionId, call);
  if (outcome !== "refused") return stamped(outs, outcome);
  const facts = { id: outs.connectionId, name: inputs.name, params: Object.keys(inputs.auth.params).sort() };
  try {
    await s.client.delete(connection.collection, outs.connectionId, call);
  } catch (e) {
    // It exists: record it (a partial failure) rather than lose it.
    const recorded = { id: outs.connectionId, outs: unverified(outs, facts.params) };
    throw new CredentialsRefusedError(refusedCreateMessage(facts, (e as Error).message), outs.connectionId, false, recorded);
  }
  throw new CredentialsRefusedError(refusedCreateMessage(facts), outs.connectionId, true);
}

/** After an adoption's PATCH: a refusal is PATCHed back to what was read; an adopted connection is never deleted. */
export async function verifyAdopted(
  s: FlowSession,
  inputs: ConnectionInputs,
  live: FlowConnection,
  ops: readonly PatchOp[],
  outs: ConnectionOutputs,
  call: CallOptions = {},
): Promise<ConnectionOutputs> {
  if (!writesCredentials(ops) || !verificationOn(s, inputs)) return stamped(outs, "skipped");
  const outcome = await test(s, outs.connectionId, call);
  if (outcome !== "refused") return stamped(outs, outcome);
  const undo = undoPatch(ops, fieldsFromLive(live, inputs.secretKeys));
  const facts = { id: outs.connectionId, name: inputs.name, params: paramsOf(ops), adopted: true };
  const r = await undoWrite(s, outs, undo.ops, [...inputs.secretKeys], secretsOf(inputs), call);
  if ("failed" in r)
    throw new CredentialsRefusedError(rollbackFailedMessage({ ...facts, etag: outs.etag, why: r.failed, live: r.live }), facts.id, false);
  throw new CredentialsRefusedError(rolledBackMessage({ ...facts, etag: r.etag, unrestorable: undo.unrestorable }), facts.id, true);
}

/**
 * After an update's PATCH: a write that touched /auth is tested; a refusal is PATCHed back (If-Match:
 * the etag the PATCH returned) and the state keeps the previous values with the rollback's etag.
 */
export async function verifyUpdated(
  s: FlowSession,
  olds: ConnectionOutputs,
  news: ConnectionInputs,
  ops: readonly PatchOp[],
  outs: ConnectionOutputs,
  call: CallOptions = {},
): Promise<ConnectionOutputs> {
  if (!writesCredentials(ops)) return outs; // the last test's outcome stands
  if (!verificationOn(s, news)) return stamped(outs, "skipped");
  const id = outs.connectionId;
  const outcome = await test(s, id, call);
  if (outcome !== "refused") return stamped(outs, outcome);
  // Previous values not known: secrets `pulumi refresh` dropped from state, and, after a refused
  // write that could not be undone, every param it wrote (absent from state, yet not absent remotely).
  const missing = (k: string) => !(k in olds.auth.params);
  const unknown = olds.verification === "refused" ? paramsOf(ops).filter(missing) : olds.secretKeys.filter(missing);
  const undo = undoPatch(ops, fieldsFromInputs(olds), unknown);
  const facts = { id, name: news.name, params: paramsOf(ops), adopted: false };
  const secretKeys = [...new Set([...olds.secretKeys, ...news.secretKeys])];
  const r = await undoWrite(s, outs, undo.ops, secretKeys, secretsOf(olds, news), call);
  if ("failed" in r) {
    // Recorded with the version that holds the new credentials, those credentials left out: the
    // next `up` sends them again with that If-Match, so another writer's change meets a 412.
    const recorded = { id, outs: unverified(outs, facts.params) };
    throw new CredentialsRefusedError(
      rollbackFailedMessage({ ...facts, etag: outs.etag, why: r.failed, live: r.live }),
      id,
      false,
      recorded,
    );
  }
  // The engine keeps the old outputs on a plain error, with an etag that is now stale twice over.
  const recorded = { id, outs: plain({ ...olds, etag: r.etag }) };
  throw new CredentialsRefusedError(rolledBackMessage({ ...facts, etag: r.etag, unrestorable: undo.unrestorable }), id, true, recorded);
}

/** The undo PATCH, with If-Match the refused write's etag: another writer in between meets a 412, nothing is overwritten. */
async function undoWrite(
  s: FlowSession,
  outs: ConnectionOutputs,
  ops: PatchOp[],
  secretKeys: string[],
  secrets: string[],
  call: CallOptions,
): Promise<{ etag: string } | { failed: string; live?: FlowConnection }> {
  if (ops.length === 0) return { etag: outs.etag };
  try {
    const r = await s.recovery.patch(connection, { ...call, id: outs.connectionId, ops, etag: outs.etag, secrets, secretKeys });
    if ("conflict" in r)
      return {
        failed: `the connection was changed by someone else in the meantime (${r.conflict.message})`,
        live: r.live as FlowConnection | undefined,
      };
    return { etag: r.applied.etag ?? outs.etag };
  } catch (e) {
    return { failed: (e as Error).message };
  }
}
