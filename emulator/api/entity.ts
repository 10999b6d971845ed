// The handlers every entity shares (connections, sourceConnections, targetConnections, flows):
// list, read, create, JSON Patch with a required If-Match, delete. Each entity kind supplies what
// differs: its body checks, patchable paths, view, and what blocks an update or a delete.
// Everything is synchronous: once a request's body has been read, nothing awaits until the reply,
// so an If-Match check and the write it guards cannot interleave with another request.
import { readJson } from "./body";
import { type CollectionSpec, type ListOptions, listCollection } from "./collection";
import { type ApiRequest, type EmulatorConfig, FLOW_BASE, type Reply, header } from "../data/context";
import { type FlowError, type Resource, errors } from "./errors";
import type { Stamp } from "../data/records";
import type { Runs } from "./runs";
import type { SourceSystem } from "../data/sourceSystem";
import { type Actor, actorOf, newStamp, touched } from "../data/stamp";
import type { Row, Store, Table, TableName } from "../data/store";

export interface Services {
  store: Store;
  config: EmulatorConfig;
  sourceSystem: SourceSystem;
  /** Dataflow runs (a flow's lastRunDetails). */
  runs?: Runs;
}

export interface EntityKind<E extends Row<Stamp>, Op> {
  /** Path segment, table name and report.type: "connections", "flows"… */
  collection: TableName;
  table(store: Store): Table<E>;
  notFound(id: string): FlowError;
  list: CollectionSpec<E["record"]>;
  listOptions?(svc: Services): ListOptions;
  view(record: E["record"], svc: Services): Record<string, unknown>;
  /** Checks a create body (already parsed JSON, not empty) and builds the new row around `stamp`. */
  create(body: unknown, stamp: Stamp, req: ApiRequest, svc: Services): Omit<E, "seq">;
  /** Checks a PATCH body: shape, op names and patchable paths (before state and If-Match). */
  parsePatch(body: unknown, id: string): Op[];
  /** Throws if the entity's state forbids an update. */
  checkUpdatable?(entry: E): void;
  /** Applies ops to a copy and checks the result; returns the record without a new stamp. */
  applyPatch(entry: E, ops: Op[], svc: Services): E["record"];
  /** Throws if something still uses the entity or its state forbids a delete. */
  checkDeletable(entry: E, svc: Services): void;
}

// The kinds differ in their row and op types; the router only needs them as a set.
// biome-ignore lint/suspicious/noExplicitAny: any description, whatever its input type (an existential type)
export type AnyKind = EntityKind<any, any>;

function resourceOf(kind: AnyKind, id: string): Resource {
  return { id, type: kind.collection };
}

export function findOr404<E extends Row<Stamp>>(kind: EntityKind<E, unknown>, req: ApiRequest, svc: Services, id: string): E {
  const entry = kind.table(svc.store).find(req.caller.orgId, req.caller.sandboxName, id);
  if (!entry) throw kind.notFound(id);
  return entry;
}

export function listEntities(kind: AnyKind, req: ApiRequest, svc: Services): Reply {
  const rows = kind.table(svc.store).list(req.caller.orgId, req.caller.sandboxName);
  return listCollection(
    req,
    rows.map((e: Row<Stamp>) => ({ item: e.record, seq: e.seq })),
    kind.list,
    (r: Stamp) => kind.view(r, svc),
    kind.listOptions?.(svc),
  );
}

export function getEntity(kind: AnyKind, req: ApiRequest, svc: Services, id: string): Reply {
  return { status: 200, body: { items: [kind.view(findOr404(kind, req, svc, id).record, svc)] } };
}

export function createEntity(kind: AnyKind, req: ApiRequest, svc: Services): Reply {
  const body = readJson(req, false);
  if (body === undefined) throw errors.emptyBody();
  const entry = kind.create(body, newStamp(req), req, svc);
  const { id, etag } = entry.record as Stamp;
  kind.table(svc.store).insert(entry);
  return { status: 201, body: { id, etag }, headers: { Location: `${FLOW_BASE}/${kind.collection}/${id}` } };
}

/** Applies parsed ops as `actor` and stores the result; returns the new etag. Shared by PATCH and the UI-edit control route. */
export function editEntity<E extends Row<Stamp>, Op>(kind: EntityKind<E, Op>, svc: Services, entry: E, ops: Op[], actor: Actor): string {
  const record = kind.applyPatch(entry, ops, svc);
  const stamp = touched(entry.record, actor);
  kind.table(svc.store).replace({ ...entry, record: { ...record, ...stamp } });
  return stamp.etag;
}

function ifMatchAccepted(sent: string, etag: string, strict: boolean): boolean {
  if (sent === etag) return true;
  // Lenient by default: the French tutorial sends the etag without its quotes.
  return !strict && sent === etag.replace(/^"(.*)"$/, "$1");
}

/** 412 FLOW-1404 unless `ifMatch` matches the entity's etag, naming who changed it last. */
export function checkIfMatch(kind: AnyKind, record: Stamp, ifMatch: string, svc: Services): void {
  if (ifMatchAccepted(ifMatch, record.etag, svc.config.strictIfMatch)) return;
  const { id } = record;
  const unquotedHint =
    svc.config.strictIfMatch && ifMatch === record.etag.replace(/^"(.*)"$/, "$1")
      ? " The value was sent without its double quotes; this emulator runs with --strict-if-match, so send the etag exactly as returned, quotes included."
      : "";
  throw errors.versionMismatch(
    resourceOf(kind, id),
    `The supplied version '${ifMatch}' does not match the current version '${record.etag}' on entity ${id}. ` +
      `It was last updated by ${record.updatedBy} (client ${record.updatedClient}) at ${new Date(record.updatedAt).toISOString()} (updatedAt ${record.updatedAt}). ` +
      `Please ensure that the supplied version matches the current version on entity and try again.${unquotedHint}`,
  );
}

export function patchEntity(kind: AnyKind, req: ApiRequest, svc: Services, id: string): Reply {
  const entry = findOr404(kind, req, svc, id);
  const ifMatch = header(req.headers, "if-match")?.trim();
  if (!ifMatch) throw errors.ifMatchMissing(resourceOf(kind, id));
  const ops = kind.parsePatch(readJson(req, true), id);
  kind.checkUpdatable?.(entry);
  checkIfMatch(kind, entry.record, ifMatch, svc);
  return { status: 200, body: { id, etag: editEntity(kind, svc, entry, ops, actorOf(req)) } };
}

export function deleteEntity(kind: AnyKind, req: ApiRequest, svc: Services, id: string): Reply {
  const entry = findOr404(kind, req, svc, id);
  kind.checkDeletable(entry, svc);
  kind.table(svc.store).delete(id);
  return { status: 204 };
}
