// Create, adopt, read, update and delete of any entity over a FlowSession: plain async functions,
// driven by its description, for every resource type. The Pulumi glue (engineProvider.ts) only
// adapts them to engine calls.
import { keptOnDestroy } from "../core/destroy";
import type { FlowSession } from "../api/session";
import { assertLiveSpec } from "../api/specs";
import { planEntityPatch } from "../core/checkDiff";
import {
  AnyDescription,
  CommonInputs,
  declaredMatch,
  EntityOutputs,
  getPath,
  liveDocument,
  liveInputs,
  LiveObject,
  secretValuesOf,
} from "../core/entity";
import { assertGoneIsKnown, assertSameOrigin, withOrigin } from "../core/origin";
import { buildEntityOutputs, describeEntityConflict, refreshedEntity } from "../core/state";
import { ApiError, ConflictError, ErrorCode, FlowServiceProviderError } from "../core/errors";
import type { ConnectionOutputs, FlowConnection } from "../core/schemas";
import { withReadOutputs } from "./readOutputs";
import { retriggerAfterWrite } from "./retriggerRuns";
import { verifyAdopted, verifyCreated, verifyUpdated } from "./verify";

/** Only descriptions with verifiesCredentials (a Connection's) reach the credential test. */
const asConnection = (v: unknown) => v as ConnectionOutputs;

/**
 * A write that failed after Flow Service accepted part of it (an object created, a PATCH applied,
 * then an action refused): `outputs` is the state to record, so nothing that exists is lost and
 * the next `up` starts from the truth. The glue passes it to the engine as a partial failure.
 */
export class PartialWriteError extends FlowServiceProviderError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly id: string,
    readonly outputs: EntityOutputs,
  ) {
    super(code, message);
  }
}

function sandboxOf(s: FlowSession, declared?: string): string {
  return declared ?? s.client.sandboxOf();
}

function conflict(
  s: FlowSession,
  desc: AnyDescription,
  id: string,
  olds: EntityOutputs,
  r: { conflict: ApiError; live: LiveObject | undefined },
): ConflictError {
  return new ConflictError(describeEntityConflict(desc, id, olds, r.live, s.client.clientId), id, olds.etag, r.live?.etag);
}

/**
 * Brings the action fields (a flow's `enabled`) from `from` to `to`, one action call each; returns
 * the new etag and state. A refused action after earlier writes is a PartialWriteError.
 */
async function applyActions(
  s: FlowSession,
  desc: AnyDescription,
  id: string,
  from: Record<string, unknown>,
  to: CommonInputs,
  start: {
    etag: string;
    state?: string;
    sandbox: string;
    partial: (etag: string, state?: string) => EntityOutputs | undefined;
    olds?: EntityOutputs;
  },
): Promise<{ etag: string; state?: string }> {
  let { etag, state } = start;
  for (const a of desc.actions ?? []) {
    const want = a.desired(to);
    if (JSON.stringify(a.desired(from as never)) === JSON.stringify(want)) continue;
    const r = await s.recovery
      .action(desc, { id, op: a.op(want), etag, expectState: a.stateAfter(want), sandbox: start.sandbox })
      .catch((e: Error) => ({ error: e }));
    if ("applied" in r) {
      etag = r.applied.etag ?? etag;
      state = a.stateAfter(want);
      continue;
    }
    const error = "error" in r ? r.error : start.olds ? conflict(s, desc, id, start.olds, r) : r.conflict;
    const partial = start.partial(etag, state);
    if (!partial) throw error;
    const code = error instanceof FlowServiceProviderError ? error.code : "API";
    throw new PartialWriteError(
      code,
      `${error.message} (${desc.label} ${id} was written before this failed: the state records it as it now is)`,
      id,
      partial,
    );
  }
  return { etag, state };
}

export async function createEntity(
  s: FlowSession,
  desc: AnyDescription,
  inputs: CommonInputs,
): Promise<{ id: string; outs: EntityOutputs }> {
  const sandbox = sandboxOf(s, inputs.sandboxName);
  await assertLiveSpec(s.specs, desc, inputs);
  if (inputs.adoptId) return adoptEntity(s, desc, inputs, inputs.adoptId, sandbox);
  const write = await s.recovery.create(desc, { body: desc.createBody(inputs), secrets: secretValuesOf(desc, inputs), sandbox });
  // The object exists from here on: a failed read of its stamps must not lose it.
  const live = await s.client.get(desc.collection, desc.live, write.id, { sandbox }).catch(() => undefined);
  const outputs = (etag: string, state?: string) =>
    withOrigin(buildEntityOutputs(desc, inputs, { id: write.id, etag, state }, { live, adopted: false, sandbox }), s.origin);
  // A new object's action fields are as Flow Service made it (read back), or else their defaults.
  const current = live ? liveInputs(desc, live, []) : {};
  const done = await applyActions(s, desc, write.id, current, inputs, { etag: write.etag, sandbox, partial: outputs });
  const outs = outputs(done.etag, done.state);
  return {
    id: write.id,
    outs: desc.verifiesCredentials ? await verifyCreated(s, asConnection(inputs), asConnection(outs), { sandbox }) : outs,
  };
}

async function adoptEntity(
  s: FlowSession,
  desc: AnyDescription,
  inputs: CommonInputs,
  id: string,
  sandbox: string,
): Promise<{ id: string; outs: EntityOutputs }> {
  const live = await s.client.get(desc.collection, desc.live, id, { sandbox });
  if (!live) {
    throw new FlowServiceProviderError(
      "NOT_FOUND",
      `adoptId ${id}: no such ${desc.label.toLowerCase()} in sandbox "${sandbox}". Check the id (GET /${desc.collection}/${id}) and sandboxName (or flowservice:sandboxName).`,
    );
  }
  const declared = liveInputs(desc, live, inputs.secretKeys);
  const fixed = desc.replaceOn.filter((label) => !declaredMatch(getPath(inputs, label), getPath(declared, label)));
  if (fixed.length > 0) {
    const differences = fixed.map(
      (label) =>
        `${label} is ${JSON.stringify(getPath(declared, label))} there, the program declares ${JSON.stringify(getPath(inputs, label))}`,
    );
    throw new FlowServiceProviderError(
      "VALIDATION",
      `adoptId ${id}: ${differences.join("; ")}. Flow Service cannot patch ${fixed.join(", ")}: declare the ${desc.label.toLowerCase()} as it is, or drop adoptId to create a new one.`,
    );
  }
  const ops = planEntityPatch(desc, liveDocument(desc, live, inputs.secretKeys), desc.document(inputs));
  let etag = live.etag;
  if (ops.length > 0) {
    const r = await s.recovery.patch(desc, {
      id,
      ops,
      etag,
      secrets: secretValuesOf(desc, inputs),
      secretKeys: inputs.secretKeys,
      sandbox,
    });
    if ("conflict" in r) throw r.conflict;
    etag = r.applied.etag ?? etag;
  }
  const outputs = (e: string, state?: string) =>
    withOrigin(buildEntityOutputs(desc, inputs, { id, etag: e, state }, { live, adopted: true, sandbox }), s.origin);
  const done = await applyActions(s, desc, id, declared, inputs, {
    etag,
    sandbox,
    partial: (e, st) => (ops.length > 0 ? outputs(e, st) : undefined),
  });
  const outs = outputs(done.etag, done.state);
  if (!desc.verifiesCredentials) return { id, outs };
  const verified = await verifyAdopted(s, asConnection(inputs), live as FlowConnection, ops, asConnection(outs), { sandbox });
  return { id, outs: await retriggerAfterWrite(s, asConnection(inputs), ops, verified, { sandbox }) };
}

/** What refresh finds: the object is gone, or its state as read (and new inputs when it drifted). */
type EntityReadOutcome = { gone: true } | { gone: false; outs: EntityOutputs; inputs?: Record<string, unknown> };

export async function readEntity(s: FlowSession, desc: AnyDescription, id: string, outs: EntityOutputs): Promise<EntityReadOutcome> {
  const what = `${desc.label} ${id} ("${outs.name}")`;
  assertSameOrigin(what, outs, s.origin, "read");
  // From the listing of its collection in its sandbox when it is there; gone only when confirmed (api/reads.ts).
  const live = await s.reads.read(desc, id, { sandbox: sandboxOf(s, outs.sandboxName) });
  if (!live) {
    assertGoneIsKnown(what, outs, s.origin);
    return { gone: true };
  }
  const r = refreshedEntity(desc, outs, live);
  return { gone: false, outs: withOrigin(await withReadOutputs(s, desc, live, r.outputs), s.origin), inputs: r.inputs };
}

/** One PATCH with If-Match from state (nothing when the plan is empty), then the action calls. */
export async function updateEntity(
  s: FlowSession,
  desc: AnyDescription,
  id: string,
  olds: EntityOutputs,
  news: CommonInputs,
): Promise<EntityOutputs> {
  assertSameOrigin(`${desc.label} ${id} ("${olds.name}")`, olds, s.origin, "update");
  const sandbox = sandboxOf(s, olds.sandboxName);
  const ops = planEntityPatch(desc, desc.document(olds), desc.document(news));
  let etag = olds.etag;
  if (ops.length > 0) {
    await assertLiveSpec(s.specs, desc, news);
    const r = await s.recovery.patch(desc, { id, ops, etag, secrets: secretValuesOf(desc, news), secretKeys: news.secretKeys, sandbox });
    if ("conflict" in r) throw conflict(s, desc, id, olds, r);
    etag = r.applied.etag ?? etag;
  }
  const outputs = (e: string, state?: string) =>
    withOrigin(buildEntityOutputs(desc, news, { id, etag: e, state }, { previous: olds, adopted: olds.adopted, sandbox }), s.origin);
  const done = await applyActions(s, desc, id, olds as unknown as Record<string, unknown>, news, {
    etag,
    sandbox,
    olds,
    // After an applied PATCH the state must record it (its new etag), even if an action then fails.
    partial: (e, st) => (ops.length > 0 ? outputs(e, st) : undefined),
  });
  const outs = outputs(done.etag, done.state);
  if (!desc.verifiesCredentials) return outs;
  const verified = await verifyUpdated(s, asConnection(olds), asConnection(news), ops, asConnection(outs), { sandbox });
  return retriggerAfterWrite(s, asConnection(news), ops, verified, { sandbox });
}

export async function deleteEntity(
  s: FlowSession,
  desc: AnyDescription,
  id: string,
  outs: EntityOutputs,
): Promise<"deleted" | "absent" | "retained"> {
  // An adopted object existed before the stack: it outlives it unless the program says otherwise.
  if (keptOnDestroy(outs)) return "retained";
  assertSameOrigin(`${desc.label} ${id} ("${outs.name}")`, outs, s.origin, "delete");
  try {
    const sandbox = sandboxOf(s, outs.sandboxName);
    // A 404 drops the resource from state: only Flow Service's confirmed not-found may (api/reads.ts).
    const confirmAbsent = async (e: ApiError) => {
      await s.reads.confirmGone(desc, id, e, { sandbox }, "delete");
      assertGoneIsKnown(`${desc.label} ${id} ("${outs.name}")`, outs, s.origin);
    };
    return await s.client.delete(desc.collection, id, { sandbox, confirmAbsent });
  } catch (e) {
    // 1418 (a base connection in use) and 1447 (a source or target connection a flow still lists).
    if (e instanceof ApiError && (e.code === "IN_USE" || e.apiCode?.startsWith("FLOW-1447"))) {
      throw new FlowServiceProviderError(
        "IN_USE",
        `${e.message}. ${desc.label} ${id} ("${outs.name}"): ${desc.inUseHint}, or keep it by setting deleteOnDestroy: false (or the retainOnDelete resource option).`,
      );
    }
    throw e;
  }
}
