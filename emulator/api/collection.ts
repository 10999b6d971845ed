// GET on a collection (/connections and the like): query-parameter checks, filters, count,
// ordering and keyset pages with a `_links.next.href`, the same for every entity.
import type { ApiRequest, Reply } from "../data/context";
import { errors } from "./errors";
import { type Fields, type OrderKey, fingerprint, matchesAll, page, parseFilters, parseOrderby } from "./listing";
import type { Stamp } from "../data/records";

const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 100;
const LIST_PARAMS = ["property", "orderby", "limit", "continuationToken", "count"];

/** Every collection's default order: newest first. */
export const NEWEST_FIRST: OrderKey[] = [{ field: "createdAt", dir: -1 }];

/** The list fields every record leads with: its id, name, description and state. */
export function recordFields<T extends Stamp & { name?: string; description?: string; state: string }>(): Fields<T> {
  return {
    id: { kind: "string", get: (r) => r.id, sortable: true },
    name: { kind: "string", get: (r) => r.name, sortable: true },
    description: { kind: "string", get: (r) => r.description, sortable: true },
    state: { kind: "string", get: (r) => r.state, sortable: true },
  };
}

/** The list fields of every stamped record: when, by whom and from which client it was made and changed, its sandbox. */
export function stampFields<T extends Stamp>(): Fields<T> {
  return {
    createdAt: { kind: "number", get: (r) => r.createdAt, sortable: true },
    updatedAt: { kind: "number", get: (r) => r.updatedAt, sortable: true },
    createdBy: { kind: "string", get: (r) => r.createdBy },
    updatedBy: { kind: "string", get: (r) => r.updatedBy },
    createdClient: { kind: "string", get: (r) => r.createdClient },
    updatedClient: { kind: "string", get: (r) => r.updatedClient },
    sandboxName: { kind: "string", get: (r) => r.sandboxName },
  };
}

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

export interface ListOptions {
  /** Answer range filters (>, <, >=, <=) with 1453, as a service that does not support them would. */
  refuseRangeFilters?: boolean;
}

/**
 * A parameter that may be repeated only with one value: a client that re-sends its query with a
 * next link's (aepp does) repeats it identically; two different values are refused.
 */
function single(q: URLSearchParams, name: string): string | undefined {
  const values = [...new Set(q.getAll(name))];
  if (values.length > 1) {
    throw errors.badQueryParam(
      name,
      `${name} is given several times with different values (${values.map((v) => `'${v}'`).join(", ")}); give it once.`,
    );
  }
  return values[0];
}

export function listCollection<T>(
  req: ApiRequest,
  rows: Array<Row<T>>,
  spec: CollectionSpec<T>,
  view: (item: T) => unknown,
  opts: ListOptions = {},
): Reply {
  const q = req.query;
  for (const key of new Set(q.keys())) {
    if (!LIST_PARAMS.includes(key)) throw errors.badQueryParam(key, `supported parameters: ${LIST_PARAMS.join(", ")}.`);
  }
  let count = false;
  const countParam = single(q, "count");
  if (countParam !== undefined) {
    const v = countParam.toLowerCase();
    if (v !== "true" && v !== "false") throw errors.badQueryParam(`count=${countParam}`, "count must be true or false.");
    count = v === "true";
  }
  const limitParam = single(q, "limit");
  if (count && limitParam !== undefined) throw errors.limitWithCount();
  let limit = DEFAULT_LIMIT;
  if (limitParam !== undefined) {
    if (!/^\d+$/.test(limitParam) || Number(limitParam) < 1 || Number(limitParam) > MAX_LIMIT) {
      throw errors.badQueryParam(`limit=${limitParam}`, `limit must be an integer from 1 to ${MAX_LIMIT}.`);
    }
    limit = Number(limitParam);
  }
  // The same filter twice is the same filter (aepp re-sends its query with the next link's).
  const properties = [...new Set(q.getAll("property"))];
  const filters = parseFilters(properties, spec.fields, { range: !opts.refuseRangeFilters });
  const orderby = single(q, "orderby");
  const order = orderby !== undefined ? parseOrderby(orderby, spec.fields) : spec.defaultOrder;

  const matching = rows.filter((r) => matchesAll(r.item, filters, spec.fields));
  if (count) return { status: 200, body: { count: matching.length } };

  const result = page(
    matching,
    {
      order,
      limit,
      continuationToken: single(q, "continuationToken"),
      fingerprint: fingerprint([[...properties].sort(), order, req.caller.orgId, req.caller.sandboxName]),
    },
    spec.fields,
  );
  const body: Record<string, unknown> = { items: result.items.map(view) };
  if (result.nextToken !== undefined) {
    // The query as understood (each parameter once), then the token.
    const next = new URLSearchParams();
    for (const key of new Set(q.keys())) {
      if (key !== "continuationToken") for (const v of new Set(q.getAll(key))) next.append(key, v);
    }
    next.append("continuationToken", result.nextToken);
    // Relative to the Flow Service base, like S1's PageLink example ("/connections?continuationToken=…").
    body._links = { next: { href: `${spec.path}?${next.toString()}` } };
  }
  return { status: 200, body };
}
