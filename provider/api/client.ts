// The Flow Service API client, thin: the four headers on every call, the one retry loop (with a
// renewed token after a 401), typed errors and validated replies. What a lost reply means, and how
// to recover from it, is api/recovery.ts's business: this client only reports it.
import { randomUUID } from "crypto";
import { FlowServiceProviderError, NetworkError } from "../core/errors";
import { FlowConnection, ItemsReply, ListReply, PatchOp, TestReply, WriteReply } from "../core/schemas";
import type { TokenSource } from "./auth";
import type { WriteLedger } from "./ledger";
import { apiErrorFrom, parseReply } from "./problems";
import { RequestKind, retrying, RetryPolicy } from "./retry";
import { HttpReply, httpVerdict, Outcome, Transport } from "./transport";

export interface ClientOptions {
  endpoint: string;
  clientId: string;
  orgId: string;
  /** The stack's sandbox: used by every call that names none. */
  sandboxName: string;
  retry: RetryPolicy;
}

export interface ClientDeps {
  tokens: TokenSource;
  transport: Transport;
  ledger: WriteLedger;
}

export interface CreateBody {
  name: string;
  description?: string;
  connectionSpec: { id: string; version?: string };
  auth: { specName: string; params: Record<string, unknown> };
}

export interface CallOptions {
  /** The sandbox of the connection (x-sandbox-name); the stack's when absent. */
  sandbox?: string;
}
export interface PostOptions extends CallOptions {
  body: CreateBody;
  /** Values to keep out of any error text. */
  secrets: readonly string[];
}
export interface PatchOptions extends CallOptions {
  id: string;
  ops: PatchOp[];
  /** The etag from state, sent as If-Match (quotes included). */
  etag: string;
  secrets: readonly string[];
}

/** Where the next page of a list starts (from the previous page's next link). */
export interface ListCursor {
  path: string;
}
export interface ConnectionPage {
  items: FlowConnection[];
  next?: ListCursor;
}

/** A POST either created a connection, or its outcome is unknown (no reply, 5xx, unreadable 2xx). */
export type PostOutcome = { created: WriteReply } | { unknown: Error };
/** A PATCH was applied, or met 412; `mayHaveApplied` when an earlier attempt's reply was lost. */
export type PatchOutcome = { applied: WriteReply } | { conflict: true; mayHaveApplied: boolean; error: Error };

export class FlowServiceClient {
  constructor(
    private readonly opts: ClientOptions,
    private readonly deps: ClientDeps,
  ) {}

  get clientId(): string {
    return this.opts.clientId;
  }

  sandboxOf(o: CallOptions = {}): string {
    return o.sandbox ?? this.opts.sandboxName;
  }

  /** GET /connections/{id}; undefined when Flow Service says 404. */
  async getConnection(id: string, o: CallOptions = {}): Promise<FlowConnection | undefined> {
    const path = connectionPath(id);
    this.deps.ledger.know(id);
    const reply = await this.reply("read", "GET", path, o, { allow: [404] });
    if (reply.status === 404) return undefined;
    return parseReply(ItemsReply, reply, `GET ${path}`, this.deps.ledger.secrets()).items[0];
  }

  /** GET /connections with `property` filters (AND of each), following continuation links. */
  async listConnections(filters: readonly string[], o: CallOptions = {}): Promise<FlowConnection[]> {
    const found: FlowConnection[] = [];
    let page = await this.listPage(filters, o);
    found.push(...page.items);
    for (let n = 1; page.next && n < 1000; n++) {
      page = await this.listPage(page.next, o);
      found.push(...page.items);
    }
    return found;
  }

  /**
   * One page of GET /connections (100 items): the first, from `property` filters, or the one a
   * previous page's `next` names. `next` is absent on the last page.
   */
  async listPage(from: readonly string[] | ListCursor, o: CallOptions = {}): Promise<ConnectionPage> {
    let path: string;
    if ("path" in from) path = from.path;
    else {
      const query = new URLSearchParams(from.map((f): [string, string] => ["property", f]));
      query.set("limit", "100");
      path = `/connections?${query.toString()}`;
    }
    const list = parseReply(ListReply, await this.reply("read", "GET", path, o, {}), "GET /connections", this.deps.ledger.secrets());
    const href = list._links?.next?.href;
    // The next link is relative to the Flow Service base; only its query is taken.
    const next = href && list.items.length > 0 ? { path: `/connections?${new URL(href, this.opts.endpoint + "/").searchParams.toString()}` } : undefined;
    return { items: list.items, next };
  }

  /** POST /connections, once (only a 429 refusal is resent): see Recovery.create for the rest. */
  async postConnection(o: PostOptions): Promise<PostOutcome> {
    const outcome = await this.send("create", "POST", "/connections", o, { body: o.body, secrets: o.secrets });
    if (outcome instanceof NetworkError) return { unknown: outcome };
    if (outcome.status >= 500) return { unknown: this.error(outcome, "POST /connections", o.secrets) };
    if (outcome.status < 200 || outcome.status >= 300) throw this.error(outcome, "POST /connections", o.secrets);
    try {
      const created = parseReply(WriteReply, outcome, "POST /connections", [...this.deps.ledger.secrets(), ...o.secrets]);
      this.deps.ledger.know(created.id);
      this.deps.ledger.wrote(created.id);
      return { created };
    } catch (e) {
      // A 2xx says the connection was created, but its id is unreadable: its outcome is unknown.
      return { unknown: e as Error };
    }
  }

  /** PATCH /connections/{id} with If-Match; retried on throttling, 5xx and lost replies. */
  async patchConnection(o: PatchOptions): Promise<PatchOutcome> {
    const path = connectionPath(o.id);
    this.deps.ledger.know(o.id);
    let mayHaveApplied = false;
    const reply = await this.reply("patch", "PATCH", path, o, {
      body: o.ops,
      secrets: o.secrets,
      headers: { "if-match": o.etag },
      allow: [412],
      // No reply, or a server error, may have come after the write was applied; a 429 never does.
      onOutcome: (x) => (mayHaveApplied ||= x instanceof NetworkError || x.status >= 500),
    }).finally(() => this.deps.ledger.wrote(o.id));
    if (reply.status === 412) return { conflict: true, mayHaveApplied, error: this.error(reply, `PATCH ${path}`, o.secrets) };
    return { applied: parseReply(WriteReply, reply, `PATCH ${path}`, [...this.deps.ledger.secrets(), ...o.secrets]) };
  }

  /** DELETE /connections/{id}; "absent" when it was already gone. */
  async deleteConnection(id: string, o: CallOptions = {}): Promise<"deleted" | "absent"> {
    this.deps.ledger.know(id);
    const reply = await this.reply("delete", "DELETE", connectionPath(id), o, { allow: [404] }).finally(() => this.deps.ledger.wrote(id));
    return reply.status === 404 ? "absent" : "deleted";
  }

  /** GET /connections/{id}/test: whether the source system accepts the stored credentials. */
  async testConnection(id: string, o: CallOptions = {}): Promise<boolean> {
    const path = `${connectionPath(id)}/test`;
    return parseReply(TestReply, await this.reply("read", "GET", path, o, {}), `GET ${path}`, this.deps.ledger.secrets()).result;
  }

  // ---- plumbing -------------------------------------------------------------------------------

  /** A reply that is 2xx or allowed; anything else throws its typed error. (Also the entity client's: entityClient.ts.) */
  async reply(kind: RequestKind, method: string, path: string, o: CallOptions, extra: SendExtra & { allow?: number[] }): Promise<HttpReply> {
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

export interface SendExtra {
  body?: unknown;
  headers?: Record<string, string>;
  secrets?: readonly string[];
  onOutcome?: (outcome: Outcome) => void;
}

/**
 * The URL path of one connection. Each id is one encoded path segment; "." and ".." (which URL
 * parsers resolve to another path, even percent-encoded) and empty ids are refused.
 */
export function connectionPath(id: string): string {
  if (typeof id !== "string" || id === "" || /^(\.|%2e){1,2}$/i.test(id)) {
    throw new FlowServiceProviderError(
      "VALIDATION",
      `connection id ${JSON.stringify(id)} cannot be used in a URL: Flow Service connection ids are UUIDs. Check the id in the program (adoptId) or in the state.`,
    );
  }
  return `/connections/${encodeURIComponent(id)}`;
}
