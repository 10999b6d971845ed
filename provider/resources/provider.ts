// The provider process's runtime: its configuration and the API session built on it.
//
// The dynamic-provider host loads the providers through `require("pulumi-flowservice/dist/provider/
// dynamicProvider")` (see connection.ts), never serializes them: the configuration, the token and
// the HTTP client live in a ProviderRuntime in the host process and never reach state.
import { FlowSession } from "../api/session";
import { resolveConfig } from "../core/config";
import { ProviderConfig } from "../core/schemas";

/** The state of one provider process: its configuration, and the API session built on first use. */
export class ProviderRuntime {
  private config?: ProviderConfig;
  private current?: FlowSession;
  /** Ids of this stack's state seen in diff: never taken for another resource's object (see api/duplicates.ts). */
  private readonly inState = new Set<string>();

  /** An id the engine holds in this stack's state (seen in its diff of the resource; api/duplicates.ts waits for late ones). */
  heldByState(id: string): void {
    if (!id) return;
    this.inState.add(id);
    this.current?.ledger.know(id);
  }

  /** Assigned synchronously: the host may call CRUD methods before a configure promise settles. */
  configure(get: (key: string) => string | undefined, env: Record<string, string | undefined> = process.env): void {
    this.config = resolveConfig(get, env);
    this.current = undefined;
  }

  /** The stack's sandbox (flowservice:sandboxName): the default of connections that declare none. */
  stackSandbox(): string {
    if (!this.config) this.configure(() => undefined);
    return (this.config as ProviderConfig).sandboxName;
  }

  /**
   * The engine's configure: the host configures each distinct provider text once (Connection,
   * SourceConnection, Dataflow…), so an unchanged configuration keeps the session and its token.
   */
  configureFromEngine(get: (key: string) => string | undefined, env: Record<string, string | undefined> = process.env): void {
    const next = resolveConfig(get, env);
    if (this.config && JSON.stringify(next) === JSON.stringify(this.config)) return;
    this.config = next;
    this.current = undefined;
  }

  /** The API session, built on first use: previews (check + diff only) never need credentials. */
  session(): FlowSession {
    if (!this.config) this.configure(() => undefined);
    if (!this.current) {
      this.current = new FlowSession(this.config as ProviderConfig);
      for (const id of this.inState) this.current.ledger.know(id);
    }
    return this.current;
  }

  /** Whether no request of this process is in flight (a killed run's provider exits once idle). */
  idle(): boolean {
    return (this.current?.requestsInFlight ?? 0) === 0;
  }

  /** Requests made by this process so far: for tests and the benchmark. */
  stats(): { token: number; flow: Record<string, number> } {
    return this.current?.stats() ?? { token: 0, flow: {} };
  }
}
