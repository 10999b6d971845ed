// Dataflow runs over the API: the last run of each flow for `pulumi refresh` (batched), runs by
// flow for flowservice-health, and re-trigger.
//
// Refresh batching: the engine reads a stack's dataflows a few at a time and never says how many
// follow, so a run read per flow would cost N requests. Instead the first lastRun read in a sandbox
// starts a snapshot: GET /flows pages (100 flows each, fetched only while a read looks for a run
// not yet seen) name every flow's latest run (`lastRunDetails.id`), grouped 50 at a time in listing
// order; a read fetches its group once, `GET /runs?property=id==r1,…,r50` (one page: at most 50
// runs). Asking by run id rather than `flowId==…` bounds the page: by flow, every run of those flows
// would come back, newest first, and one busy flow could push another's last run off the page.
// A run the snapshot does not know (a newer run, a flow beyond its pages) is read with its own GET.
import { LiveFlowSummary, LiveRun } from "../core/runs";
import type { CallOptions, FlowServiceClient, ListCursor } from "./client";

/** Runs per request: one page holds them all (a page is at most 100). */
export const RUNS_PER_REQUEST = 50;
const SNAPSHOT_MAX_AGE_MS = 60_000;

interface Group {
  ids: string[];
  fetched?: Promise<Map<string, LiveRun>>;
}

class Snapshot {
  readonly groupOf = new Map<string, Group>();
  open: Group = { ids: [] };
  reads = 0;
  pages = 0;
  cursor: readonly string[] | ListCursor | undefined = [];
  loading?: Promise<void>;
  constructor(readonly startedAt: number) {}
}

export class RunReader {
  private readonly snapshots = new Map<string, Snapshot>();

  constructor(
    private readonly client: FlowServiceClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** The run `runId` (a flow's lastRunDetails.id); undefined when Flow Service no longer has it. */
  async run(runId: string, o: CallOptions = {}): Promise<LiveRun | undefined> {
    const s = this.snapshotOf(this.client.sandboxOf(o));
    s.reads++;
    for (;;) {
      const group = s.groupOf.get(runId);
      if (group) {
        group.fetched ??= this.fetchGroup(s, group, o);
        const found = (await group.fetched).get(runId);
        if (found) return found;
        break;
      }
      if (s.loading) {
        await s.loading;
        continue;
      }
      // Pages of flows: one, plus one per 100 reads (so a sandbox far larger than the stack is not listed whole).
      if (s.cursor === undefined || s.pages >= 1 + Math.ceil(s.reads / 100)) break;
      const loading = this.fetchFlows(s, s.cursor, o);
      s.loading = loading;
      await loading;
      s.loading = undefined;
    }
    return this.client.get("runs", LiveRun, runId, o);
  }

  private snapshotOf(sandbox: string): Snapshot {
    const now = this.now();
    let s = this.snapshots.get(sandbox);
    if (!s || now - s.startedAt > SNAPSHOT_MAX_AGE_MS) {
      s = new Snapshot(now);
      this.snapshots.set(sandbox, s);
    }
    return s;
  }

  /** Never rejects: a failed page ends the snapshot's listing, and its readers use single GETs. */
  private async fetchFlows(s: Snapshot, cursor: readonly string[] | ListCursor, o: CallOptions): Promise<void> {
    s.pages++;
    try {
      const page = await this.client.listPage("flows", LiveFlowSummary, cursor, o);
      for (const flow of page.items) {
        const id = flow.lastRunDetails?.id;
        if (id === undefined || s.groupOf.has(id)) continue;
        if (s.open.ids.length >= RUNS_PER_REQUEST || s.open.fetched) s.open = { ids: [] };
        s.open.ids.push(id);
        s.groupOf.set(id, s.open);
      }
      s.cursor = page.next;
    } catch {
      s.cursor = undefined;
    }
  }

  private async fetchGroup(_s: Snapshot, group: Group, o: CallOptions): Promise<Map<string, LiveRun>> {
    const ids = [...group.ids];
    try {
      const page = await this.client.listPage("runs", LiveRun, [`id==${ids.join(",")}`], o);
      return new Map(page.items.map((r) => [r.id, r]));
    } catch {
      return new Map(); // each read falls back to its own GET
    }
  }
}

/**
 * Runs matching `filters` of the flows `flowIds`, RUNS_PER_REQUEST flows per request (`flowId==a,b,…`),
 * every page followed. With no flow ids: the sandbox's runs matching `filters`.
 */
export async function runsOfFlows(
  client: FlowServiceClient,
  flowIds: readonly string[] | undefined,
  filters: readonly string[],
  o: CallOptions = {},
): Promise<LiveRun[]> {
  if (flowIds === undefined) return client.list("runs", LiveRun, filters, o);
  const batches: string[][] = [];
  for (let i = 0; i < flowIds.length; i += RUNS_PER_REQUEST) batches.push(flowIds.slice(i, i + RUNS_PER_REQUEST));
  const found = await Promise.all(batches.map((b) => client.list("runs", LiveRun, [`flowId==${b.join(",")}`, ...filters], o)));
  return found.flat();
}

/** Flows of the sandbox (or those named), with lastRunDetails and their source base connections. */
export async function flowSummaries(
  client: FlowServiceClient,
  ids: readonly string[] | undefined,
  o: CallOptions = {},
): Promise<LiveFlowSummary[]> {
  if (ids === undefined) return client.list("flows", LiveFlowSummary, [], o);
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += 100) batches.push(ids.slice(i, i + 100));
  return (await Promise.all(batches.map((b) => client.list("flows", LiveFlowSummary, [`id==${b.join(",")}`], o)))).flat();
}
