// Generic calls on any Flow Service collection (sourceConnections, targetConnections, flows…):
// get, list, post, patch with If-Match, delete and the action endpoint, by path. Every request goes
// through the one client's headers, token renewal and retry loop (client.ts → retry.ts); this
// module only knows paths and reply shapes.
import { z } from "zod";
import { FlowServiceProviderError, NetworkError } from "../core/errors";
import { LiveObject } from "../core/entity";
import { PatchOp, WriteReply } from "../core/schemas";
import type { CallOptions, FlowServiceClient, PostOutcome } from "./client";
import type { WriteLedger } from "./ledger";
import { parseReply } from "./problems";

export interface EntityPostOptions extends CallOptions {
  body: Record<string, unknown>;
  /** Values to keep out of any error text. */
  secrets: readonly string[];
}

export interface EntityPatchOptions extends CallOptions {
  id: string;
  ops: PatchOp[];
  /** The etag from state, sent as If-Match (quotes included). */
  etag: string;
  secrets: readonly string[];
}

export interface ActionOptions extends CallOptions {
  id: string;
  /** ENABLE, DISABLE… */
  op: string;
  /** Sent as If-Match: an action on a version this stack has not seen is refused (412). */
  etag?: string;
}

/** A write was applied (an action's reply may carry no etag), or met 412; `mayHaveApplied` when an earlier attempt's reply was lost. */
export type WriteOutcome = { applied: { id: string; etag?: string } } | { conflict: true; mayHaveApplied: boolean; error: Error };

/** An action's reply: the new etag when Flow Service gives one. */
const ActionReply = z.object({ id: z.string().optional(), etag: z.string().optional() }).passthrough();

/**
 * The URL path of one object. Each id is one encoded path segment; "." and ".." (which URL parsers
 * resolve to another path, even percent-encoded) and empty ids are refused.
 */
export function entityPath(collection: string, id: string): string {
  if (typeof id !== "string" || id === "" || /^(\.|%2e){1,2}$/i.test(id)) {
    throw new FlowServiceProviderError(
      "VALIDATION",
      `id ${JSON.stringify(id)} cannot be used in a URL: Flow Service ids are UUIDs. Check the id in the program (adoptId, or a reference) or in the state.`,
    );
  }
  return `/${collection}/${encodeURIComponent(id)}`;
}

export class EntityClient {
  constructor(
    private readonly client: FlowServiceClient,
    private readonly ledger: WriteLedger,
    private readonly endpoint: string,
  ) {}

  get clientId(): string {
    return this.client.clientId;
  }

  sandboxOf(o: CallOptions = {}): string {
    return this.client.sandboxOf(o);
  }

  /** GET /{collection}/{id}; undefined when Flow Service says 404. */
  async get<T extends LiveObject>(collection: string, schema: z.ZodType<T>, id: string, o: CallOptions = {}): Promise<T | undefined> {
    const path = entityPath(collection, id);
    this.ledger.know(id);
    const reply = await this.client.reply("read", "GET", path, o, { allow: [404] });
    if (reply.status === 404) return undefined;
    const items = parseReply(z.object({ items: z.array(schema) }).passthrough(), reply, `GET ${path}`, this.ledger.secrets()).items;
    return items[0] as T | undefined;
  }

  /** GET /{collection} with `property` filters (AND of each), following continuation links. */
  async list<T extends LiveObject>(collection: string, schema: z.ZodType<T>, filters: readonly string[], o: CallOptions = {}): Promise<T[]> {
    const found: T[] = [];
    const query = new URLSearchParams(filters.map((f): [string, string] => ["property", f]));
    query.set("limit", "100");
    const ListReply = z
      .object({ items: z.array(schema), _links: z.object({ next: z.object({ href: z.string() }).partial().optional() }).partial().optional() })
      .passthrough();
    let path = `/${collection}?${query.toString()}`;
    for (let page = 0; page < 1000; page++) {
      const list = parseReply(ListReply, await this.client.reply("read", "GET", path, o, {}), `GET /${collection}`, this.ledger.secrets());
      found.push(...(list.items as T[]));
      const next = list._links?.next?.href;
      if (!next || list.items.length === 0) break;
      path = `/${collection}?${new URL(next, this.endpoint + "/").searchParams.toString()}`;
    }
    return found;
  }

  /** POST /{collection}, once (only a 429 refusal is resent): entityRecovery.ts handles the rest. */
  async post(collection: string, o: EntityPostOptions): Promise<PostOutcome> {
    const operation = `POST /${collection}`;
    const outcome = await this.client.send("create", "POST", `/${collection}`, o, { body: o.body, secrets: o.secrets });
    if (outcome instanceof NetworkError) return { unknown: outcome };
    if (outcome.status >= 500) return { unknown: this.client.error(outcome, operation, o.secrets) };
    if (outcome.status < 200 || outcome.status >= 300) throw this.client.error(outcome, operation, o.secrets);
    try {
      const created = parseReply(WriteReply, outcome, operation, [...this.ledger.secrets(), ...o.secrets]);
      this.ledger.know(created.id);
      return { created };
    } catch (e) {
      // A 2xx says the object was created, but its id is unreadable: its outcome is unknown.
      return { unknown: e as Error };
    }
  }

  /** PATCH /{collection}/{id} with If-Match; retried on throttling, 5xx and lost replies. */
  async patch(collection: string, o: EntityPatchOptions): Promise<WriteOutcome> {
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

  /** DELETE /{collection}/{id}; "absent" when it was already gone. */
  async delete(collection: string, id: string, o: CallOptions = {}): Promise<"deleted" | "absent"> {
    this.ledger.know(id);
    const reply = await this.client.reply("delete", "DELETE", entityPath(collection, id), o, { allow: [404] });
    return reply.status === 404 ? "absent" : "deleted";
  }

  /** A write guarded by If-Match: resent like a PATCH (a repeat of an applied one meets 412 and is recognised by recovery). */
  private async guardedWrite(
    id: string,
    path: string,
    method: string,
    o: CallOptions & { secrets?: readonly string[] },
    extra: { body?: unknown; secrets?: readonly string[]; headers: Record<string, string> },
    schema: z.ZodTypeAny = WriteReply,
  ): Promise<WriteOutcome> {
    let mayHaveApplied = false;
    const operation = `${method} ${path.split("?")[0]}`;
    const secrets = extra.secrets ?? [];
    const reply = await this.client.reply("patch", method, path, o, {
      ...extra,
      allow: [412],
      // No reply, or a server error, may have come after the write was applied; a 429 never does.
      onOutcome: (x) => (mayHaveApplied ||= x instanceof NetworkError || x.status >= 500),
    });
    if (reply.status === 412) return { conflict: true, mayHaveApplied, error: this.client.error(reply, operation, secrets) };
    const parsed = parseReply(schema, reply, operation, [...this.ledger.secrets(), ...secrets]) as { id?: string; etag?: string };
    return { applied: { id: parsed.id ?? id, etag: parsed.etag } };
  }
}
