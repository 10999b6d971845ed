// Safe credential changes: after every credential write the connection is tested once
// (GET /connections/{id}/test), and a write the source system refuses is undone — a new connection
// is deleted, an update or adoption is PATCHed back and tested again, so the message and the state
// say whether the previous credentials work — before the operation fails. A test that cannot be
// performed (unsupported connector, endpoint down after retries) keeps the write with a warning, or
// fails `up` under flowservice:requireVerifiedCredentials; a test refused to our own API client
// (401/403) is an error. State never says "passed" unless a test passed now.
import type { CallOptions } from "../api/client";
import type { FlowSession } from "../api/session";
import { connection } from "../core/entities/connection";
import { secretValuesOf } from "../core/entity";
import { CredentialsRefusedError, FlowServiceProviderError } from "../core/errors";
import { fieldsFromInputs, fieldsFromLive } from "../core/mappings";
import { plainJson } from "../core/vocabulary";
import { ConnectionInputs, ConnectionOutputs, FlowConnection, PatchOp, Verification } from "../core/schemas";
import {
  ownClientRefused,
  ownClientRefusedMessage,
  paramsOf,
  refusedCreateMessage,
  rollbackFailedMessage,
  rolledBackMessage,
  TestResult,
  undoPatch,
  unperformedTest,
  untestedMessage,
  writesCredentials,
} from "../core/verification";
import { warn } from "./warnings";

/** The resource's choice, else the stack's (flowservice:verifyCredentials, default true). */
function verificationOn(s: FlowSession, inputs: Pick<ConnectionInputs, "verifyCredentials">): boolean {
  return inputs.verifyCredentials ?? s.config.verifyCredentials;
}

type Tested = TestResult | { outcome: "own-client"; why: string };

async function test(s: FlowSession, id: string, call: CallOptions): Promise<Tested> {
  try {
    return { outcome: (await s.client.testConnection(id, call)) ? "passed" : "refused" };
  } catch (e) {
    if (!(e instanceof FlowServiceProviderError)) throw e;
    return { outcome: ownClientRefused(e) ? "own-client" : unperformedTest(e), why: e.message };
  }
}

/** Plain JSON (the host refuses an undefined member): verifiedAt stays absent until a test passes. */
function stamped(outs: ConnectionOutputs, outcome: Verification): ConnectionOutputs {
  return plainJson({ ...outs, verification: outcome, verifiedAt: outcome === "passed" ? new Date().toISOString() : outs.verifiedAt });
}

/** Outputs that vouch for none of `params`: the next `up` sends them again (and tests them). */
function unverified(outs: ConnectionOutputs, params: readonly string[], outcome: Verification = "refused"): ConnectionOutputs {
  const kept = Object.fromEntries(Object.entries(outs.auth.params).filter(([k]) => !params.includes(k)));
  return plainJson({ ...outs, auth: { ...outs.auth, params: kept }, verification: outcome });
}

interface WriteFacts {
  id: string;
  name: string;
  params: readonly string[];
  what: "created" | "updated" | "adopted";
}

/**
 * A test that passed, or could not be performed: the outputs to record. Untested credentials are a
 * warning naming the connection, or (requireVerifiedCredentials) an error that records the write
 * without the untested params; a test refused to our own client is always such an error.
 */
function settle(s: FlowSession, f: WriteFacts, outs: ConnectionOutputs, tested: Tested): ConnectionOutputs {
  if (tested.outcome === "passed" || tested.outcome === "refused") return stamped(outs, tested.outcome);
  const t = tested as Extract<Tested, { why: string }>;
  const recorded = { id: f.id, outs: unverified(outs, f.params, t.outcome === "own-client" ? "unavailable" : t.outcome) };
  if (t.outcome === "own-client")
    throw new CredentialsRefusedError(ownClientRefusedMessage({ ...f, why: t.why }), f.id, false, recorded, "AUTH");
  const strict = s.config.requireVerifiedCredentials;
  const message = untestedMessage({ ...f, test: t, strict });
  if (strict) throw new CredentialsRefusedError(message, f.id, false, recorded, "UNVERIFIED");
  warn(message);
  return stamped(outs, t.outcome);
}

/** The test after a rollback: what it says, never an error (the operation fails anyway). */
async function retest(s: FlowSession, id: string, call: CallOptions): Promise<TestResult> {
  const t = await test(s, id, call);
  return t.outcome === "own-client" ? { outcome: "unavailable", why: `Flow Service refused this stack's own API client: ${t.why}` } : t;
}

/** The previous outputs after a rollback, stamped with the test that followed it. */
function rolledBack(olds: ConnectionOutputs, etag: string, t: TestResult): ConnectionOutputs {
  return plainJson({
    ...olds,
    etag,
    verification: t.outcome,
    verifiedAt: t.outcome === "passed" ? new Date().toISOString() : olds.verifiedAt,
  });
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
  const facts = { id: outs.connectionId, name: inputs.name, params: Object.keys(inputs.auth.params).sort() };
  const t = await test(s, outs.connectionId, call);
  if (t.outcome !== "refused") return settle(s, { ...facts, what: "created" }, outs, t);
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
  const facts = { id: outs.connectionId, name: inputs.name, params: paramsOf(ops), adopted: true };
  const t = await test(s, outs.connectionId, call);
  if (t.outcome !== "refused") return settle(s, { ...facts, what: "adopted" }, outs, t);
  const undo = undoPatch(ops, fieldsFromLive(live, inputs.secretKeys));
  const r = await undoWrite(s, outs, undo.ops, [...inputs.secretKeys], secretsOf(inputs), call);
  if ("failed" in r)
    throw new CredentialsRefusedError(rollbackFailedMessage({ ...facts, etag: outs.etag, why: r.failed, live: r.live }), facts.id, false);
  const after = undo.ops.length > 0 ? await retest(s, facts.id, call) : t;
  throw new CredentialsRefusedError(
    rolledBackMessage({ ...facts, etag: r.etag, unrestorable: undo.unrestorable, retest: after }),
    facts.id,
    true,
  );
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
  const facts = { id, name: news.name, params: paramsOf(ops), adopted: false };
  const t = await test(s, id, call);
  if (t.outcome !== "refused") return settle(s, { ...facts, what: "updated" }, outs, t);
  // Previous values not known: secrets `pulumi refresh` dropped from state, and, after a write that
  // was refused and not undone, or left untested, every param it wrote (absent from state, yet not absent remotely).
  const missing = (k: string) => !(k in olds.auth.params);
  const partial = ["refused", "unavailable", "unsupported"].includes(olds.verification ?? "");
  const unknown = partial ? paramsOf(ops).filter(missing) : olds.secretKeys.filter(missing);
  const undo = undoPatch(ops, fieldsFromInputs(olds), unknown);
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
  // Tested again: the state says what the previous credentials do now, not what they did before.
  const after = undo.ops.length > 0 ? await retest(s, id, call) : t;
  // The engine keeps the old outputs on a plain error, with an etag that is now stale twice over.
  const recorded = { id, outs: rolledBack(olds, r.etag, after) };
  throw new CredentialsRefusedError(
    rolledBackMessage({ ...facts, etag: r.etag, unrestorable: undo.unrestorable, retest: after }),
    id,
    true,
    recorded,
  );
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
