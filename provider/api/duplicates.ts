// No duplicates after a killed run. When `pulumi up` dies while creates are in flight, their
// objects may exist in Flow Service with nothing in Pulumi's state but a pending create; the route
// Pulumi's lock error suggests (`pulumi cancel`, then `up`) would create each of them again. So a
// create first looks, in its sandbox's listing of the collection (read once per run), for an object
// that flowservice-recover would take for it: the same identity (the description's sameCreate),
// created by this stack's API client within the window (flowservice:duplicateCheckMinutes, default
// a day), and not known to this process (created, read or written by this run, or held by this
// stack's state, which the process learns from the engine's diff of each resource). The engine
// runs creates while it still diffs resources the program registers later, so a candidate is
// given `settleMs` to become known before it counts. If one is left, the create fails naming
// flowservice-recover, instead of POSTing a twin.
//
// What it cannot see: a POST of the killed run still travelling when the listing is read (it lands
// later). flowservice-recover waits for those; a `pulumi cancel` + `up` within a request timeout of
// the kill can still race one (README, "After an interrupted run").
import type { AnyDescription, LiveObject } from "../core/entity";
import { FlowServiceProviderError, NetworkError } from "../core/errors";
import type { CallOptions, FlowServiceClient } from "./client";
import type { WriteLedger } from "./ledger";

/**
 * The listings a run reads: every object of a collection in a sandbox, at most once per run.
 * (The refresh reads, api/reads.ts, keep snapshots of their own; this interface is what the check
 * needs of any of them.)
 */
export interface RunListings {
  /** Every object of `desc`'s collection in the sandbox of `o` created at or after `notBefore` (some may be older). */
  created(desc: AnyDescription, notBefore: number, o: CallOptions): Promise<LiveObject[]>;
}

/** One listing per collection and sandbox, kept for the life of the provider process (one run). */
export class OncePerRunListings implements RunListings {
  private readonly listed = new Map<string, Promise<LiveObject[]>>();

  constructor(private readonly client: FlowServiceClient) {}

  created(desc: AnyDescription, notBefore: number, o: CallOptions): Promise<LiveObject[]> {
    const key = `${this.client.sandboxOf(o)}\u0000${desc.collection}`;
    let p = this.listed.get(key);
    if (!p) {
      // Collections with range filters are listed from the window's start only.
      const filters = desc.equalityFiltersOnly ? [] : [`createdAt>=${notBefore}`];
      p = this.client.list(desc.collection, desc.live, filters, o);
      // A failed listing is not kept: the next create asks again.
      p.catch(() => this.listed.delete(key));
      this.listed.set(key, p);
    }
    return p;
  }
}

interface DuplicateCheckDeps {
  client: FlowServiceClient;
  ledger: WriteLedger;
  listings: RunListings;
  /** flowservice:duplicateCheckMinutes; 0 turns the check off. */
  windowMinutes: number;
  now?: () => number;
  /** How long a candidate may take to become known (the engine diffing the resource that holds it); default 5 s. */
  settleMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const SETTLE_MS = 5_000;
const SETTLE_POLL_MS = 100;

const OVERRIDE_HINT = "AEP_DUPLICATE_CHECK_MINUTES=0 pulumi up (or 'pulumi config set flowservice:duplicateCheckMinutes 0' for the stack)";

/** Refuses a create whose object may already exist: an unrecorded object of the same identity, made by this client lately. */
export class DuplicateCheck {
  constructor(private readonly deps: DuplicateCheckDeps) {}

  async beforeCreate(desc: AnyDescription, o: CallOptions & { body: Record<string, unknown> }): Promise<void> {
    const { client, ledger, windowMinutes } = this.deps;
    if (windowMinutes <= 0) return;
    const now = (this.deps.now ?? Date.now)();
    const notBefore = now - windowMinutes * 60_000;
    const sandbox = client.sandboxOf(o);
    const what = desc.label.toLowerCase();
    const name = String(o.body.name);
    let listed: LiveObject[];
    try {
      listed = await this.deps.listings.created(desc, notBefore, o);
    } catch (e) {
      // Never sent: Flow Service is not reachable at all. The request that failed is named first.
      if (e instanceof NetworkError && e.notSent) {
        throw new NetworkError(
          `${e.message}. Flow Service could not be reached, so no ${what} was created: check flowservice:endpoint (or AEP_FLOW_ENDPOINT) and the network, then run 'pulumi up' again`,
          false,
          true,
        );
      }
      throw new FlowServiceProviderError(
        "API",
        `${desc.label} "${name}" was not created: before creating, the provider lists sandbox "${sandbox}" for a ${what} an interrupted run may have left, ` +
          `and that listing failed (${(e as Error).message}). Run 'pulumi up' again; to create without this check: ${OVERRIDE_HINT}.`,
      );
    }
    const candidates = listed.filter(
      (c) =>
        desc.sameCreate(c, o.body as never) &&
        c.createdClient === client.clientId &&
        c.createdAt !== undefined &&
        c.createdAt >= notBefore &&
        !ledger.knows(c.id),
    );
    const twins = await this.stillUnknown(candidates);
    if (twins.length === 0) return;
    const ids = twins.map((c) => `${c.id} (created ${new Date(c.createdAt as number).toISOString()})`).join(", ");
    const one = twins.length === 1;
    throw new FlowServiceProviderError(
      "DUPLICATE",
      `${desc.label} "${name}" was not created: sandbox "${sandbox}" already holds ${one ? `a ${what}` : `${twins.length} ${desc.plural ?? "objects"}`} like it ` +
        `(same name and spec), created by this stack's API client within the last ${windowMinutes} minutes, and not one this run created or read: ${ids}. ` +
        `Most likely an interrupted 'pulumi up' created ${one ? "it" : "them"}; creating another would make a duplicate. ` +
        `Run 'flowservice-recover' to see the interrupted operations, 'flowservice-recover --yes' to take such objects into the state, then 'pulumi up'. ` +
        `If flowservice-recover finds nothing interrupted, the ${what} belongs to something else (another stack using the same client, a resource renamed without an alias, or made by hand): ` +
        `adopt it with adoptId: "${twins[0].id}", or create a new one anyway: ${OVERRIDE_HINT}.`,
    );
  }

  /** The candidates still unknown once the engine has had `settleMs` to diff the resources that may hold them. */
  private async stillUnknown(candidates: LiveObject[]): Promise<LiveObject[]> {
    const { ledger } = this.deps;
    const sleep = this.deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const deadline = (this.deps.settleMs ?? SETTLE_MS) / SETTLE_POLL_MS;
    let unknown = candidates;
    for (let i = 0; unknown.length > 0 && i < deadline; i++) {
      await sleep(SETTLE_POLL_MS);
      unknown = unknown.filter((c) => !ledger.knows(c.id));
    }
    return unknown;
  }
}
