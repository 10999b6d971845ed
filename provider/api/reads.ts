// Reads for `pulumi refresh`, served from a listing of the sandbox instead of one GET per connection.
//
// Why a snapshot and not in-flight coalescing: the engine hands the provider about 8 reads at a
// time and never says how many will follow, so batching the reads in flight (`id==A,B,…`) costs
// about N/8 requests. Instead, the first read in a sandbox starts a snapshot: GET /connections
// pages of 100, fetched one at a time and only while a read is looking for an id not yet seen.
// Measured (README, "Refresh"): a refresh of 120 connections is 2 list requests instead of 120 GETs.
//
// What a snapshot guarantees:
// - It serves reads only. Every write carries the etag from state as If-Match, so a read that is
//   a few seconds old can at worst make a later `up` meet 412; it never overwrites a newer change.
// - A connection absent from the snapshot (or not reached by it) is read with its own GET: it is
//   declared gone only on that GET's 404.
// - A connection this process wrote (created, patched, deleted, or a write with unknown outcome)
//   after the page holding it was requested is read with a GET, never from the page.
// - It serves reads for SNAPSHOT_MAX_AGE_MS, then the next read starts a new one.
// - Cost is bounded when the sandbox holds far more connections than the stack: a snapshot fetches
//   at most 1 + ⌈reads / READS_PER_PAGE⌉ pages, then the remaining misses are single GETs.
// - A list request refused by Flow Service (a 4xx other than 429) sends the waiting reads, and
//   every later read of this session, to single GETs. Any other failure (5xx, no reply after the
//   retries, an unreadable page) ends this snapshot only: its waiting reads are single GETs.
// Snapshots are keyed by sandbox: each read lists its own connection's sandbox.
import { ApiError } from "../core/errors";
import { FlowConnection } from "../core/schemas";
import type { CallOptions, FlowServiceClient, ListCursor } from "./client";
import type { WriteLedger } from "./ledger";

/** How long a snapshot serves reads: a refresh run, not longer. */
export const SNAPSHOT_MAX_AGE_MS = 60_000;
/** A snapshot may fetch one page, plus one more per this many reads asked of it. */
const READS_PER_PAGE = 50;

interface ReaderDeps {
  client: FlowServiceClient;
  ledger: WriteLedger;
  now?: () => number;
  maxAgeMs?: number;
}

/** A connection as listed, with the ledger's write mark taken when its page was requested. */
interface Listed {
  item: FlowConnection;
  mark: number;
}

class Snapshot {
  readonly listed = new Map<string, Listed>();
  reads = 0;
  pages = 0;
  /** Where the next page starts: the first page's filters, a next link, or undefined when done. */
  cursor: readonly string[] | ListCursor | undefined = [];
  loading?: Promise<void>;
  constructor(readonly startedAt: number) {}
}

export class ConnectionReader {
  private readonly snapshots = new Map<string, Snapshot>();
  /** The refusal that sent this session to single reads, if any. */
  private refused?: ApiError;

  constructor(private readonly deps: ReaderDeps) {}

  /** The connection as Flow Service holds it; undefined only when its own GET answered 404. */
  async read(id: string, o: CallOptions = {}): Promise<FlowConnection | undefined> {
    this.deps.ledger.know(id);
    const snapshot = this.snapshotOf(this.deps.client.sandboxOf(o));
    snapshot.reads++;
    return (await this.lookup(snapshot, id, o)) ?? this.deps.client.getConnection(id, o);
  }

  private snapshotOf(sandbox: string): Snapshot {
    const now = (this.deps.now ?? Date.now)();
    let s = this.snapshots.get(sandbox);
    if (!s || now - s.startedAt > (this.deps.maxAgeMs ?? SNAPSHOT_MAX_AGE_MS)) {
      s = new Snapshot(now);
      this.snapshots.set(sandbox, s);
    }
    return s;
  }

  /** The listed connection, fetching pages (one at a time, within the budget) until it shows up. */
  private async lookup(s: Snapshot, id: string, o: CallOptions): Promise<FlowConnection | undefined> {
    for (;;) {
      const listed = s.listed.get(id);
      if (listed) return this.deps.ledger.wroteSince(id, listed.mark) ? undefined : listed.item;
      if (s.loading) {
        await s.loading;
        continue;
      }
      if (s.cursor === undefined || this.refused || s.pages >= 1 + Math.ceil(s.reads / READS_PER_PAGE)) return undefined;
      const loading = this.fetchPage(s, s.cursor, o);
      s.loading = loading;
      void loading.then(() => {
        if (s.loading === loading) s.loading = undefined;
      });
    }
  }

  /** Never rejects: a failed page ends the snapshot, and its readers fall back to single GETs. */
  private async fetchPage(s: Snapshot, cursor: readonly string[] | ListCursor, o: CallOptions): Promise<void> {
    const mark = this.deps.ledger.writeMark();
    s.pages++;
    try {
      const page = await this.deps.client.listPage("connections", FlowConnection, cursor, o);
      for (const item of page.items) s.listed.set(item.id, { item, mark });
      s.cursor = page.next;
    } catch (e) {
      s.cursor = undefined;
      if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 429) this.refused = e;
    }
  }
}
