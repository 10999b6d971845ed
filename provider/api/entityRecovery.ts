// Recovery of lost writes for any entity (recovery.ts, generalised by description). Flow Service
// has no idempotency key, so a write whose reply was lost is recognised by reading back:
// - a POST with an unknown outcome is followed by a search of its collection for the object it may
//   have created (same name and spec, created by this client since the POST); only when there is
//   none is it sent again;
// - a PATCH or action retried after a lost reply that then meets 412 may have been applied by the
//   first attempt: the object is read once, and if it shows this client's write that is success.
import { ApiError, NetworkError } from "../core/errors";
import { jsonEqual, secretKeyOf, valueAt } from "../core/docPlanner";
import { AnyDescription, liveDocument, LiveObject } from "../core/entity";
import type { PatchOp, WriteReply } from "../core/schemas";
import type { CallOptions } from "./client";
import type { EntityClient } from "./entityClient";
import type { WriteLedger } from "./ledger";
import { SKEW_MS } from "./recovery";
import { retrying, RetryPolicy } from "./retry";

export interface EntityRecoveryDeps {
  entities: EntityClient;
  ledger: WriteLedger;
  retry: RetryPolicy;
  /** The per-request timeout: how long a POST the client gave up on may still be processed. */
  requestTimeoutMs: number;
}

/** A write's result: applied (perhaps recognised after a lost reply), or a conflict with the live object read once. */
export type EntityWriteResult = { applied: { id: string; etag?: string } } | { conflict: ApiError; live: LiveObject | undefined };

export class EntityRecovery {
  constructor(private readonly deps: EntityRecoveryDeps) {}

  /**
   * Creates an object exactly once. Within one process, creates of the same name in the same
   * sandbox and collection run one at a time, and the search never returns an object this process
   * already knows: two resources of the same name can never take each other's object.
   */
  create(desc: AnyDescription, o: CallOptions & { body: Record<string, unknown>; secrets: readonly string[] }): Promise<WriteReply> {
    const { entities, ledger } = this.deps;
    const key = `${entities.sandboxOf(o)}\u0000${desc.collection}\u0000${String(o.body.name)}`;
    return ledger.serialized(key, () => {
      const started = Date.now();
      return retrying(this.deps.retry, async () => {
        const outcome = await entities.post(desc.collection, o);
        if ("created" in outcome) return { done: true, value: outcome.created };
        const found = await this.findAfterLostPost(desc, o, started, outcome.unknown);
        if (found) return { done: true, value: found };
        return {
          done: false,
          retryAfterMs: 250,
          giveUp: () => {
            throw outcome.unknown;
          },
        };
      });
    });
  }

  private async findAfterLostPost(desc: AnyDescription, o: CallOptions & { body: Record<string, unknown> }, started: number, why: Error): Promise<WriteReply | undefined> {
    const found = await this.findCreated(desc, o, started);
    if (found || !(why instanceof NetworkError && why.timedOut)) return found;
    // Flow Service may still process it: keep looking (three request timeouts, at least 10 s,
    // within the retry budget) before concluding that it was not applied.
    const patience = Math.min(Math.max(3 * this.deps.requestTimeoutMs, 10_000), this.deps.retry.budgetMs);
    const polling = { maxRetries: Number.MAX_SAFE_INTEGER, budgetMs: patience, backoff: { baseMs: 250, capMs: 2000, random: () => 1 } };
    return retrying(polling, async () => {
      const again = await this.findCreated(desc, o, started);
      return again ? { done: true, value: again } : { done: false, giveUp: () => undefined };
    });
  }

  /** The object this client may just have created; one is taken, several are reported, none means the POST was not applied. */
  async findCreated(desc: AnyDescription, o: CallOptions & { body: Record<string, unknown> }, since: number): Promise<WriteReply | undefined> {
    const { entities, ledger } = this.deps;
    const notBefore = since - SKEW_MS;
    const name = String(o.body.name);
    // A comma means any-of in a list filter, and there is no escape: such names are matched here.
    const filters = [`createdAt>=${notBefore}`, ...desc.searchFilters(o.body as never)];
    if (/^[^,\u0000-\u001f\u007f]+$/.test(name)) filters.unshift(`name==${name}`);
    const candidates = (await entities.list(desc.collection, desc.live, filters, o)).filter(
      (c) =>
        desc.sameCreate(c, o.body as never) &&
        (c.createdClient === undefined || c.createdClient === entities.clientId) &&
        (c.createdAt === undefined || c.createdAt >= notBefore) &&
        !ledger.knows(c.id),
    );
    if (candidates.length > 1) {
      throw new ApiError(
        "API",
        0,
        undefined,
        "Ambiguous create",
        `the reply to POST /${desc.collection} was lost and ${candidates.length} objects named "${name}" now exist (${candidates.map((c) => c.id).join(", ")}); adopt the right one with adoptId and delete the others`,
        undefined,
        `POST /${desc.collection}`,
      );
    }
    if (candidates.length === 0) return undefined;
    ledger.know(candidates[0].id);
    return { id: candidates[0].id, etag: candidates[0].etag };
  }

  /** PATCH with If-Match; a 412 after a possibly applied attempt reads the object once. */
  async patch(desc: AnyDescription, o: CallOptions & { id: string; ops: PatchOp[]; etag: string; secrets: readonly string[]; secretKeys: readonly string[] }): Promise<EntityWriteResult> {
    const started = Date.now();
    const outcome = await this.deps.entities.patch(desc.collection, o);
    if ("applied" in outcome) return outcome;
    const live = await this.deps.entities.get(desc.collection, desc.live, o.id, o);
    if (outcome.mayHaveApplied && live && this.showsOurWrite(desc, live, started, (doc) => o.ops.every((op) => opShows(desc, doc, op, o.secretKeys)))) {
      return { applied: { id: o.id, etag: live.etag } };
    }
    return { conflict: outcome.error as ApiError, live };
  }

  /** An action (ENABLE, DISABLE…) with If-Match; recognised like a PATCH by the state it leads to. */
  async action(desc: AnyDescription, o: CallOptions & { id: string; op: string; etag?: string; expectState: string }): Promise<EntityWriteResult> {
    const started = Date.now();
    let outcome;
    try {
      outcome = await this.deps.entities.action(desc.collection, o);
    } catch (e) {
      // "Cannot be applied on the current state" (1422): when the object is already where the
      // program wants it (an earlier attempt whose reply was lost, or someone else), that is success.
      if (!(e instanceof ApiError && e.apiCode?.startsWith("FLOW-1422"))) throw e;
      const live = await this.deps.entities.get(desc.collection, desc.live, o.id, o);
      if (live?.state !== o.expectState) throw e;
      return { applied: { id: o.id, etag: live.etag } };
    }
    if ("applied" in outcome) {
      if (outcome.applied.etag) return outcome;
      // No etag in the reply: the new version is read, so the next PATCH's If-Match is right.
      const now = await this.deps.entities.get(desc.collection, desc.live, o.id, o);
      return { applied: { id: o.id, etag: now?.etag } };
    }
    const live = await this.deps.entities.get(desc.collection, desc.live, o.id, o);
    if (outcome.mayHaveApplied && live && this.showsOurWrite(desc, live, started, () => live.state === o.expectState)) {
      return { applied: { id: o.id, etag: live.etag } };
    }
    return { conflict: outcome.error as ApiError, live };
  }

  private showsOurWrite(desc: AnyDescription, live: LiveObject, since: number, shows: (doc: Record<string, unknown>) => boolean): boolean {
    if (live.updatedClient !== undefined && live.updatedClient !== this.deps.entities.clientId) return false;
    if (live.updatedAt !== undefined && live.updatedAt < since - SKEW_MS) return false;
    return shows(liveDocument(desc, live, []));
  }
}

/** Whether the live document shows one op applied (a secret, write-only, is taken as applied). */
function opShows(desc: AnyDescription, doc: Record<string, unknown>, op: PatchOp, secretKeys: readonly string[]): boolean {
  if (secretKeyOf(op, desc.secretParent ?? [], secretKeys) !== undefined) return true;
  const current = valueAt(doc, op.path);
  return op.op === "remove" ? current === undefined : jsonEqual(current, op.value);
}
