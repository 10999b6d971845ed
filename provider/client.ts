// The Flow Service API client: the four headers on every call, typed errors for both error body
// shapes, replies validated with zod, and retries that never repeat a write blindly.
import { randomUUID } from "crypto";
import { z } from "zod";
import { parseJson, snippet, TokenSource } from "./auth";
import { ApiError, BadReplyError, ErrorCode, FlowServiceProviderError, NetworkError } from "./errors";
import {
  FlowConnection,
  GatewayErrorBody,
  ItemsReply,
  ListReply,
  PatchOp,
  ProblemBody,
  WriteReply,
} from "./schemas";
import { HttpReply, Transport, withRetries } from "./transport";
import { paramKeyOf } from "./planner";

export interface ClientOptions {
  endpoint: string;
  clientId: string;
  orgId: string;
  sandboxName: string;
  maxRetries: number;
  retryBudgetMs: number;
}

export interface CreateBody {
  name: string;
  description?: string;
  connectionSpec: { id: string; version?: string };
  auth: { specName: string; params: Record<string, unknown> };
}

/** Outcome of a PATCH whose reply was lost and whose retry met a 412: see patchConnection. */
export interface PatchResult extends WriteReply {
  /** True when the reply was lost and the write was recognised by reading the connection back. */
  recovered?: boolean;
}

type Json = unknown;

export class FlowServiceClient {
  constructor(
    private readonly opts: ClientOptions,
    private readonly tokens: TokenSource,
    private readonly transport: Transport,
  ) {}

  get requestCounts(): Readonly<Record<string, number>> {
    return this.transport.sent;
  }

  /** GET /connections/{id}; undefined when Flow Service says 404. */
  async getConnection(id: string): Promise<FlowConnection | undefined> {
    const path = connectionPath(id);
    KNOWN_IDS.add(id);
    const reply = await this.call("GET", path, { allow404: true });
    if (reply.status === 404) return undefined;
    const items = this.parse(ItemsReply, reply, `GET ${path}`).items;
    if (items.length === 0) return undefined;
    return items[0];
  }

  /** GET /connections with `property` filters, following continuation links. */
  async listConnections(filters: string[]): Promise<FlowConnection[]> {
    const found: FlowConnection[] = [];
    let query = new URLSearchParams(filters.map((f): [string, string] => ["property", f]));
    query.set("limit", "100");
    let path = `/connections?${query.toString()}`;
    for (let page = 0; page < 1000; page++) {
      const reply = await this.call("GET", path, {});
      const list = this.parse(ListReply, reply, "GET /connections");
      found.push(...list.items);
      const next = list._links?.next?.href;
      if (!next || list.items.length === 0) break;
      const nextUrl = new URL(next, this.opts.endpoint + "/");
      query = nextUrl.searchParams;
      path = `/connections?${query.toString()}`;
    }
    return found;
  }

  /**
   * POST /connections. Never retried blindly: a POST whose outcome is unknown (no reply, a 5xx that
   * may have come after the write, or a 2xx whose body is unreadable) is followed by a search for the
   * connection it may have created; only when there is none is it sent again. A 429 is a refusal, so
   * it is simply retried.
   *
   * Within one process, creates of the same name (in the same endpoint and sandbox) run one at a
   * time, and the search never returns a connection this process already knows (one it created,
   * found, read or wrote): so two resources of the same name can never take each other's connection.
   */
  async createConnection(body: CreateBody, secrets: string[]): Promise<WriteReply> {
    const key = `${this.opts.endpoint}\u0000${this.opts.sandboxName}\u0000${body.name}`;
    return serialized(key, async () => {
      const created = await this.createOnce(body, secrets);
      KNOWN_IDS.add(created.id);
      return created;
    });
  }

  private async createOnce(body: CreateBody, secrets: string[]): Promise<WriteReply> {
    const started = Date.now();
    let ambiguousAttempts = 0;
    for (;;) {
      let ambiguous: Error;
      try {
        const reply = await this.call("POST", "/connections", {
          body,
          secrets,
          // Only throttling (the request never reached Flow Service) is retried here.
          retryable: (o) => !(o instanceof NetworkError) && o.status === 429,
        });
        try {
          return this.parse(WriteReply, reply, "POST /connections", secrets);
        } catch (e) {
          // A 2xx says the connection was created, but its id is unreadable: find it.
          if (!(e instanceof BadReplyError)) throw e;
          ambiguous = e;
        }
      } catch (e) {
        if (!(e instanceof NetworkError) && !(e instanceof ApiError && e.status >= 500)) throw e;
        ambiguous = e as Error;
      }
      let existing = await this.findCreated(body, started);
      // A POST the client stopped waiting for may still be processed by Flow Service: keep looking
      // (three request timeouts, at least 10 s, within the retry budget) before concluding that it was
      // not applied and sending it again.
      if (!existing && /no reply within/.test(ambiguous.message)) {
        const until = Date.now() + Math.min(Math.max(3 * this.transport.timeoutMs, 10_000), this.opts.retryBudgetMs);
        for (let wait = 250; !existing && Date.now() < until; wait = Math.min(wait * 2, 2000)) {
          await new Promise((r) => setTimeout(r, Math.max(0, Math.min(wait, until - Date.now()))));
          existing = await this.findCreated(body, started);
        }
      }
      if (existing) return existing;
      if (++ambiguousAttempts > this.opts.maxRetries) throw ambiguous;
      await new Promise((r) => setTimeout(r, 250 * ambiguousAttempts));
    }
  }

  /**
   * The connection this client may just have created: same name, connector and auth spec, created by
   * this client since `since` (minus clock skew), and not one this process already knows. Exactly one
   * such connection is taken; several are reported; none means the POST was not applied.
   */
  private async findCreated(body: CreateBody, since: number): Promise<WriteReply | undefined> {
    const notBefore = since - 300_000;
    // The list filter cannot express every name (a comma means any-of, and there is no escape):
    // such names are matched here instead, over the connector's recent connections.
    const filters = [`connectionSpec.id==${body.connectionSpec.id}`, `createdAt>=${notBefore}`];
    if (/^[^,\u0000-\u001f\u007f]+$/.test(body.name)) filters.unshift(`name==${body.name}`);
    const candidates = (await this.listConnections(filters)).filter(
      (c) =>
        c.name === body.name &&
        c.connectionSpec.id === body.connectionSpec.id &&
        (c.auth?.specName === undefined || c.auth.specName === body.auth.specName) &&
        (c.createdClient === undefined || c.createdClient === this.opts.clientId) &&
        (c.createdAt === undefined || c.createdAt >= notBefore) &&
        !KNOWN_IDS.has(c.id),
    );
    if (candidates.length === 1) return { id: candidates[0].id, etag: candidates[0].etag };
    if (candidates.length > 1) {
      throw new ApiError(
        "API",
        0,
        undefined,
        "Ambiguous create",
        `the reply to POST /connections was lost and ${candidates.length} connections named "${body.name}" now exist (${candidates.map((c) => c.id).join(", ")}); adopt the right one with adoptId and delete the others`,
        undefined,
        "POST /connections",
      );
    }
    return undefined;
  }

  /**
   * PATCH /connections/{id} with If-Match. Retried on throttling, 5xx and lost replies; if a retry
   * then meets 412, the first attempt may have been applied, so the connection is read back: when it
   * shows this client's write (every readable value the patch set, and this client as last writer),
   * that is success, not a conflict.
   */
  async patchConnection(id: string, ops: PatchOp[], etag: string, secrets: string[], secretKeys: string[]): Promise<PatchResult> {
    const started = Date.now();
    let mayHaveApplied = false;
    const path = connectionPath(id);
    KNOWN_IDS.add(id);
    const reply = await this.call("PATCH", path, {
      body: ops,
      secrets,
      headers: { "if-match": etag },
      allow412: true,
      // No reply, or a server error, may have come after the write was applied; a 429 never does.
      onOutcome: (o) => {
        if (o instanceof NetworkError || o.status >= 500) mayHaveApplied = true;
      },
    });
    if (reply.status === 412) {
      if (mayHaveApplied) {
        const live = await this.getConnection(id);
        if (live && this.showsOurWrite(live, ops, secretKeys, started)) return { id, etag: live.etag, recovered: true };
      }
      throw this.apiError(reply, `PATCH ${path}`, secrets);
    }
    try {
      return this.parse(WriteReply, reply, `PATCH ${path}`, secrets);
    } catch (e) {
      if (!(e instanceof BadReplyError)) throw e;
      // A 2xx means "applied", but without the new etag the state cannot be brought up to date.
      throw new BadReplyError(
        `${e.message}. Flow Service answered HTTP ${reply.status}, so the update was probably applied, but its new version is unknown: ` +
          `the state keeps the previous values. To reconcile: run 'pulumi refresh' (it reads connection ${id} and takes its version), then 'pulumi up' (it re-sends the secrets, which cannot be read back).`,
      );
    }
  }

  private showsOurWrite(live: FlowConnection, ops: PatchOp[], secretKeys: string[], since: number): boolean {
    if (live.updatedClient !== undefined && live.updatedClient !== this.opts.clientId) return false;
    if (live.updatedAt !== undefined && live.updatedAt < since - 300_000) return false;
    const params = (live.auth?.params ?? {}) as Record<string, unknown>;
    return ops.every((op) => {
      const key = paramKeyOf(op);
      if (key !== undefined && secretKeys.includes(key)) return true; // write-only: unverifiable
      const current = key !== undefined ? params[key] : op.path === "/name" ? live.name : live.description;
      return op.op === "remove" ? current === undefined : current === op.value;
    });
  }

  /** DELETE /connections/{id}; "absent" when it was already gone. */
  async deleteConnection(id: string): Promise<"deleted" | "absent"> {
    KNOWN_IDS.add(id);
    const reply = await this.call("DELETE", connectionPath(id), { allow404: true });
    return reply.status === 404 ? "absent" : "deleted";
  }

  // ---- plumbing -------------------------------------------------------------------------------

  private async call(
    method: string,
    path: string,
    o: {
      body?: Json;
      headers?: Record<string, string>;
      secrets?: string[];
      allow404?: boolean;
      allow412?: boolean;
      retryable?: (outcome: HttpReply | NetworkError) => boolean;
      onOutcome?: (outcome: HttpReply | NetworkError) => void;
    },
  ): Promise<HttpReply> {
    const url = this.opts.endpoint + path;
    for (const v of o.secrets ?? []) if (v.length >= 3) SECRET_VALUES.add(v);
    let renewed = false;
    for (;;) {
      const token = await this.tokens.token();
      const reply = await withRetries(
        () =>
          this.transport.attempt(url, {
            method,
            headers: {
              authorization: `Bearer ${token}`,
              "x-api-key": this.opts.clientId,
              "x-gw-ims-org-id": this.opts.orgId,
              "x-sandbox-name": this.opts.sandboxName,
              "x-request-id": randomUUID(),
              accept: "application/json",
              ...(o.body !== undefined ? { "content-type": "application/json" } : {}),
              ...o.headers,
            },
            body: o.body === undefined ? undefined : JSON.stringify(o.body),
          }),
        {
          maxRetries: this.opts.maxRetries,
          budgetMs: this.opts.retryBudgetMs,
          retryable: o.retryable,
          onOutcome: o.onOutcome,
        },
      );
      // An expired or revoked token: renew once and try again.
      if (reply.status === 401 && !renewed && this.tokens.invalidate(token)) {
        renewed = true;
        continue;
      }
      if (reply.status >= 200 && reply.status < 300) return reply;
      if (reply.status === 404 && o.allow404) return reply;
      if (reply.status === 412 && o.allow412) return reply;
      throw this.apiError(reply, `${method} ${path.split("?")[0]}`, o.secrets ?? []);
    }
  }

  private parse<T extends z.ZodTypeAny>(schema: T, reply: HttpReply, operation: string, secrets: readonly string[] = []): z.infer<T> {
    const json = parseJson(reply.text);
    if (json === undefined) {
      throw new BadReplyError(`${operation}: HTTP ${reply.status} with ${snippet(redact(reply.text, [...SECRET_VALUES, ...secrets]))}; expected JSON`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ");
      throw new BadReplyError(`${operation}: the reply does not match Flow Service's documented shape (${issues})`);
    }
    return parsed.data;
  }

  /** Builds the typed error from either error body shape, with secrets the body echoes redacted. */
  private apiError(reply: HttpReply, operation: string, own: string[]): ApiError {
    // Every secret this process has handled, not only this request's: an error may echo another's.
    const secrets = [...SECRET_VALUES, ...own];
    const json = parseJson(reply.text);
    const requestIdHeader = reply.headers.get("x-request-id") ?? undefined;
    let apiCode: string | undefined;
    let title: string | undefined;
    let detail: string | undefined;
    let requestId = requestIdHeader;
    const gateway = GatewayErrorBody.safeParse(json);
    const problem = ProblemBody.safeParse(json);
    if (gateway.success) {
      apiCode = gateway.data.error_code;
      detail = gateway.data.message;
    } else if (problem.success && json !== undefined) {
      const p = problem.data;
      apiCode = p.type?.match(/(FLOW-\d+-\d+)$/)?.[1];
      title = p.title;
      detail = [p.report?.["detailed-message"] ?? p.errorMessage ?? p.message, p.errorDetails]
        .filter((s, i, all) => s && all.indexOf(s) === i)
        .join(" — ") || undefined;
      requestId = p.report?.["request-id"] ?? requestIdHeader;
    } else {
      // Redacted before it is shortened: a cut must not leave the start of a secret behind.
      detail = snippet(redact(reply.text, secrets));
    }
    const code: ErrorCode =
      reply.status === 401 || reply.status === 403
        ? "AUTH"
        : reply.status === 404
          ? "NOT_FOUND"
          : reply.status === 412
            ? "CONFLICT"
            : apiCode?.startsWith("FLOW-1418")
              ? "IN_USE"
              : "API";
    return new ApiError(
      code,
      reply.status,
      apiCode,
      title && redact(title, secrets),
      detail && redact(detail, secrets),
      requestId,
      operation,
    );
  }
}

// ---- process-wide bookkeeping of creates --------------------------------------------------------

/** Connection ids this process has created, found, read, written or deleted: never "found" again. */
const KNOWN_IDS = new Set<string>();
const CREATE_QUEUES = new Map<string, Promise<unknown>>();
/** Every secret value sent by this process: redacted from any error text, whichever request it came from. */
const SECRET_VALUES = new Set<string>();

/** Runs `fn` after every earlier call with the same key has settled. */
async function serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = CREATE_QUEUES.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  CREATE_QUEUES.set(key, tail);
  try {
    return await run;
  } finally {
    if (CREATE_QUEUES.get(key) === tail) CREATE_QUEUES.delete(key);
  }
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

/** Replaces every occurrence of each secret value with `[secret]`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].filter((v) => v.length >= 3).sort((a, b) => b.length - a.length)) {
    out = out.split(s).join("[secret]");
    const encoded = JSON.stringify(s).slice(1, -1);
    if (encoded !== s) out = out.split(encoded).join("[secret]");
  }
  return out;
}
