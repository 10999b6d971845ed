// Create, read, update and delete of one connection: plain async functions over the API session.
// The Pulumi glue (provider.ts) only adapts these to the engine's calls.
import type { FlowSession } from "../api/session";
import { connection } from "../core/entities/connection";
import { secretValuesOf } from "../core/entity";
import { ApiError, ConflictError, FlowServiceProviderError } from "../core/errors";
import { buildOutputs, describeConflict, fieldsFromInputs, fieldsFromLive, refreshedState } from "../core/mappings";
import { assertGoneIsKnown, assertSameOrigin, withOrigin } from "../core/origin";
import { planPatch } from "../core/planner";
import { ConnectionInputs, ConnectionOutputs, FlowConnection } from "../core/schemas";
import { verifyAdopted, verifyCreated, verifyUpdated } from "./verify";

export async function createConnection(s: FlowSession, inputs: ConnectionInputs): Promise<{ id: string; outs: ConnectionOutputs }> {
  if (inputs.adoptId) return adoptConnection(s, inputs, inputs.adoptId);
  const sandbox = inputs.sandboxName;
  const write = await s.recovery.create(connection, {
    body: connection.createBody(inputs),
    secrets: secretValuesOf(connection, inputs),
    sandbox,
  });
  // The connection exists from here on: a failed read of its metadata must not lose it.
  const live = await s.client.getConnection(write.id, { sandbox }).catch(() => undefined);
  const outs = withOrigin(buildOutputs(inputs, write, { live, adopted: false }), s.origin);
  return { id: write.id, outs: await verifyCreated(s, inputs, outs, { sandbox }) };
}

async function adoptConnection(s: FlowSession, inputs: ConnectionInputs, id: string): Promise<{ id: string; outs: ConnectionOutputs }> {
  const sandbox = inputs.sandboxName;
  const live = await s.client.getConnection(id, { sandbox });
  if (!live) {
    throw new FlowServiceProviderError(
      "NOT_FOUND",
      `adoptId ${id}: no such connection in sandbox "${s.client.sandboxOf({ sandbox })}". Check the id (GET /connections/${id}) and the sandbox: ` +
        `the connection's sandboxName, or when it declares none the stack's flowservice:sandboxName.`,
    );
  }
  if (live.connectionSpec.id !== inputs.connectionSpec.id || live.auth?.specName !== inputs.auth.specName) {
    throw new FlowServiceProviderError(
      "VALIDATION",
      `adoptId ${id}: the connection uses connector ${live.connectionSpec.id} with auth spec "${live.auth?.specName}", ` +
        `but the program declares ${inputs.connectionSpec.id} with "${inputs.auth.specName}". A connection's connector cannot change: ` +
        `declare the connection as it is, or drop adoptId to create a new one.`,
    );
  }
  const ops = planPatch(fieldsFromLive(live, inputs.secretKeys), fieldsFromInputs(inputs));
  let etag = live.etag;
  if (ops.length > 0) {
    const result = await s.recovery.patch(connection, {
      id,
      ops,
      etag: live.etag,
      secrets: secretValuesOf(connection, inputs),
      secretKeys: inputs.secretKeys,
      sandbox,
    });
    if ("conflict" in result) throw result.conflict;
    etag = result.applied.etag ?? etag;
  }
  const outs = withOrigin(buildOutputs(inputs, { id, etag }, { live, adopted: true }), s.origin);
  return { id, outs: await verifyAdopted(s, inputs, live, ops, outs, { sandbox }) };
}

/** What refresh finds: the connection is gone, or its state as read (and new inputs when it drifted). */
export type ReadOutcome = { gone: true } | { gone: false; outs: ConnectionOutputs; inputs?: ConnectionInputs };

export async function readConnection(s: FlowSession, id: string, outs: ConnectionOutputs): Promise<ReadOutcome> {
  // Each connection is read in its own sandbox (state from earlier releases: the stack's), from the
  // sandbox's listing when it holds the connection; gone only on its own GET's 404 (api/reads.ts).
  const what = `Connection ${id} ("${outs.name}")`;
  assertSameOrigin(what, outs, s.origin, "read");
  const live = await s.reads.read(connection, id, { sandbox: outs.sandboxName });
  if (!live) {
    assertGoneIsKnown(what, outs, s.origin);
    return { gone: true };
  }
  const r = refreshedState(outs, live as FlowConnection);
  return { gone: false, outs: withOrigin(r.outputs, s.origin), inputs: r.inputs };
}

export async function updateConnection(
  s: FlowSession,
  id: string,
  olds: ConnectionOutputs,
  news: ConnectionInputs,
): Promise<ConnectionOutputs> {
  assertSameOrigin(`Connection ${id} ("${olds.name}")`, olds, s.origin, "update");
  const ops = planPatch(fieldsFromInputs(olds), fieldsFromInputs(news));
  if (ops.length === 0) {
    return withOrigin(buildOutputs(news, { id, etag: olds.etag }, { previous: olds, adopted: olds.adopted }), s.origin);
  }
  // The connection lives where it was applied (a different sandbox is a replacement, never an update).
  const sandbox = olds.sandboxName ?? news.sandboxName;
  const result = await s.recovery.patch(connection, {
    id,
    ops,
    etag: olds.etag,
    secrets: secretValuesOf(connection, news),
    secretKeys: news.secretKeys,
    sandbox,
  });
  if ("conflict" in result) {
    const live = result.live as FlowConnection | undefined;
    throw new ConflictError(describeConflict(id, olds, live), id, olds.etag, live?.etag);
  }
  return verifyUpdated(
    s,
    olds,
    news,
    ops,
    withOrigin(buildOutputs(news, { id, etag: result.applied.etag ?? olds.etag }, { previous: olds, adopted: olds.adopted }), s.origin),
    { sandbox },
  );
}

export async function deleteConnection(s: FlowSession, id: string, outs: ConnectionOutputs): Promise<"deleted" | "absent" | "retained"> {
  // An adopted connection existed before the stack: it outlives it unless the program says otherwise.
  const deleteIt = outs.deleteOnDestroy ?? !outs.adopted;
  if (!deleteIt) return "retained";
  assertSameOrigin(`Connection ${id} ("${outs.name}")`, outs, s.origin, "delete");
  try {
    const confirmAbsent = async (e: ApiError) => {
      await s.reads.confirmGone(connection, id, e, { sandbox: outs.sandboxName }, "delete");
      assertGoneIsKnown(`Connection ${id} ("${outs.name}")`, outs, s.origin);
    };
    return await s.client.delete(connection.collection, id, { sandbox: outs.sandboxName, confirmAbsent });
  } catch (e) {
    if (e instanceof ApiError && e.code === "IN_USE") {
      throw new FlowServiceProviderError(
        "IN_USE",
        `${e.message}. Connection ${id} ("${outs.name}") is used by dataflows: delete or reassign those dataflows first, ` +
          `or keep the connection by setting deleteOnDestroy: false (or the retainOnDelete resource option).`,
      );
    }
    throw e;
  }
}
