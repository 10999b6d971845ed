// flowservice-recover, the orchestration: read the stack's pending operations, find the orphan of
// every pending create, and write the state back so that the next `pulumi up` creates nothing twice.
// Pulumi and Flow Service are reached through the deps passed in (pulumi.ts, provider/api).
import type { FlowServiceClient } from "../../provider/api/client";
import { resolveConfig } from "../../provider/core/config";
import { ApiError } from "../../provider/core/errors";
import type { LiveObject } from "../../provider/core/entity";
import type { ProviderConfig } from "../../provider/core/schemas";
import {
  completedDeployment,
  flowServiceIds,
  Interrupted,
  interruptedOperations,
  parseStackExport,
  recoveredOutputs,
  StackExport,
} from "./export";
import { createdAgain, decide, Decision, MatchRule, PendingCreate, pendingCreateOf, sameKind, searchFilters } from "./match";
import type { Pulumi } from "./pulumi";
import { CLOCK_SKEW_MS, isStale, LockInfo, runStart, RunStart, settledAt } from "./window";

export interface RecoverOptions {
  stack?: string;
  /** Only list the interrupted operations (no credentials, no request): the gate before `up`. */
  check: boolean;
  /** Write the state; without it, a dry run. */
  yes: boolean;
  since?: number;
  /** Wait until the interrupted run's provider can no longer be sending. */
  wait: boolean;
  /** Exclude the objects held by the backend's other stacks. */
  otherStacks: boolean;
  /** --take: resource name or URN → the id of the object the user says it is. */
  takes: ReadonlyMap<string, string>;
}

export interface RecoverDeps {
  pulumi: Pulumi;
  connect: (config: ProviderConfig) => Pick<FlowServiceClient, "list" | "get" | "clientId">;
  env: Record<string, string | undefined>;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  hostname: string;
  alive: (pid: number) => boolean;
  progress: (line: string) => void;
}

/** A failure with the message a user acts on (exit 1). */
export class RecoverError extends Error {}

type ItemOutcome = Decision["outcome"] | "interrupted" | "refresh" | "dropped";

export interface ReportItem {
  urn: string;
  resourceName: string;
  /** The interrupted operation: creating, updating, deleting… */
  kind: string;
  outcome: ItemOutcome;
  /** The resource type (Connection, SourceConnection, TargetConnection, Dataflow), when it is this package's. */
  type?: string;
  /** The Flow Service id: recovered, or in state (any type, despite the name, kept for scripts reading the JSON). */
  connectionId?: string;
  etag?: string;
  createdAt?: number;
  candidates?: Array<{ id: string; createdAt?: number }>;
  adoptId?: string;
  reason?: string;
  chosen?: boolean;
}

export interface Report {
  stack: string;
  runStart?: RunStart;
  /** Connections created from this time (ms) were considered. */
  notBefore?: number;
  items: ReportItem[];
  /** clean: nothing interrupted; pending: found, not written (check or dry run); ambiguous: needs --take; written. */
  status: "clean" | "pending" | "ambiguous" | "written";
  /** The refresh of interrupted updates and deletes failed: its output. */
  refreshFailed?: string;
  notes: string[];
}

export async function recover(opts: RecoverOptions, deps: RecoverDeps): Promise<Report> {
  const { pulumi } = deps;
  const stack = await pulumi.stackName();
  const exp = parseStackExport(await pulumi.exportStack(), `pulumi stack export of ${stack}`);
  const ops = interruptedOperations(exp);
  const report: Report = { stack, items: [], status: "clean", notes: [] };
  if (ops.length === 0) return report;
  if (opts.check) {
    report.items = ops.map((op) => ({ ...baseOf(op), outcome: "interrupted" }));
    report.status = "pending";
    return report;
  }
  const foreign = ops.filter((op) => op.kind === "creating" && !op.resourceType);
  if (foreign.length > 0) {
    throw new RecoverError(
      `the stack has pending creates of resources that are not Flow Service resources of this version (${foreign.map((o) => `${o.urn} (${o.resource.type})`).join(", ")}): ` +
        "flowservice-recover rewrites the state only when it can tell, for every pending create, what it created. Resolve those first " +
        "(for another provider's resources, as its documentation says), then run flowservice-recover again; nothing was changed",
    );
  }
  const cfg = await pulumi.config();
  const config = resolveConfig((k) => cfg[k], deps.env);
  const locks = await pulumi.locks(stack);
  const history = await pulumi.history();
  const start = runStart({
    since: opts.since,
    locks,
    history,
    checkpoint: Date.parse(exp.deployment.manifest.time),
    providerCreated: providerCreated(exp, ops),
  });
  if (typeof start === "string") {
    const recent = history.slice(0, 5).map((h) => `${h.startTime} – ${h.endTime ?? "?"} ${h.result ?? ""}`.trim());
    throw new RecoverError(
      `cannot tell when the interrupted run began (${start}): pass --since TIME, the time the interrupted \`pulumi up\` started or the end of the update before it ` +
        `(a \`pulumi up\` over the killed run's lock prints it: "created by … at TIME")${recent.length > 0 ? `; recent updates: ${recent.join("; ")}` : ""}`,
    );
  }
  report.runStart = start;
  report.notBefore = start.at - CLOCK_SKEW_MS;
  const creates = ops.filter((op) => op.resourceType && op.kind === "creating");
  const settle = settledAt(Date.parse(exp.deployment.manifest.time), config);
  if (creates.length > 0 && deps.now() < settle) {
    if (!opts.yes || !opts.wait) {
      // A dry run writes nothing, so it does not wait; what it lists may still change until then.
      report.notes.push(
        `the provider of the interrupted run may still send a create until ${new Date(settle).toISOString()} (retryBudgetMs + requestTimeoutMs after its last checkpoint)` +
          (opts.yes ? "; --no-wait: you said it is stopped" : ": an object it creates by then is not listed here; --yes waits for it"),
      );
    } else {
      const secs = Math.ceil((settle - deps.now()) / 1000);
      deps.progress(
        `waiting ${secs} s: the provider of the interrupted run outlives the CLI and may still send a create until ${new Date(settle).toISOString()} ` +
          "(retryBudgetMs + requestTimeoutMs after its last checkpoint). Stop it, then pass --no-wait, to skip this.",
      );
      await deps.sleep(settle - deps.now());
    }
  }
  const excluded = new Set(flowServiceIds(exp));
  if (opts.otherStacks) for (const id of await otherStacksIds(pulumi, stack)) excluded.add(id);
  else report.notes.push("objects held by the backend's other stacks were not excluded (--skip-other-stacks)");

  const client = deps.connect(config);
  const pending = creates.map((op) => {
    const p = pendingCreateOf(op, config.sandboxName);
    return typeof p === "string" ? { urn: op.urn, reason: `cannot be matched: ${p}` } : p;
  });
  const rule: MatchRule = { notBefore: report.notBefore, clientId: client.clientId, excluded };
  const chosen = await checkTakes(opts.takes, pending, client, excluded);
  const listed = new Map<string, LiveObject[]>();
  for (const p of pending) {
    if ("reason" in p || p.adoptId || chosen.has(p.urn)) continue;
    listed.set(p.urn, await listFor(client, p, report.notBefore));
  }
  const decisions = new Map(decide(pending, listed, rule, chosen, createdAgain(exp, creates)).map((d) => [d.urn, d]));
  report.items = ops.map((op) => itemOf(op, decisions.get(op.urn)));

  if (report.items.some((i) => i.outcome === "ambiguous" || i.outcome === "undecidable" || i.outcome === "superseded")) {
    report.status = "ambiguous";
    return report;
  }
  if (!opts.yes) {
    report.status = "pending";
    return report;
  }
  await releaseStaleLocks(pulumi, locks, deps, start, report);
  const completed = [...decisions.values()].flatMap((d) => {
    const p = pending.find((x) => x.urn === d.urn);
    const op = creates.find((x) => x.urn === d.urn);
    if (d.outcome !== "recovered" || !p || "reason" in p || !op) return [];
    const created = d.object.createdAt !== undefined ? new Date(d.object.createdAt).toISOString() : undefined;
    return [{ urn: d.urn, id: d.object.id, outputs: recoveredOutputs(op, p, d.object), created }];
  });
  const imported = await pulumi.importStack(JSON.stringify(completedDeployment(exp, completed), null, 2));
  if (imported.code !== 0) {
    const locked = /locked/.test(imported.stderr)
      ? ` If no pulumi run is active, run \`pulumi cancel\`, then run flowservice-recover again with --since ${new Date(start.at).toISOString()}.`
      : "";
    throw new RecoverError(
      `pulumi stack import failed (exit ${imported.code}), the state is unchanged: ${imported.stderr.trim()}${locked}`,
    );
  }
  await verifyWritten(pulumi, completed);
  report.status = "written";
  const held = new Set((exp.deployment.resources ?? []).map((r) => r.urn));
  const targets = report.items.filter((i) => i.outcome === "refresh" && held.has(i.urn)).map((i) => i.urn);
  if (targets.length > 0) {
    const r = await pulumi.refresh(targets);
    if (r.code !== 0) report.refreshFailed = (r.stderr || r.stdout).trim();
  }
  return report;
}

/** The objects that may be a pending create's orphan: fewer filters when Flow Service refuses one (400). */
async function listFor(client: Pick<FlowServiceClient, "list">, p: PendingCreate, notBefore: number): Promise<LiveObject[]> {
  const attempts = searchFilters(p, notBefore);
  for (let i = 0; ; i++) {
    try {
      return await client.list(p.desc.collection, p.desc.live, attempts[i], { sandbox: p.sandbox });
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 400) || i === attempts.length - 1) throw e;
    }
  }
}

function baseOf(op: Interrupted): Pick<ReportItem, "urn" | "resourceName" | "kind" | "type"> {
  return { urn: op.urn, resourceName: op.resourceName, kind: op.kind, ...(op.resourceType ? { type: op.resourceType.kind } : {}) };
}

function itemOf(op: Interrupted, d: Decision | undefined): ReportItem {
  const base = baseOf(op);
  if (!d) return { ...base, outcome: op.kind === "updating" || op.kind === "deleting" ? "refresh" : "dropped" };
  switch (d.outcome) {
    case "recovered":
      return {
        ...base,
        outcome: d.outcome,
        connectionId: d.object.id,
        etag: d.object.etag,
        createdAt: d.object.createdAt,
        chosen: d.chosen,
      };
    case "ambiguous":
      return { ...base, outcome: d.outcome, candidates: d.candidates.map((c) => ({ id: c.id, createdAt: c.createdAt })) };
    case "superseded":
      return {
        ...base,
        outcome: d.outcome,
        connectionId: d.stateId,
        candidates: d.candidates.map((c) => ({ id: c.id, createdAt: c.createdAt })),
      };
    case "in-state":
      return { ...base, outcome: d.outcome, connectionId: d.stateId };
    case "adopt":
      return { ...base, outcome: d.outcome, adoptId: d.adoptId };
    case "undecidable":
      return { ...base, outcome: d.outcome, reason: d.reason };
    default:
      return { ...base, outcome: d.outcome };
  }
}

/** Every Flow Service id held by the backend's other stacks: an object one of them owns is never ours. */
async function otherStacksIds(pulumi: Pulumi, stack: string): Promise<string[]> {
  const prefix = stack.split("/").slice(0, -1).join("/");
  const ids: string[] = [];
  for (const s of await pulumi.stacks()) {
    const fq = s.name.includes("/") ? s.name : prefix ? `${prefix}/${s.name}` : s.name;
    if (fq === stack) continue;
    let text: string;
    try {
      text = await pulumi.exportStack(fq);
    } catch (e) {
      throw new RecoverError(
        `cannot read stack ${fq} to exclude the Flow Service objects it holds (${(e as Error).message}). ` +
          "Give this run access to it, or pass --skip-other-stacks if no other stack can hold a same-named object of this client",
      );
    }
    ids.push(...flowServiceIds(parseStackExport(text, `pulumi stack export of ${fq}`)));
  }
  return ids;
}

/** The user's --take choices, checked: the object exists, no stack holds it, and it is the same create as the resource (whatever its name). */
async function checkTakes(
  takes: ReadonlyMap<string, string>,
  pending: ReadonlyArray<PendingCreate | { urn: string; reason: string }>,
  client: Pick<FlowServiceClient, "get">,
  excluded: ReadonlySet<string>,
): Promise<Map<string, LiveObject>> {
  const chosen = new Map<string, LiveObject>();
  for (const [key, id] of takes) {
    const p = pending.find((x) => x.urn === key || x.urn.endsWith(`::${key}`));
    if (!p) throw new RecoverError(`--take ${key}=${id}: ${key} is not a resource with a pending create (see the list without --take)`);
    if ("reason" in p) throw new RecoverError(`--take ${key}=${id}: ${p.reason}`);
    const what = p.desc.label.toLowerCase();
    if (excluded.has(id))
      throw new RecoverError(`--take ${key}=${id}: ${what} ${id} is held by a stack's state, so it is not this resource's orphan`);
    const live = await client.get(p.desc.collection, p.desc.live, id, { sandbox: p.sandbox });
    if (!live) throw new RecoverError(`--take ${key}=${id}: no ${what} ${id} in sandbox "${p.sandbox}"`);
    if (!sameKind(live, p))
      throw new RecoverError(`--take ${key}=${id}: ${what} ${id} has another ${p.desc.replaceOn.join(" or ")} than the resource declares`);
    chosen.set(p.urn, live);
  }
  return chosen;
}

/**
 * The locks the killed run left (taken on this machine by a process that is gone) are removed, each
 * its own file, so a lock of a run that is still going (here or elsewhere) is never touched; any
 * such lock stops the write.
 */
async function releaseStaleLocks(
  pulumi: Pulumi,
  locks: readonly LockInfo[],
  deps: RecoverDeps,
  start: RunStart,
  report: Report,
): Promise<void> {
  const live = locks.filter((l) => !isStale(l, deps.hostname, deps.alive));
  if (live.length > 0) {
    const l = live[0];
    throw new RecoverError(
      `the stack is locked by pid ${l.pid} on ${l.hostname} since ${new Date(l.timestamp).toISOString()}, which may still be running. ` +
        `If it is not, run \`pulumi cancel\`, then run flowservice-recover again with --since ${new Date(start.at).toISOString()}`,
    );
  }
  for (const l of locks) {
    await pulumi.removeLock(l);
    report.notes.push(`removed the lock of the interrupted run (pid ${l.pid} on ${l.hostname}, gone)`);
  }
}

async function verifyWritten(pulumi: Pulumi, completed: ReadonlyArray<{ urn: string; id: string }>): Promise<void> {
  const after: StackExport = parseStackExport(await pulumi.exportStack());
  const held = new Map((after.deployment.resources ?? []).map((r) => [r.urn, r.id]));
  const missing = completed.filter((c) => held.get(c.urn) !== c.id);
  if ((after.deployment.pending_operations ?? []).length > 0 || missing.length > 0) {
    throw new RecoverError(
      `the state read back after the import does not hold what was written (${missing.map((m) => m.urn).join(", ") || "pending operations remain"})`,
    );
  }
}

/** When the provider resources the pending creates used were created (the earliest, ms), if the state says. */
function providerCreated(exp: StackExport, ops: readonly Interrupted[]): number | undefined {
  const refs = new Set(ops.map((op) => op.resource.provider).filter((p): p is string => p !== undefined));
  const times = (exp.deployment.resources ?? [])
    .filter((r) => r.id !== undefined && refs.has(`${r.urn}::${r.id}`))
    .map((r) => Date.parse(String((r as { created?: unknown }).created)))
    .filter(Number.isFinite);
  return refs.size > 0 && times.length > 0 ? Math.min(...times) : undefined;
}
