// GET on a collection (/connections and the like): query-parameter checks, filters, count,
// ordering and keyset pages with a `_links.next.href`, the same for every entity.
import type { ApiRequest, Reply } from "./context";
import { errors } from "./errors";
import { type Fields, type OrderKey, fingerprint, matchesAll, page, parseFilters, parseOrderby } from "./listing";

export const MAX_LIMIT = 100;
export const DEFAULT_LIMIT = 100;
const LIST_PARAMS = ["property", "orderby", "limit", "continuationToken", "count"];

export interface CollectionSpec<T> {
  /** The collection's path after the Flow Service base, e.g. "/connections" (next links point there). */
  path: string;
  fields: Fields<T>;
  defaultOrder: OrderKey[];
}

export interface Row<T> {
  item: T;
  /** Creation order: the tie-breaker between equal sort keys. */
  seq: number;
}

export function listCollection<T>(req: ApiRequest, rows: Array<Row<T>>, spec: CollectionSpec<T>, view: (item: T) => unknown): Reply {
  const q = req.query;
  for (const key of new Set(q.keys())) {
    if (!LIST_PARAMS.includes(key)) throw errors.badQueryParam(key, `supported parameters: ${LIST_PARAMS.join(", ")}.`);
  }
  let count = false;
  if (q.has("count")) {
    const v = (q.get("count") ?? "").toLowerCase();
    if (v !== "true" && v !== "false") throw errors.badQueryParam(`count=${q.get("count")}`, "count must be true or false.");
    count = v === "true";
  }
  if (count && q.has("limit")) throw errors.limitWithCount();
  let limit = DEFAULT_LIMIT;
  if (q.has("limit")) {
    const v = q.get("limit") ?? "";
    if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > MAX_LIMIT) {
      throw errors.badQueryParam(`limit=${v}`, `limit must be an integer from 1 to ${MAX_LIMIT}.`);
    }
    limit = Number(v);
  }
  const properties = q.getAll("property");
  const filters = parseFilters(properties, spec.fields);
  const orderby = q.get("orderby");
  const order = orderby !== null ? parseOrderby(orderby, spec.fields) : spec.defaultOrder;

  const matching = rows.filter((r) => matchesAll(r.item, filters, spec.fields));
  if (count) return { status: 200, body: { count: matching.length } };

  const result = page(
    matching,
    {
      order,
      limit,
      continuationToken: q.get("continuationToken") ?? undefined,
      fingerprint: fingerprint([[...properties].sort(), order, req.caller.orgId, req.caller.sandboxName]),
    },
    spec.fields,
  );
  const body: Record<string, unknown> = { items: result.items.map(view) };
  if (result.nextToken !== undefined) {
    const next = new URLSearchParams(q);
    next.delete("continuationToken");
    next.append("continuationToken", result.nextToken);
    // Relative to the Flow Service base, like S1's PageLink example ("/connections?continuationToken=…").
    body._links = { next: { href: `${spec.path}?${next.toString()}` } };
  }
  return { status: 200, body };
}
