// The Pulumi glue, and nothing else: engine calls in, plain functions out.
//
// The dynamic-provider host loads this module through `require("pulumi-flowservice/dist/provider/
// dynamicProvider")` (see connection.ts), never serializes it: the configuration, the token and the
// HTTP client live in a ProviderRuntime in the host process and never reach state.
import type * as pulumi from "@pulumi/pulumi";
import { FlowSession } from "../api/session";
import { checkConnection } from "../core/check";
import { resolveConfig } from "../core/config";
import { diffConnection } from "../core/diff";
import { FlowServiceProviderError } from "../core/errors";
import { storedOutputs } from "../core/mappings";
import { ConnectionInputs, ProviderConfig } from "../core/schemas";
import { engineConfigure, recorded } from "./entityProvider";
import * as ops from "./operations";

/** The state of one provider process: its configuration, and the API session built on first use. */
export class ProviderRuntime {
  private config?: ProviderConfig;
  private current?: FlowSession;
  /** Ids of this stack's state seen in diff: never taken for another resource's object (see api/duplicates.ts). */
  private readonly inState = new Set<string>();

  /** An id the engine holds in this stack's state (diff is called for each before any create). */
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

function inputsOf(raw: Record<string, unknown>): ConnectionInputs {
  const parsed = ConnectionInputs.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FlowServiceProviderError("VALIDATION", `${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

/** The engine's ResourceProvider over one runtime. */
export function connectionProvider(runtime: ProviderRuntime): pulumi.dynamic.ResourceProvider {
  return {
    configure: engineConfigure(runtime),

    async check(olds: Record<string, unknown>, news: Record<string, unknown>) {
      return checkConnection(olds ?? {}, news, { sandboxName: runtime.stackSandbox() });
    },

    async diff(id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
      runtime.heldByState(id);
      const d = diffConnection(storedOutputs(olds), news, olds.__provider, news.__provider);
      return { changes: d.changes, replaces: d.replaces, deleteBeforeReplace: false };
    },

    async create(inputs: Record<string, unknown>) {
      return ops.createConnection(runtime.session(), inputsOf(inputs)).catch((e) => {
        throw recorded(e, inputs.__provider);
      });
    },

    async read(id: string, props: Record<string, unknown>) {
      const r = await ops.readConnection(runtime.session(), id, storedOutputs(props));
      // A blank id tells the engine the connection is gone (refresh drops it from state).
      if (r.gone) return { id: "", props: {} };
      return r.inputs ? { id, props: r.outs, inputs: r.inputs } : { id, props: r.outs };
    },

    async update(id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
      const outs = await ops.updateConnection(runtime.session(), id, storedOutputs(olds), inputsOf(news)).catch((e) => {
        throw recorded(e, news.__provider);
      });
      return { outs };
    },

    async delete(id: string, props: Record<string, unknown>) {
      await ops.deleteConnection(runtime.session(), id, storedOutputs(props));
    },
  };
}
