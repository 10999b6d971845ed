// Recovery of lost writes. Flow Service has no idempotency key, so a write whose reply was lost is
// recognised by reading Flow Service back, never by sending it again blindly:
// - a POST with an unknown outcome is followed by a search for the connection it may have created;
//   only when there is none is it sent again;
// - a PATCH retried after a lost reply that then meets 412 may have been applied by the first
//   attempt: the connection is read once, and if it shows this client's write that is success.
import { ApiError, BadReplyError, FlowServiceProviderError, NetworkError } from "../core/errors";
import { paramKeyOf } from "../core/planner";
import { FlowConnection, PatchOp, WriteReply } from "../core/schemas";
import type { CreateBody, FlowServiceClient, PatchOptions } from "./client";
import type { WriteLedger } from "./ledger";
import { retrying, RetryPolicy } from "./retry";

/** How far back a search looks, to allow for clock skew between this machine and Flow Service. */
export const SKEW_MS = 300_000;

export interface RecoveryDeps {
  client: FlowServiceClient;
  ledger: WriteLedger;
  retry: RetryPolicy;
  /** The per-request timeout: how long a POST the client gave up on may still be processed. */
  requestTimeoutMs: number;
}

/** A PATCH's result: applied (perhaps recognised after a lost reply), or a conflict with the live connection read once. */
export type PatchResult = { applied: WriteReply } | { conflict: ApiError; live: FlowConnection | undefined };

export class Recovery {
  constructor(private readonly deps: RecoveryDeps) {}

  /**
   * Creates a connection exactly once. Within one process, creates of the same name (in the same
   * sandbox) run one at a time, and the search never returns a connection this process already
   * knows: two resources of the same name can never take each other's connection.
   */
  create(o: { body: CreateBody; secrets: readonly string[]; sandbox?: string }): Promise<WriteReply> {
    const { client, ledger } = this.deps;
    const key = `${client.sandboxOf(o)}\u0000${o.body.name}`;
    return ledger.serialized(key, () => {
      const started = Date.now();
      return retrying(this.deps.retry, async () => {
        const outcome = await client.postConnection(o);
        if ("created" in outcome) return { done: true, value: outcome.created };
        const found = await this.findAfterLostPost(o, started, outcome.unknown);
        if (found) return { done: true, value: found };
        return { done: false, retryAfterMs: 250, giveUp: () => { throw outcome.unknown; } };
      });
    });
  }

  /** The connection a POST with an unknown outcome created, waiting for one the client stopped waiting for. */
  private async findAfterLostPost(o: { body: CreateBody; sandbox?: string }, started: number, why: Error): Promise<WriteReply | undefined> {
    const found = await this.findCreated(o, started);
    if (found || !(why instanceof NetworkError && why.timedOut)) return found;
    // Flow Service may still process it: keep looking (three request timeouts, at least 10 s,
    // within the retry budget) before concluding that it was not applied.
    const patience = Math.min(Math.max(3 * this.deps.requestTimeoutMs, 10_000), this.deps.retry.budgetMs);
    const polling = { maxRetries: Number.MAX_SAFE_INTEGER, budgetMs: patience, backoff: { baseMs: 250, capMs: 2000, random: () => 1 } };
    return retrying(polling, async () => {
      const again = await this.findCreated(o, started);
      return again ? { done: true, value: again } : { done: false, giveUp: () => undefined };
    });
  }

  /**
   * The connection this client may just have created: same name, connector and auth spec, created
   * by this client since `since` (minus clock skew), and not one this process already knows. One
   * such connection is taken; several are reported; none means the POST was not applied.
   */
  async findCreated(o: { body: CreateBody; sandbox?: string }, since: number): Promise<WriteReply | undefined> {
    const { client, ledger } = this.deps;
    const notBefore = since - SKEW_MS;
    const { body } = o;
    const candidates = (await this.search(o)).filter(
      (c) =>
        c.name === body.name &&
        c.connectionSpec.id === body.connectionSpec.id &&
        (c.auth?.specName === undefined || c.auth.specName === body.auth.specName) &&
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
        `the reply to POST /connections was lost and ${candidates.length} connections named "${body.name}" now exist (${candidates.map((c) => c.id).join(", ")}); adopt the right one with adoptId and delete the others`,
        undefined,
        "POST /connections",
      );
    }
    if (candidates.length === 0) return undefined;
    ledger.know(candidates[0].id);
    ledger.wrote(candidates[0].id);
    return { id: candidates[0].id, etag: candidates[0].etag };
  }

  /**
   * The connections that may be the lost create, listed with filters Flow Service documents for
   * connections (equality on `name` and `connectionSpec.id`; no range filter such as `createdAt>=`):
   * the time window and everything else is matched by findCreated. A filter refused with 400 moves
   * to a wider query (connector only, then every connection of the sandbox, all pages) instead of
   * failing: wider queries only cost requests, the matching stays the same.
   */
  private async search(o: { body: CreateBody; sandbox?: string }): Promise<FlowConnection[]> {
    const { name, connectionSpec } = o.body;
    const queries: string[][] = [];
    // A comma means any-of in a filter value and cannot be escaped: such names are matched here only.
    if (/^[^,\u0000-\u001f\u007f]+$/.test(name)) queries.push([`name==${name}`, `connectionSpec.id==${connectionSpec.id}`]);
    queries.push([`connectionSpec.id==${connectionSpec.id}`], []);
    for (const [i, filters] of queries.entries()) {
      try {
        return await this.deps.client.listConnections(filters, o);
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 400)) throw e;
        if (i === queries.length - 1) {
          throw new FlowServiceProviderError(
            "API",
            `the reply to POST /connections was lost, and the search for the connection it may have created was refused (${e.message}). ` +
              `Look for a connection named "${name}" in sandbox "${this.deps.client.sandboxOf(o)}": adopt it with adoptId, or delete it, before the next 'pulumi up'.`,
          );
        }
      }
    }
    return [];
  }

  /** PATCH with If-Match; a 412 after a possibly applied attempt reads the connection once. */
  async patch(o: PatchOptions & { secretKeys: readonly string[] }): Promise<PatchResult> {
    const started = Date.now();
    let outcome;
    try {
      outcome = await this.deps.client.patchConnection(o);
    } catch (e) {
      if (!(e instanceof BadReplyError)) throw e;
      // A 2xx means "applied", but without the new etag the state cannot be brought up to date.
      throw new BadReplyError(
        `${e.message}. Flow Service answered with success, so the update was probably applied, but its new version is unknown: ` +
          `the state keeps the previous values. To reconcile: run 'pulumi refresh' (it reads connection ${o.id} and takes its version), then 'pulumi up' (it re-sends the secrets, which cannot be read back).`,
      );
    }
    if ("applied" in outcome) return outcome;
    const live = await this.deps.client.getConnection(o.id, o);
    if (outcome.mayHaveApplied && live && this.showsOurWrite(live, o.ops, o.secretKeys, started)) {
      return { applied: { id: o.id, etag: live.etag } };
    }
    return { conflict: outcome.error as ApiError, live };
  }

  private showsOurWrite(live: FlowConnection, ops: readonly PatchOp[], secretKeys: readonly string[], since: number): boolean {
    if (live.updatedClient !== undefined && live.updatedClient !== this.deps.client.clientId) return false;
    if (live.updatedAt !== undefined && live.updatedAt < since - SKEW_MS) return false;
    const params = (live.auth?.params ?? {}) as Record<string, unknown>;
    return ops.every((op) => {
      const key = paramKeyOf(op);
      if (key !== undefined && secretKeys.includes(key)) return true; // write-only: unverifiable
      const current = key !== undefined ? params[key] : op.path === "/name" ? live.name : live.description;
      return op.op === "remove" ? current === undefined : current === op.value;
    });
  }
}
