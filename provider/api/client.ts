// The Flow Service client: get, list, post, patch with If-Match, delete and the action endpoint on
// any collection (connections, sourceConnections, targetConnections, flows…), by path, plus a
// connection's test endpoint. Every request goes through the one plumbing (http.ts: headers, token
// renewal, the retry loop); this module only knows paths and reply shapes.
import { z } from "zod";
import { ApiError, BadReplyError, FlowServiceProviderError, NetworkError } from "../core/errors";
import { LiveObject } from "../core/entity";
import { FlowConnection, PatchOp, TestReply, WriteReply } from "../core/schemas";
import type { CallOptions, FlowHttp } from "./http";
import type { WriteLedger } from "./ledger";
import { parseReply } from "./problems";

export type { CallOptions } from "./http";

interface PostOptions extends CallOptions {
  body: Record<string, unknown>;
  /** Values to keep out of any error text. */
  secrets: readonly string[];
}

interface PatchOptions extends CallOptions {
  id: string;
  ops: PatchOp[];
  /** The etag from state, sent as If-Match (quotes included). */
  etag: string;
  secrets: readonly string[];
}

interface ActionOptions extends CallOptions {
  id: string;
  /** ENABLE, DISABLE… */
  op: string;
  /** Sent as If-Match: an action on a version this stack has not seen is refused (412). */
  etag?: string;
}

/** Where the next page of a list starts (from the previous page's next link). */
export interface ListCursor {
  path: string;
}
export interface Page<T> {
  items: T[];
  next?: ListCursor;
}

/** A POST either created an object, or its outcome is unknown (no reply, 5xx, unreadable 2xx). */
type PostOutcome = { created: WriteReply } | { unknown: Error };
/** A write was applied (an action's reply may carry no etag), or met 412; `mayHaveApplied` when an earlier attempt's reply was lost. */
type WriteOutcome = { applied: { id: string; etag?: string } } | { conflict: true; mayHaveApplied: boolean; error: Error };

/** An action's reply: the new etag when Flow Service gives one. */
const ActionReply = z.object({ id: z.string().optional(), etag: z.string().optional() }).passthrough();

/**
 * The URL path of one object. Each id is one encoded path segment; "." and ".." (which URL parsers
 * resolve to another path, even percent-encoded) and empty ids are refused.
 */
function entityPath(collection: string, id: string): string {
  if (typeof id !== "string" || id === "" || /^(\.|%2e){1,2}$/i.test(id)) {
    const [noun, where] = collection === "connections" ? ["connection ", "(adoptId)"] : ["", "(adoptId, or a reference)"];
    throw new FlowServiceProviderError(
      "VALIDATION",
      `${noun}id ${JSON.stringify(id)} cannot be used in a URL: Flow Service ${noun}ids are UUIDs. Check the id in the program ${where} or in the state.`,
    );
  }
  return `/${collection}/${encodeURIComponent(id)}`;
}

export class FlowServiceClient {
  constructor(
    private readonly http: FlowHttp,
    private readonly ledger: WriteLedger,
  ) {}

  get clientId(): string {
    return this.http.clientId;
  }

  sandboxOf(o: CallOptions = {}): string {
    return this.http.sandboxOf(o);
  }

  /** Where requests go and for whom: for messages that name them. */
  get origin(): { endpoint: string; orgId: string } {
    return { endpoint: this.http.opts.endpoint, orgId: this.http.opts.orgId };
  }

  /** GET /{collection}/{id}; undefined when Flow Service says 404 (whatever the 404 says: see `lookup`). */
  async get<T extends LiveObject>(collection: string, schema: z.ZodType<T>, id: string, o: CallOptions = {}): Promise<T | undefined> {
    const got = await this.lookup(collection, schema, id, o);
    return "live" in got ? got.live : undefined;
  }

  /** GET /{collection}/{id}: the object, or the 404 as a typed error for the caller to judge (api/reads.ts). */
  async lookup<T extends LiveObject>(
    collection: string,
    schema: z.ZodType<T>,
    id: string,
    o: CallOptions = {},
  ): Promise<{ live: T } | { missing: ApiError }> {
    const path = entityPath(collection, id);
    this.ledger.know(id);
    const reply = await this.http.reply("read", "GET", path, o, { allow: [404] });
    if (reply.status === 404) return { missing: this.http.error(reply, `GET ${path}`, []) };
    const items = parseReply(z.object({ items: z.array(schema) }).passthrough(), reply, `GET ${path}`, this.ledger.secrets()).items;
    if (items.length === 0) throw new BadReplyError(`GET ${path}: HTTP ${reply.status} with no item; expected the object`);
    return { live: items[0] as T };
  }

  /** GET /{collection} with `property` filters (AND of each), following continuation links. */
  async list<T extends LiveObject>(
    collection: string,
    schema: z.ZodType<T>,
    filters: readonly string[],
    o: CallOptions = {},
  ): Promise<T[]> {
    const found: T[] = [];
    let page = await this.listPage(collection, schema, filters, o);
    found.push(...page.items);
    for (let n = 1; page.next && n < 1000; n++) {
      page = await this.listPage(collection, schema, page.next, o);
      found.push(...page.items);
    }
    return found;
  }

  /**
   * One page of GET /{collection} (100 items): the first, from `property` filters, or the one a
   * previous page's `next` names. `next` is absent on the last page.
   */
  async listPage<T extends LiveObject>(
    collection: string,
    schema: z.ZodType<T>,
    from: readonly string[] | ListCursor,
    o: CallOptions = {},
  ): Promise<Page<T>> {
    let path: string;
    if ("path" in from) path = from.path;
    else {
      const query = new URLSearchParams(from.map((f): [string, string] => ["property", f]));
      query.set("limit", "100");
      path = `/${collection}?${query.toString()}`;
    }
    const ListReply = z
      .object({
        items: z.array(schema),
        _links: z
          .object({ next: z.object({ href: z.string() }).partial().optional() })
          .partial()
          .optional(),
      })
      .passthrough();
    const list = parseReply(ListReply, await this.http.reply("read", "GET", path, o, {}), `GET /${collection}`, this.ledger.secrets());
    const href = list._links?.next?.href;
    // The next link is relative to the Flow Service base; only its query is taken.
    const next =
      href && list.items.length > 0
        ? { path: `/${collection}?${new URL(href, this.http.opts.endpoint + "/").searchParams.toString()}` }
        : undefined;
    return { items: list.items as T[], next };
  }

  /** POST /{collection}, once (only a 429 refusal is resent): recovery.ts handles the rest. */
  async post(collection: string, o: PostOptions): Promise<PostOutcome> {
    const operation = `POST /${collection}`;
    const outcome = await this.http.send("create", "POST", `/${collection}`, o, { body: o.body, secrets: o.secrets });
    if (outcome instanceof NetworkError) return { unknown: outcome };
    if (outcome.status >= 500) return { unknown: this.http.error(outcome, operation, o.secrets) };
    if (outcome.status < 200 || outcome.status >= 300) throw this.http.error(outcome, operation, o.secrets);
    try {
      const created = parseReply(WriteReply, outcome, operation, [...this.ledger.secrets(), ...o.secrets]);
      this.ledger.know(created.id);
      this.ledger.wrote(created.id);
      return { created };
    } catch (e) {
      // A 2xx says the object was created, but its id is unreadable: its outcome is unknown.
      return { unknown: e as Error };
    }
  }

  /** PATCH /{collection}/{id} with If-Match; retried on throttling, 5xx and lost replies. */
  async patch(collection: string, o: PatchOptions): Promise<WriteOutcome> {
    const path = entityPath(collection, o.id);
    this.ledger.know(o.id);
    return this.guardedWrite(o.id, path, "PATCH", o, { body: o.ops, secrets: o.secrets, headers: { "if-match": o.etag } });
  }

  /** POST /{collection}/{id}/action?op=OP (If-Match when an etag is given). */
  async action(collection: string, o: ActionOptions): Promise<WriteOutcome> {
    const path = `${entityPath(collection, o.id)}/action?op=${encodeURIComponent(o.op)}`;
    this.ledger.know(o.id);
    return this.guardedWrite(o.id, path, "POST", o, { headers: o.etag ? { "if-match": o.etag } : {} }, ActionReply);
  }

  /**
   * DELETE /{collection}/{id}; "absent" when it was already gone. `confirmAbsent` judges the 404
   * first (api/reads.ts confirmGone): a 404 that does not prove the object gone must throw.
   */
  async delete(
    collection: string,
    id: string,
    o: CallOptions & { confirmAbsent?: (e: ApiError) => Promise<void> } = {},
  ): Promise<"deleted" | "absent"> {
    this.ledger.know(id);
    const path = entityPath(collection, id);
    const reply = await this.http.reply("delete", "DELETE", path, o, { allow: [404] }).finally(() => this.ledger.wrote(id));
    if (reply.status !== 404) return "deleted";
    await o.confirmAbsent?.(this.http.error(reply, `DELETE ${path}`, []));
    return "absent";
  }

  /** GET /connections/{id}; undefined when Flow Service says 404. */
  getConnection(id: string, o: CallOptions = {}): Promise<FlowConnection | undefined> {
    return this.get("connections", FlowConnection, id, o);
  }

  /** GET /connections with `property` filters (AND of each), following continuation links. */
  listConnections(filters: readonly string[], o: CallOptions = {}): Promise<FlowConnection[]> {
    return this.list("connections", FlowConnection, filters, o);
  }

  /** GET /connectionSpecs/{id}: a connector's live spec (`{items: [spec]}`); any error status throws. */
  async connectionSpec<T>(id: string, schema: z.ZodType<T>, o: CallOptions = {}): Promise<T> {
    const path = entityPath("connectionSpecs", id);
    const reply = await this.http.reply("read", "GET", path, o, {});
    return parseReply(z.object({ items: z.array(schema).min(1) }).passthrough(), reply, `GET ${path}`, this.ledger.secrets()).items[0];
  }

  /**
   * POST /runs/{id}/action?op=re-trigger, sent once like a create (a resend after a lost reply could
   * start a second run): the new run's id. A lost or 5xx reply throws, saying the outcome is unknown.
   */
  async retriggerRun(runId: string, o: CallOptions = {}): Promise<{ id: string }> {
    const path = `${entityPath("runs", runId)}/action?op=re-trigger`;
    const operation = `POST ${path}`;
    const outcome = await this.http.send("create", "POST", path, o, {});
    if (outcome instanceof NetworkError || outcome.status >= 500) {
      const cause = outcome instanceof NetworkError ? outcome.message : `HTTP ${outcome.status}`;
      throw new FlowServiceProviderError(
        "API",
        `${operation}: outcome unknown (${cause}); list the flow's runs before re-triggering again.`,
      );
    }
    if (outcome.status < 200 || outcome.status >= 300) throw this.http.error(outcome, operation, []);
    return parseReply(ActionReply.extend({ id: z.string() }), outcome, operation, this.ledger.secrets());
  }

  /** GET /connections/{id}/test: whether the source system accepts the stored credentials. */
  async testConnection(id: string, o: CallOptions = {}): Promise<boolean> {
    const path = `${entityPath("connections", id)}/test`;
    return parseReply(TestReply, await this.http.reply("read", "GET", path, o, {}), `GET ${path}`, this.ledger.secrets()).result;
  }

  /** A write guarded by If-Match: resent like a PATCH (a repeat of an applied one meets 412 and is recognised by recovery). */
  private async guardedWrite(
    id: string,
    path: string,
    method: string,
    o: CallOptions,
    extra: { body?: unknown; secrets?: readonly string[]; headers: Record<string, string> },
    schema: z.ZodTypeAny = WriteReply,
  ): Promise<WriteOutcome> {
    let mayHaveApplied = false;
    const operation = `${method} ${path.split("?")[0]}`;
    const secrets = extra.secrets ?? [];
    const reply = await this.http
      .reply("patch", method, path, o, {
        ...extra,
        allow: [412],
        // No reply, or a server error, may have come after the write was applied; a 429 never does.
        onOutcome: (x) => (mayHaveApplied ||= x instanceof NetworkError || x.status >= 500),
      })
      .finally(() => this.ledger.wrote(id));
    if (reply.status === 412) return { conflict: true, mayHaveApplied, error: this.http.error(reply, operation, secrets) };
    const parsed = parseReply(schema, reply, operation, [...this.ledger.secrets(), ...secrets]) as { id?: string; etag?: string };
    return { applied: { id: parsed.id ?? id, etag: parsed.etag } };
  }
}
