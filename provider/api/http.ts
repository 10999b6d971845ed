// The Flow Service HTTP plumbing, thin: the four headers on every call, the one retry loop (with a
// renewed token after a 401), typed errors. Paths and reply shapes are client.ts's business; what a
// lost reply means, and how to recover from it, is recovery.ts's.
import { randomUUID } from "node:crypto";
import { NetworkError } from "../core/errors";
import type { TokenSource } from "./auth";
import type { WriteLedger } from "./ledger";
import { apiErrorFrom } from "./problems";
import { RequestKind, retrying, RetryPolicy } from "./retry";
import { HttpReply, httpVerdict, Outcome, Transport } from "./transport";

interface ClientOptions {
  endpoint: string;
  clientId: string;
  orgId: string;
  /** The stack's sandbox: used by every call that names none. */
  sandboxName: string;
  retry: RetryPolicy;
}

interface ClientDeps {
  tokens: TokenSource;
  transport: Transport;
  ledger: WriteLedger;
}

export interface CallOptions {
  /** The sandbox of the object (x-sandbox-name); the stack's when absent. */
  sandbox?: string;
}

interface SendExtra {
  body?: unknown;
  headers?: Record<string, string>;
  secrets?: readonly string[];
  onOutcome?: (outcome: Outcome) => void;
}

export class FlowHttp {
  constructor(
    readonly opts: ClientOptions,
    private readonly deps: ClientDeps,
  ) {}

  get clientId(): string {
    return this.opts.clientId;
  }

  sandboxOf(o: CallOptions = {}): string {
    return o.sandbox ?? this.opts.sandboxName;
  }

  /** A reply that is 2xx or allowed; anything else throws its typed error. */
  async reply(
    kind: RequestKind,
    method: string,
    path: string,
    o: CallOptions,
    extra: SendExtra & { allow?: number[] },
  ): Promise<HttpReply> {
    const outcome = await this.send(kind, method, path, o, extra);
    if (outcome instanceof NetworkError) throw outcome;
    if ((outcome.status >= 200 && outcome.status < 300) || extra.allow?.includes(outcome.status)) return outcome;
    throw this.error(outcome, `${method} ${path.split("?")[0]}`, extra.secrets ?? []);
  }

  /** One request through the retry loop; an expired or revoked token is renewed once (a free retry). */
  async send(kind: RequestKind, method: string, path: string, o: CallOptions, extra: SendExtra): Promise<Outcome> {
    this.deps.ledger.rememberSecrets(extra.secrets ?? []);
    let renewed = false;
    return retrying(this.opts.retry, async () => {
      const token = await this.deps.tokens.token();
      const outcome = await this.deps.transport.attempt(this.opts.endpoint + path, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          "x-api-key": this.opts.clientId,
          "x-gw-ims-org-id": this.opts.orgId,
          "x-sandbox-name": this.sandboxOf(o),
          "x-request-id": randomUUID(),
          accept: "application/json",
          ...(extra.body !== undefined ? { "content-type": "application/json" } : {}),
          ...extra.headers,
        },
        body: extra.body === undefined ? undefined : JSON.stringify(extra.body),
      });
      if (!(outcome instanceof NetworkError) && outcome.status === 401 && !renewed && this.deps.tokens.invalidate(token)) {
        renewed = true;
        return { done: false, free: true, retryAfterMs: 0, giveUp: () => outcome };
      }
      extra.onOutcome?.(outcome);
      return httpVerdict(outcome, kind);
    });
  }

  error(reply: HttpReply, operation: string, own: readonly string[]) {
    // Every secret this process has handled, not only this request's: an error may echo another's.
    return apiErrorFrom(reply, operation, [...this.deps.ledger.secrets(), ...own]);
  }
}
