// Recovery of lost writes, for any entity by its description. Flow Service has no idempotency key,
// so a write whose reply was lost is recognised by reading Flow Service back, never by sending it
// again blindly:
// - a POST with an unknown outcome is followed by a search of its collection for the object it may
//   have created (same name and spec, created by this client since the POST); only when there is
//   none is it sent again;
// - a PATCH or action retried after a lost reply that then meets 412 may have been applied by the
//   first attempt: the object is read once, and if it shows this client's write that is success.
import { ApiError, BadReplyError, FlowServiceProviderError, NetworkError } from "../core/errors";
import { jsonEqual, secretKeyOf, valueAt } from "../core/docPlanner";
import { AnyDescription, liveDocument, LiveObject } from "../core/entity";
import type { PatchOp, WriteReply } from "../core/schemas";
import type { CallOptions, FlowServiceClient } from "./client";
import type { DuplicateCheck } from "./duplicates";
import type { WriteLedger } from "./ledger";
import { retrying, RetryPolicy } from "./retry";

/** How far back a search looks, to allow for clock skew between this machine and Flow Service. */
const SKEW_MS = 300_000;

interface RecoveryDeps {
  client: FlowServiceClient;
  ledger: WriteLedger;
  retry: RetryPolicy;
  /** The per-request timeout: how long a POST the client gave up on may still be processed. */
  requestTimeoutMs: number;
  /** Looks for an interrupted run's object before each create (absent: no check). */
  duplicates?: DuplicateCheck;
}

type CreateOptions = CallOptions & { body: Record<string, unknown>; secrets: readonly string[] };

/** A write's result: applied (perhaps recognised after a lost reply), or a conflict with the live object read once. */
type WriteResult = { applied: { id: string; etag?: string } } | { conflict: ApiError; live: LiveObject | undefined };

export class Recovery {
  constructor(private readonly deps: RecoveryDeps) {}

  /**
   * Creates an object exactly once. Within one process, creates of the same name in the same
   * sandbox and collection run one at a time, and the search never returns an object this process
   * already knows: two resources of the same name can never take each other's object.
   */
  create(desc: AnyDescription, o: CreateOptions): Promise<WriteReply> {
    const { client, ledger } = this.deps;
    const key = `${client.sandboxOf(o)}\u0000${desc.collection}\u0000${String(o.body.name)}`;
    return ledger.serialized(key, async () => {
      await this.deps.duplicates?.beforeCreate(desc, o);
      const started = Date.now();
      return retrying(this.deps.retry, async () => {
        const outcome = await client.post(desc.collection, o);
        if ("created" in outcome) return { done: true, value: outcome.created };
        const what = desc.label.toLowerCase();
        const lost = outcome.unknown;
        // Never sent: nothing to search for. The POST is what failed, and the user is told so.
        if (lost instanceof NetworkError && lost.notSent) {
          throw new NetworkError(
            `${lost.message}. Flow Service could not be reached, so no ${what} was created: check flowservice:endpoint (or AEP_FLOW_ENDPOINT) and the network, then run 'pulumi up' again`,
            false,
            true,
          );
        }
        const found = await this.findAfterLostPost(desc, o, started, lost).catch((e: unknown) => {
          throw searchAfterLostPostFailed(lost, e, what, String(o.body.name), client.sandboxOf(o));
        });
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

  /** The object a POST with an unknown outcome created, waiting for one the client stopped waiting for. */
  private async findAfterLostPost(desc: AnyDescription, o: CreateOptions, started: number, why: Error): Promise<WriteReply | undefined> {
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

  /**
   * The object this client may just have created: the same create (the description decides), by
   * this client since `since` (minus clock skew), and not one this process already knows. One is
   * taken, several are reported, none means the POST was not applied.
   */
  async findCreated(
    desc: AnyDescription,
    o: CallOptions & { body: Record<string, unknown> },
    since: number,
  ): Promise<WriteReply | undefined> {
    const { client, ledger } = this.deps;
    const notBefore = since - SKEW_MS;
    const name = String(o.body.name);
    const candidates = (await this.search(desc, o, notBefore)).filter(
      (c) =>
        desc.sameCreate(c, o.body as never) &&
        (c.createdClient === undefined || c.createdClient === client.clientId) &&
        (c.createdAt === undefined || c.createdAt >= notBefore) &&
        !ledger.knows(c.id),
    );
    if (candidates.length > 1) {
      throw new ApiError(
        "API",
        0,
        undefined,
        "Ambiguous create",
        `the reply to POST /${desc.collection} was lost and ${candidates.length} ${desc.plural ?? "objects"} named "${name}" now exist (${candidates.map((c) => c.id).join(", ")}); adopt the right one with adoptId and delete the others`,
        undefined,
        `POST /${desc.collection}`,
      );
    }
    if (candidates.length === 0) return undefined;
    ledger.know(candidates[0].id);
    ledger.wrote(candidates[0].id);
    return { id: candidates[0].id, etag: candidates[0].etag };
  }

  /**
   * The objects that may be the lost create. A comma means any-of in a filter value and cannot be
   * escaped: such names are matched by findCreated only. For a collection with equality filters
   * only (connections), the time window is matched by findCreated too, and a filter refused with
   * 400 moves to a wider query (spec only, then the whole sandbox, all pages) instead of failing:
   * wider queries only cost requests, the matching stays the same.
   */
  private async search(desc: AnyDescription, o: CallOptions & { body: Record<string, unknown> }, notBefore: number): Promise<LiveObject[]> {
    const name = String(o.body.name);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: a name with a control character cannot go in a filter
    const named = /^[^,\u0000-\u001f\u007f]+$/.test(name) ? [`name==${name}`] : [];
    const own = desc.searchFilters(o.body as never);
    const list = (filters: string[]) => this.deps.client.list(desc.collection, desc.live, filters, o);
    if (!desc.equalityFiltersOnly) return list([...named, `createdAt>=${notBefore}`, ...own]);
    const queries = [...(named.length > 0 ? [[...named, ...own]] : []), own, []];
    for (const [i, filters] of queries.entries()) {
      try {
        return await list(filters);
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 400)) throw e;
        if (i === queries.length - 1) {
          const what = desc.label.toLowerCase();
          throw new FlowServiceProviderError(
            "API",
            `the reply to POST /${desc.collection} was lost, and the search for the ${what} it may have created was refused (${e.message}). ` +
              `Look for a ${what} named "${name}" in sandbox "${this.deps.client.sandboxOf(o)}": adopt it with adoptId, or delete it, before the next 'pulumi up'.`,
          );
        }
      }
    }
    return [];
  }

  /** PATCH with If-Match; a 412 after a possibly applied attempt reads the object once. */
  async patch(
    desc: AnyDescription,
    o: CallOptions & { id: string; ops: PatchOp[]; etag: string; secrets: readonly string[]; secretKeys: readonly string[] },
  ): Promise<WriteResult> {
    const started = Date.now();
    let outcome: Awaited<ReturnType<FlowServiceClient["patch"]>>;
    try {
      outcome = await this.deps.client.patch(desc.collection, o);
    } catch (e) {
      if (!(e instanceof BadReplyError && desc.lostVersionHint)) throw e;
      // A 2xx means "applied", but without the new etag the state cannot be brought up to date.
      throw new BadReplyError(
        `${e.message}. Flow Service answered with success, so the update was probably applied, but its new version is unknown: ${desc.lostVersionHint(o.id)}`,
      );
    }
    if ("applied" in outcome) return outcome;
    const live = await this.deps.client.get(desc.collection, desc.live, o.id, o);
    if (outcome.mayHaveApplied && live && this.showsOurWrite(live, started, () => opsShow(desc, live, o.ops, o.secretKeys))) {
      return { applied: { id: o.id, etag: live.etag } };
    }
    return { conflict: outcome.error as ApiError, live };
  }

  /** An action (ENABLE, DISABLE…) with If-Match; recognised like a PATCH by the state it leads to. */
  async action(
    desc: AnyDescription,
    o: CallOptions & { id: string; op: string; etag?: string; expectState: string },
  ): Promise<WriteResult> {
    const started = Date.now();
    const { client } = this.deps;
    let outcome: Awaited<ReturnType<FlowServiceClient["action"]>>;
    try {
      outcome = await client.action(desc.collection, o);
    } catch (e) {
      // "Cannot be applied on the current state" (1422): when the object is already where the
      // program wants it (an earlier attempt whose reply was lost, or someone else), that is success.
      if (!(e instanceof ApiError && e.apiCode?.startsWith("FLOW-1422"))) throw e;
      const live = await client.get(desc.collection, desc.live, o.id, o);
      if (live?.state !== o.expectState) throw e;
      return { applied: { id: o.id, etag: live.etag } };
    }
    if ("applied" in outcome) {
      if (outcome.applied.etag) return outcome;
      // No etag in the reply: the new version is read, so the next PATCH's If-Match is right.
      const now = await client.get(desc.collection, desc.live, o.id, o);
      return { applied: { id: o.id, etag: now?.etag } };
    }
    const live = await client.get(desc.collection, desc.live, o.id, o);
    if (outcome.mayHaveApplied && live && this.showsOurWrite(live, started, () => live.state === o.expectState)) {
      return { applied: { id: o.id, etag: live.etag } };
    }
    return { conflict: outcome.error as ApiError, live };
  }

  private showsOurWrite(live: LiveObject, since: number, shows: () => boolean): boolean {
    if (live.updatedClient !== undefined && live.updatedClient !== this.deps.client.clientId) return false;
    if (live.updatedAt !== undefined && live.updatedAt < since - SKEW_MS) return false;
    return shows();
  }
}

/** Whether the live object shows every op applied (a secret, write-only, is taken as applied). */
function opsShow(desc: AnyDescription, live: LiveObject, ops: readonly PatchOp[], secretKeys: readonly string[]): boolean {
  const doc = liveDocument(desc, live, []);
  return ops.every((op) => {
    if (secretKeyOf(op, desc.secretParent ?? [], secretKeys) !== undefined) return true;
    const current = valueAt(doc, op.path);
    return op.op === "remove" ? current === undefined : jsonEqual(current, op.value);
  });
}

/**
 * The POST failed first, then the search that would tell whether it was applied could not reach
 * Flow Service either: the POST's failure leads. (A search that Flow Service answered explains itself.)
 */
function searchAfterLostPostFailed(post: Error, search: unknown, what: string, name: string, sandbox: string): unknown {
  if (!(search instanceof NetworkError)) return search;
  return new NetworkError(
    `${post.message}; then the search for a ${what} it may have created failed too (${search.message}). ` +
      `Look for a ${what} named "${name}" in sandbox "${sandbox}": adopt it with adoptId, or delete it, before the next 'pulumi up'.`,
    search.timedOut,
    search.notSent,
  );
}
