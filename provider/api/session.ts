// Everything one provider process holds for talking to Flow Service, built from its configuration
// and owned here: the transport (connection pool, concurrency limit, request counts), the token,
// the ledger of writes, the client, the recovery of lost writes and the reader (refresh snapshots). A new configuration builds a
// new session; nothing of it lives in module variables.
import { assertCredentials } from "../core/config";
import { currentOrigin, type Origin } from "../core/origin";
import type { ProviderConfig } from "../core/schemas";
import { ImsClientCredentials, StaticToken, TokenSource } from "./auth";
import { FlowServiceClient } from "./client";
import { DuplicateCheck, OncePerRunListings } from "./duplicates";
import { FlowHttp } from "./http";
import { WriteLedger } from "./ledger";
import { EntityReader } from "./reads";
import { Recovery } from "./recovery";
import { RetryPolicy } from "./retry";
import { ConnectionSpecs } from "./specs";
import { RunReader } from "./runs";
import { Transport } from "./transport";

export class FlowSession {
  readonly client: FlowServiceClient;
  readonly recovery: Recovery;
  readonly reads: EntityReader;
  /** The connectors' live specs, read once per connector in this run. */
  readonly specs: ConnectionSpecs;
  /** Dataflow runs for refresh (a dataflow's lastRun), batched per sandbox. */
  readonly runs: RunReader;
  readonly tokens: TokenSource;
  /** What this process knows of (ids created, read, written, or held by this stack's state). */
  readonly ledger = new WriteLedger();
  private readonly transport: Transport;

  constructor(readonly config: ProviderConfig) {
    assertCredentials(config);
    const retry: RetryPolicy = { maxRetries: config.maxRetries, budgetMs: config.retryBudgetMs };
    this.transport = new Transport({ timeoutMs: config.requestTimeoutMs, maxConcurrency: config.maxConcurrency });
    this.tokens = config.accessToken
      ? new StaticToken(config.accessToken)
      : new ImsClientCredentials(
          {
            imsEndpoint: config.imsEndpoint,
            clientId: config.clientId as string,
            clientSecret: config.clientSecret as string,
            scopes: config.scopes,
            retry,
          },
          this.transport,
        );
    const ledger = this.ledger;
    const http = new FlowHttp(
      {
        endpoint: config.endpoint,
        clientId: config.clientId as string,
        orgId: config.orgId as string,
        sandboxName: config.sandboxName,
        retry,
      },
      { tokens: this.tokens, transport: this.transport, ledger },
    );
    this.client = new FlowServiceClient(http, ledger);
    const duplicates = new DuplicateCheck({
      client: this.client,
      ledger,
      listings: new OncePerRunListings(this.client),
      windowMinutes: config.duplicateCheckMinutes,
    });
    this.recovery = new Recovery({ client: this.client, ledger, retry, requestTimeoutMs: config.requestTimeoutMs, duplicates });
    this.reads = new EntityReader({ client: this.client, ledger });
    this.specs = new ConnectionSpecs(this.client);
    // Runs are grouped from the flows the refresh listed: no second listing of the flows.
    this.runs = new RunReader(this.client, (sandbox) => this.reads.listed("flows", sandbox));
  }

  /** The org and endpoint host this configuration names: what new objects record, and what state is checked against. */
  get origin(): Origin {
    return currentOrigin(this.config);
  }

  /** Requests asked for and not settled yet. */
  get requestsInFlight(): number {
    return this.transport.inFlight;
  }

  /** Requests made so far: for tests and the benchmark. */
  stats(): { token: number; flow: Record<string, number> } {
    return { token: this.tokens.requests, flow: { ...this.transport.sent } };
  }
}
