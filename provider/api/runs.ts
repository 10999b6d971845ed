// Dataflow runs over the API: the last run of each flow for `pulumi refresh` (batched), runs by
// flow for flowservice-health, and re-trigger.
//
// Refresh batching: the engine reads a stack's dataflows a few at a time and never says how many
// follow, so a run read per flow would cost N requests. Instead the runs are grouped from the flows
// the refresh has already listed (the entity reader's snapshot of the sandbox's flows, whose
// `lastRunDetails.id` names each flow's latest run): 50 at a time in listing order, and a read
// fetches its group once, `GET /runs?property=id==r1,…,r50` (one page: at most 50 runs). No flow is
// listed twice. Asking by run id rather than `flowId==…` bounds the page: by flow, every run of
// those flows would come back, newest first, and one busy flow could push another's last run off it.
// A run no listed flow names (a flow read with its own GET, a newer run) is read with its own GET.
import { LiveFlowSummary, LiveRun } from "../core/runs";
import type { CallOptions, FlowServiceClient } from "./client";

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
  constructor(readonly startedAt: number) {}
}

/** The flows a run has listed so far in a sandbox (the entity reader's snapshot). */
export type ListedFlows = (sandbox: string) => readonly unknown[];

export class RunReader {
  private readonly snapshots = new Map<string, Snapshot>();

  constructor(
    private readonly client: FlowServiceClient,
    private readonly listedFlows: ListedFlows,
    private readonly now: () => number = Date.now,
  ) {}

  /** The run `runId` (a flow's lastRunDetails.id); undefined when Flow Service no longer has it. */
  async run(runId: string, o: CallOptions = {}): Promise<LiveRun | undefined> {
    const sandbox = this.client.sandboxOf(o);
    const s = this.snapshotOf(sandbox);
    if (!s.groupOf.has(runId)) this.group(s, sandbox);
    const group = s.groupOf.get(runId);
    if (group) {
      group.fetched ??= this.fetchGroup(group, o);
      const found = (await group.fetched).get(runId);
      if (found) return found;
    }
    return this.client.get("runs", LiveRun, runId, o);
  }

  /** Groups the latest runs of the flows listed so far that no group holds yet, in listing order. */
  private group(s: Snapshot, sandbox: string): void {
    for (const item of this.listedFlows(sandbox)) {
      const flow = LiveFlowSummary.safeParse(item);
      const id = flow.success ? flow.data.lastRunDetails?.id : undefined;
      if (id === undefined || s.groupOf.has(id)) continue;
      if (s.open.ids.length >= RUNS_PER_REQUEST || s.open.fetched) s.open = { ids: [] };
      s.open.ids.push(id);
      s.groupOf.set(id, s.open);
    }
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

  private async fetchGroup(group: Group, o: CallOptions): Promise<Map<string, LiveRun>> {
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
