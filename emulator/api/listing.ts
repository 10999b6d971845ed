// List queries: `property=` filters, `orderby=`, `limit` and continuation tokens, with the error
// codes of Adobe's catalogue (1432/1433 sorting, 1440-1453 filtering, 1451 parameters).
import { createHash } from "node:crypto";
import { errors } from "./errors";

interface FieldDef<T> {
  kind: "string" | "number";
  /** An array value (a flow's sourceConnectionIds) matches == when any element does. */
  get(item: T): string | number | readonly string[] | undefined;
  sortable?: boolean;
}
export type Fields<T> = Record<string, FieldDef<T>>;

type Op = "==" | "!=" | ">" | "<" | ">=" | "<=";
interface Filter {
  field: string;
  op: Op;
  values: Array<string | number>;
}

// Longest operators first so ">=" is not read as ">" followed by "=...".
const EXPRESSION = /^([A-Za-z_][A-Za-z0-9_.[\]]*)(==|!=|>=|<=|!>|!<|=>|=<|>|<|~|=)(.*)$/;

/** Parses `field<op>value[,value...]` expressions; a comma means any-of (== ) or none-of (!=). */
export function parseFilters<T>(exprs: string[], fields: Fields<T>, opts: { range?: boolean } = {}): Filter[] {
  return exprs.map((expr) => {
    const m = EXPRESSION.exec(expr);
    if (!m) throw errors.badFilterExpression(expr);
    const [, field, op, rawValue] = m;
    if (op === "~") throw errors.operatorNotImplemented(op);
    if (!["==", "!=", ">", "<", ">=", "<="].includes(op)) throw errors.badFilterOperator(op);
    const def = fields[field];
    if (!def) throw errors.badFilterField(field, Object.keys(fields));
    if (rawValue === "") throw errors.badFilterExpression(expr);
    const parts = rawValue.split(",");
    const ordered = op !== "==" && op !== "!=";
    if (ordered && opts.range === false) throw errors.rangeFilterRefused(expr);
    if (ordered && def.kind !== "number") throw errors.operatorNotForField(op, field);
    if (ordered && parts.length > 1) throw errors.operatorMultipleValues(op, field);
    const values = parts.map((p) => {
      // The tutorials quote string values: property=name=="CloudStorageToAEP".
      if (def.kind === "string") return p.length >= 2 && p.startsWith('"') && p.endsWith('"') ? p.slice(1, -1) : p;
      if (!/^-?\d+$/.test(p)) throw errors.badFilterValue(rawValue, field);
      return Number(p);
    });
    return { field, op: op as Op, values };
  });
}

export function matchesAll<T>(item: T, filters: Filter[], fields: Fields<T>): boolean {
  return filters.every((f) => {
    const got = fields[f.field].get(item);
    if (Array.isArray(got)) {
      return f.op === "==" ? got.some((e) => f.values.includes(e)) : f.op === "!=" ? got.every((e) => !f.values.includes(e)) : false;
    }
    const v = got as string | number | undefined;
    switch (f.op) {
      case "==":
        return f.values.some((x) => x === v);
      case "!=":
        return f.values.every((x) => x !== v);
      default: {
        if (typeof v !== "number") return false;
        const x = f.values[0] as number;
        return f.op === ">" ? v > x : f.op === "<" ? v < x : f.op === ">=" ? v >= x : v <= x;
      }
    }
  });
}

export interface OrderKey {
  field: string;
  dir: 1 | -1;
}

/**
 * `orderby=field`, `+field` (ascending; a raw "+" arrives as a space once the query is decoded) or
 * `-field`; several comma-separated keys are allowed.
 */
export function parseOrderby<T>(value: string, fields: Fields<T>): OrderKey[] {
  const sortable = Object.keys(fields).filter((k) => fields[k].sortable);
  return value.split(",").map((part) => {
    const m = /^([ +-]?)([A-Za-z_][A-Za-z0-9_.]*)$/.exec(part.replace(/^\s+(?=\S)/, " "));
    if (!m) {
      if (/^[^A-Za-z_ +-]/.test(part)) throw errors.badSortOrder(value);
      throw errors.badSortField(part, sortable);
    }
    if (!sortable.includes(m[2])) throw errors.badSortField(m[2], sortable);
    return { field: m[2], dir: m[1] === "-" ? -1 : 1 };
  });
}

type Key = Array<string | number | null>;

function compareValues(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0;
  if (a === null) return -1; // absent values sort first in ascending order
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

/** Sort key: the order fields, then the creation sequence as a tie-breaker (same direction as the last field). */
function keyOf<T>(item: T, seq: number, order: OrderKey[], fields: Fields<T>): Key {
  // Only scalar fields are sortable.
  return [...order.map((o) => (fields[o.field].get(item) as string | number | undefined) ?? null), seq];
}

function compareKeys(a: Key, b: Key, order: OrderKey[]): number {
  for (let i = 0; i < a.length; i++) {
    const dir = i < order.length ? order[i].dir : order[order.length - 1].dir;
    const c = compareValues(a[i], b[i]) * dir;
    if (c !== 0) return c;
  }
  return 0;
}

interface Cursor {
  k: Key;
  f: string;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c), "utf8").toString("base64url");
}

function decodeCursor(token: string): Cursor | undefined {
  try {
    const c = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    return c && Array.isArray(c.k) && typeof c.f === "string" ? (c as Cursor) : undefined;
  } catch {
    return undefined;
  }
}

interface PageRequest {
  order: OrderKey[];
  limit: number;
  continuationToken?: string;
  /** Identifies the query (filters, order, scope) a continuation token belongs to. */
  fingerprint: string;
}

export function fingerprint(parts: unknown): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 16);
}

/**
 * Keyset pagination: a continuation token holds the sort key of the last item returned, so pages
 * stay consistent when items are created or deleted between calls.
 */
export function page<T>(items: Array<{ item: T; seq: number }>, req: PageRequest, fields: Fields<T>): { items: T[]; nextToken?: string } {
  const keyed = items.map((x) => ({ item: x.item, key: keyOf(x.item, x.seq, req.order, fields) }));
  keyed.sort((a, b) => compareKeys(a.key, b.key, req.order));
  let start = 0;
  if (req.continuationToken !== undefined) {
    const cursor = decodeCursor(req.continuationToken);
    if (!cursor || cursor.k.length !== req.order.length + 1) {
      throw errors.badQueryParam("continuationToken", "the token is malformed.");
    }
    if (cursor.f !== req.fingerprint) {
      throw errors.badQueryParam(
        "continuationToken",
        "the token belongs to a different query; repeat the same property, orderby and sandbox as the first page.",
      );
    }
    start = keyed.findIndex((x) => compareKeys(x.key, cursor.k, req.order) > 0);
    if (start < 0) start = keyed.length;
  }
  const slice = keyed.slice(start, start + req.limit);
  const more = start + req.limit < keyed.length;
  return {
    items: slice.map((x) => x.item),
    nextToken: more ? encodeCursor({ k: slice[slice.length - 1].key, f: req.fingerprint }) : undefined,
  };
}
