// Reads for `pulumi refresh`, served from a listing of the collection in the object's sandbox
// instead of one GET per object: connections, source and target connections and flows alike (Flow
// Service documents GET /{collection} with `limit` and continuation links for all four).
//
// Why a snapshot and not in-flight coalescing: the engine hands the provider about 8 reads at a
// time and never says how many will follow, so batching the reads in flight (`id==A,B,…`) costs
// about N/8 requests. Instead, the first read of a collection in a sandbox starts a snapshot:
// GET /{collection} pages of 100, fetched one at a time and only while a read is looking for an id
// not yet seen. Measured (docs/reads.md): a refresh of 50 pipelines (200 objects) is 8 requests.
//
// What a snapshot guarantees:
// - It serves reads only. Every write carries the etag from state as If-Match, so a read that is
//   a few seconds old can at worst make a later `up` meet 412; it never overwrites a newer change.
// - An object absent from the snapshot (or not reached by it) is read with its own GET.
// - An object this process wrote (created, patched, deleted, or a write with unknown outcome)
//   after the page holding it was requested is read with a GET, never from the page.
// - It serves reads for SNAPSHOT_MAX_AGE_MS, then the next read starts a new one.
// - Cost is bounded when the sandbox holds far more objects than the stack: a snapshot fetches at
//   most 1 + ⌈reads / READS_PER_PAGE⌉ pages, then the remaining misses are single GETs.
// - A list request refused by Flow Service (a 4xx other than 404 and 429) sends the waiting reads,
//   and every later read of that collection in this session, to single GETs. Any other failure
//   (5xx, no reply after the retries, an unreadable page) ends this snapshot only: its waiting
//   reads are single GETs. A 404 on the listing fails every read waiting on it (see below).
// Snapshots are keyed by collection and sandbox.
//
// Gone means confirmed gone. A read answers "absent" only when the object's own GET answered the
// documented not-found for that collection (NOT_FOUND_CODES, a problem body) in a sandbox that
// answered 200 in this session (its listing, or another object's GET, waited for when in flight). Any other 404 — an unknown
// route (a wrong flowservice:endpoint), "Sandbox not found", a body without the documented code,
// or a sandbox never confirmed — is an UnconfirmedMissError naming what looks wrong: the refresh
// fails and the state keeps the object. A DELETE answered 404 is judged the same way (confirmGone).
import type { z } from "zod";
import type { LiveObject } from "../core/entity";
import { ApiError, UnconfirmedMissError } from "../core/errors";
import type { CallOptions, FlowServiceClient, ListCursor } from "./client";
import type { WriteLedger } from "./ledger";

/** How long a snapshot serves reads: a refresh run, not longer. */
export const SNAPSHOT_MAX_AGE_MS = 60_000;
/** A snapshot may fetch one page, plus one more per this many reads asked of it. */
export const READS_PER_PAGE = 50;

/**
 * The documented not-found of one object, per collection (flow-service-api.md, "Errors": 1101-404
 * for connections; FLOW-1439-404 "Resource not found" is the flows example). A 404 with any other
 * code, or without a problem body, says nothing about the object.
 */
export const NOT_FOUND_CODES: Readonly<Record<string, readonly string[]>> = {
  connections: ["FLOW-1101-404"],
  sourceConnections: ["FLOW-1101-404"],
  targetConnections: ["FLOW-1101-404"],
  flows: ["FLOW-1439-404", "FLOW-1101-404"],
};

/** What one read asks for: the collection, and the schema of one of its objects. */
export interface ReadTarget<T extends LiveObject = LiveObject> {
  collection: string;
  live: z.ZodType<T>;
}

export interface ReaderDeps {
  client: FlowServiceClient;
  ledger: WriteLedger;
  now?: () => number;
  maxAgeMs?: number;
}

/** An object as listed, with the ledger's write mark taken when its page was requested. */
interface Listed {
  item: LiveObject;
  mark: number;
}

class Snapshot {
  readonly listed = new Map<string, Listed>();
  reads = 0;
  pages = 0;
  /** Where the next page starts: the first page's filters, a next link, or undefined when done. */
  cursor: readonly string[] | ListCursor | undefined = [];
  loading?: Promise<void>;
  /** A listing 404: every read of this snapshot fails with it. */
  failure?: Error;
  constructor(readonly startedAt: number) {}
}

export class EntityReader {
  private readonly snapshots = new Map<string, Snapshot>();
  /** Per collection, the refusal that sent its reads to single GETs, if any. */
  private readonly refused = new Map<string, ApiError>();
  /** Sandboxes that answered 200 in this session: a documented not-found there is believed. */
  private readonly confirmed = new Set<string>();
  /** Reads not answered yet, per sandbox. */
  private readonly unanswered = new Map<string, Set<Promise<void>>>();

  constructor(private readonly deps: ReaderDeps) {}

  /** The object as Flow Service holds it; undefined only when it is confirmed gone (see the top of this file). */
  async read<T extends LiveObject>(target: ReadTarget<T>, id: string, o: CallOptions = {}): Promise<T | undefined> {
    this.deps.ledger.know(id);
    const sandbox = this.deps.client.sandboxOf(o);
    const snapshot = this.snapshotOf(target.collection, sandbox);
    snapshot.reads++;
    // Until this read has its answer, a sibling's 404 waits for it: it may confirm the sandbox.
    let answered = () => {};
    const answer = new Promise<void>((resolve) => (answered = resolve));
    const pending = this.unanswered.get(sandbox) ?? new Set<Promise<void>>();
    this.unanswered.set(sandbox, pending.add(answer));
    let got: { live: T } | { missing: ApiError };
    try {
      const listed = await this.lookup(target, snapshot, id, { ...o, sandbox });
      if (listed) return listed as T;
      got = await this.deps.client.lookup(target.collection, target.live, id, { ...o, sandbox });
      if ("live" in got) this.confirmed.add(sandbox);
    } finally {
      pending.delete(answer);
      answered();
    }
    if ("live" in got) return got.live;
    if (!this.confirmed.has(sandbox)) await Promise.allSettled([...pending]);
    await this.confirmGone(target, id, got.missing, { ...o, sandbox }, "refresh");
    return undefined;
  }

  /**
   * Returns only when a 404 is the documented not-found of this object in a sandbox confirmed in
   * this run; when no reply has confirmed the sandbox yet, one listing page is asked for (unless the
   * collection's listing was refused). Throws an UnconfirmedMissError otherwise. Refresh uses it, and
   * a delete answered 404 (which would otherwise drop the resource from state as "already gone").
   */
  async confirmGone(target: ReadTarget, id: string, e: ApiError, o: CallOptions, act: "refresh" | "delete"): Promise<void> {
    const sandbox = this.deps.client.sandboxOf(o);
    const where = this.where(sandbox);
    const stops = act === "refresh" ? "the refresh stops" : "the delete stops";
    if (isSandboxNotFound(e)) throw sandboxNotFound(e, where, act);
    const codes = NOT_FOUND_CODES[target.collection] ?? ["FLOW-1101-404"];
    if (!e.apiCode || !codes.includes(e.apiCode)) {
      throw new UnconfirmedMissError(
        `${e.message}. That is not Flow Service's documented not-found for ${target.collection} (${codes.join(" or ")}), so it does ` +
          `not say the object is gone: ${id} stays in state and ${stops} (${where.text}). ${ENDPOINT_FIX(where.endpoint)}`,
      );
    }
    if (!this.confirmed.has(sandbox) && !this.refused.has(target.collection)) {
      try {
        await this.deps.client.listPage(target.collection, target.live, [], { ...o, sandbox });
        this.confirmed.add(sandbox);
      } catch (listing) {
        if (listing instanceof ApiError && listing.status === 404) throw this.listingMissing(target.collection, sandbox, listing, act);
      }
    }
    if (!this.confirmed.has(sandbox)) {
      throw new UnconfirmedMissError(
        `${e.message}. Sandbox "${sandbox}" has not answered a listing or any read in this run (${where.text}), so this 404 is not ` +
          `proof that ${id} is gone: it stays in state and ${stops}. Run the command again; if it persists, check ` +
          `the sandbox (sandboxName, or the stack's flowservice:sandboxName), flowservice:orgId and flowservice:endpoint.`,
      );
    }
  }

  /**
   * The objects of a collection this run's snapshot of `sandbox` has listed so far, in listing
   * order (another reader's source, e.g. the runs reader: a flow's lastRunDetails).
   */
  listed(collection: string, sandbox: string): LiveObject[] {
    return [...(this.snapshots.get(`${collection}\n${sandbox}`)?.listed.values() ?? [])].map((l) => l.item);
  }

  private where(sandbox: string): { text: string; endpoint: string } {
    const { endpoint, orgId } = this.deps.client.origin;
    return { text: `endpoint ${endpoint}, org ${orgId}, sandbox "${sandbox}"`, endpoint };
  }

  private snapshotOf(collection: string, sandbox: string): Snapshot {
    const now = (this.deps.now ?? Date.now)();
    const key = `${collection}\n${sandbox}`;
    let s = this.snapshots.get(key);
    if (!s || now - s.startedAt > (this.deps.maxAgeMs ?? SNAPSHOT_MAX_AGE_MS)) {
      s = new Snapshot(now);
      this.snapshots.set(key, s);
    }
    return s;
  }

  /** The listed object, fetching pages (one at a time, within the budget) until it shows up. */
  private async lookup(target: ReadTarget, s: Snapshot, id: string, o: CallOptions & { sandbox: string }): Promise<LiveObject | undefined> {
    for (;;) {
      if (s.failure) throw s.failure;
      const listed = s.listed.get(id);
      if (listed) return this.deps.ledger.wroteSince(id, listed.mark) ? undefined : listed.item;
      if (s.loading) {
        await s.loading;
        continue;
      }
      if (s.cursor === undefined || this.refused.has(target.collection) || s.pages >= 1 + Math.ceil(s.reads / READS_PER_PAGE)) {
        return undefined;
      }
      const loading = this.fetchPage(target, s, s.cursor, o);
      s.loading = loading;
      void loading.then(() => {
        if (s.loading === loading) s.loading = undefined;
      });
    }
  }

  /** Never rejects: a failed page ends the snapshot (its readers fall back to single GETs), a 404 fails its readers. */
  private async fetchPage(target: ReadTarget, s: Snapshot, cursor: readonly string[] | ListCursor, o: CallOptions & { sandbox: string }) {
    const mark = this.deps.ledger.writeMark();
    s.pages++;
    try {
      const page = await this.deps.client.listPage(target.collection, target.live, cursor, o);
      this.confirmed.add(o.sandbox);
      for (const item of page.items) s.listed.set(item.id, { item, mark });
      s.cursor = page.next;
    } catch (e) {
      s.cursor = undefined;
      if (!(e instanceof ApiError)) return;
      if (e.status === 404) s.failure = this.listingMissing(target.collection, o.sandbox, e);
      else if (e.status >= 400 && e.status < 500 && e.status !== 429) this.refused.set(target.collection, e);
    }
  }

  /** A listing that answered 404: Flow Service lists every documented collection, so the route or the sandbox is wrong. */
  private listingMissing(collection: string, sandbox: string, e: ApiError, act: "refresh" | "delete" = "refresh"): UnconfirmedMissError {
    const where = this.where(sandbox);
    if (isSandboxNotFound(e)) return sandboxNotFound(e, where);
    return new UnconfirmedMissError(
      `${e.message}. Flow Service lists ${collection} in every sandbox, so this 404 says the route is wrong, not that objects are ` +
        `gone (${where.text}). Nothing in state was changed and the ${act} stops. ${ENDPOINT_FIX(where.endpoint)}`,
    );
  }
}

const ENDPOINT_FIX = (endpoint: string) =>
  `Check flowservice:endpoint (now ${endpoint}; Flow Service's is https://platform.adobe.io/data/foundation/flowservice), ` +
  `then run the command again.`;

/** Flow Service's "Sandbox not found" (FLOW-2100-404 in the emulator; matched by title too, as Adobe's code is not documented). */
function isSandboxNotFound(e: ApiError): boolean {
  return e.status === 404 && (e.apiCode === "FLOW-2100-404" || /sandbox not found/i.test(e.title ?? ""));
}

function sandboxNotFound(e: ApiError, where: { text: string }, act: "refresh" | "delete" = "refresh"): UnconfirmedMissError {
  return new UnconfirmedMissError(
    `${e.message}. Flow Service does not know this sandbox for these credentials (${where.text}): the objects in state are not ` +
      `gone, they were looked for in the wrong place. Nothing in state was changed and the ${act} stops. Check the resource's ` +
      `sandboxName or the stack's flowservice:sandboxName (and that flowservice:orgId is the org the stack was created under), ` +
      `then run the command again.`,
  );
}
