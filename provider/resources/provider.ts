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
    this.current ??= new FlowSession(this.config as ProviderConfig);
    return this.current;
  }

  /** Requests made by this process so far: for tests and the benchmark. */
  stats(): { token: number; flow: Record<string, number> } {
    return this.current?.stats() ?? { token: 0, flow: {} };
  }
}
