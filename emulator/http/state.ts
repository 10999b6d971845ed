// The one owner of everything an emulator instance holds (store, tokens, faults, log, counters).
// Its own module so that the server and the control routes both depend on it, not on each other.
import { secretsOf } from "../data/connectionView";
import type { EmulatorConfig } from "../data/context";
import { Clock } from "../data/clock";
import type { Services } from "../api/entity";
import { Faults, RateLimiter } from "./faults";
import { TokenRegistry } from "./gateway";
import { RequestLog, type SecretResolver } from "./requestLog";
import { Runs } from "../api/runs";
import { SourceSystem } from "../data/sourceSystem";
import { findAuthSpec, secretParamNames } from "../data/specs";
import type { Store } from "../data/store";

/** Request counters of GET /__emulator/stats, by operation (over every collection). */
const ROUTE_KINDS = ["token", "specs", "list", "get", "post", "patch", "delete", "test", "action", "unknown"] as const;
export type RouteKind = (typeof ROUTE_KINDS)[number];

/** API and IMS requests being handled right now, and the most seen at once since the last reset. */
export class InFlight {
  current = 0;
  max = 0;
  enter(): void {
    this.current += 1;
    if (this.current > this.max) this.max = this.current;
  }
  leave(): void {
    this.current = Math.max(0, this.current - 1);
  }
  resetMax(): void {
    this.max = this.current;
  }
  view(): { current: number; max: number } {
    return { current: this.current, max: this.max };
  }
}

function zeroStats(): Record<RouteKind, number> {
  return Object.fromEntries(ROUTE_KINDS.map((k) => [k, 0])) as Record<RouteKind, number>;
}

/** Everything the emulator holds; one instance per server. */
export class EmulatorState {
  config: EmulatorConfig;
  readonly tokens = new TokenRegistry();
  readonly faults = new Faults();
  readonly rateLimiter = new RateLimiter();
  readonly log = new RequestLog();
  readonly inFlight = new InFlight();
  readonly sourceSystem = new SourceSystem();
  stats: Record<RouteKind, number> = zeroStats();
  /** The clock runs follow (advanced by a control route), and the runs flows produced. */
  readonly clock = new Clock();
  readonly runs: Runs;

  constructor(
    readonly initialConfig: EmulatorConfig,
    readonly store: Store,
  ) {
    this.config = { ...initialConfig };
    this.runs = new Runs(store, this.sourceSystem, this.clock);
  }

  /**
   * Back to a fresh start: no connections, log, faults, refused credentials, rate limit or stats, and the start-up
   * config. Issued tokens stay valid, so a client's cached token keeps working across tests.
   */
  reset(): void {
    this.store.clear();
    this.log.clear();
    this.faults.clear();
    this.sourceSystem.clear();
    this.runs.reset();
    this.clock.reset();
    this.rateLimiter.configure(null, null);
    this.stats = zeroStats();
    this.inFlight.resetMax();
    this.config = { ...this.initialConfig };
  }

  /** What the Flow Service handlers work with. */
  services(): Services {
    return { store: this.store, config: this.config, sourceSystem: this.sourceSystem, runs: this.runs };
  }

  readonly secretResolver: SecretResolver = {
    forSpec: (specId, specName) => {
      if (typeof specId !== "string" || typeof specName !== "string") return undefined;
      const authSpec = findAuthSpec(specId, specName);
      return authSpec ? secretParamNames(authSpec) : undefined;
    },
    forConnection: (id) => {
      const entry = this.store.connections.get(id);
      return entry ? secretsOf(entry.record) : undefined;
    },
  };
}
