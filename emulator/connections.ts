// The Flow Service handlers: connectionSpecs and connections (create, read, list, patch, delete, test).
// Everything here is synchronous: once a request's body has been read, nothing awaits until the
// reply, so the If-Match check and the write it guards cannot interleave with another request.
import { randomUUID } from "crypto";
import { z } from "zod";
import { type ApiRequest, type EmulatorConfig, type Reply, FLOW_BASE, header } from "./context";
import { errors } from "./errors";
import { type Fields, fingerprint, matchesAll, page, parseFilters, parseOrderby } from "./listing";
import { applyPatch, type PatchOp, parsePatch } from "./patch";
import { maskRoundTrips, masked, toStored, validationView, wrapRetained } from "./secrets";
import { type AuthSpec, CONNECTION_SPECS, type ConnectionSpec, findAuthSpec, findSpec, secretParamNames } from "./specs";
import { type Connection, type ConnectionStore, type Entry, MUTABLE_STATES, newEtag, sandboxIdFor } from "./store";
import { validateAuthParams } from "./validate";

export interface Services {
  store: ConnectionStore;
  config: EmulatorConfig;
}

export const MAX_LIMIT = 100;
export const DEFAULT_LIMIT = 100;

// ---------------------------------------------------------------------------------------------
// Bodies

/** Reads a JSON request body; "" → undefined. Only JSON content types are accepted (415 otherwise). */
export function readJson(req: ApiRequest, allowJsonPatch: boolean): unknown {
  if (req.rawBody.trim() === "") return undefined;
  const contentType = (header(req.headers, "content-type") ?? "").split(";")[0].trim().toLowerCase();
  const accepted = contentType === "application/json" || (allowJsonPatch && contentType === "application/json-patch+json");
  if (!accepted) throw errors.unsupportedMediaType(contentType || "(none)");
  try {
    return JSON.parse(req.rawBody);
  } catch (e) {
    // Not JSON.parse's message: it quotes the body, which may hold a secret.
    const position = /position (\d+)/.exec((e as Error).message);
    throw errors.invalidRequest(`The request body is not valid JSON${position ? ` (error at position ${position[1]})` : ""}.`);
  }
}

function zodProblems(error: z.ZodError): string[] {
  return error.issues.map((i) => {
    const field = i.path.join(".") || "body";
    return /received undefined/.test(i.message) ? `${field} is required` : `${field}: ${i.message}`;
  });
}

// ---------------------------------------------------------------------------------------------
// Views

function authSpecOf(c: Connection): AuthSpec | undefined {
  return findAuthSpec(c.connectionSpec.id, c.auth.specName);
}

/** Secret param names of a connection; if its authSpec is unknown every param counts as secret. */
export function secretsOf(c: Connection): Set<string> {
  const spec = authSpecOf(c);
  return spec ? secretParamNames(spec) : new Set(Object.keys(c.auth.params));
}

/** A connection as GET and list show it, keys in the service's order, secrets masked. */
export function publicView(c: Connection): Record<string, unknown> {
  return {
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    createdBy: c.createdBy,
    updatedBy: c.updatedBy,
    createdClient: c.createdClient,
    updatedClient: c.updatedClient,
    sandboxId: c.sandboxId,
    sandboxName: c.sandboxName,
    imsOrgId: c.imsOrgId,
    id: c.id,
    name: c.name,
    ...(c.description !== undefined ? { description: c.description } : {}),
    connectionSpec: { id: c.connectionSpec.id, version: c.connectionSpec.version },
    state: c.state,
    auth: { specName: c.auth.specName, params: masked(c.auth.params, secretsOf(c)) },
    version: c.version,
    etag: c.etag,
  };
}

// ---------------------------------------------------------------------------------------------
// connectionSpecs

const SPEC_FIELDS: Fields<ConnectionSpec> = {
  id: { kind: "string", get: (s) => s.id },
  name: { kind: "string", get: (s) => s.name },
  providerId: { kind: "string", get: (s) => s.providerId },
};

export function listSpecs(req: ApiRequest): Reply {
  const filters = parseFilters(req.query.getAll("property"), SPEC_FIELDS);
  return { status: 200, body: { items: CONNECTION_SPECS.filter((s) => matchesAll(s, filters, SPEC_FIELDS)) } };
}

export function getSpec(id: string): Reply {
  const spec = findSpec(id);
  if (!spec) throw errors.specNotFound(id);
  return { status: 200, body: { items: [spec] } };
}

// ---------------------------------------------------------------------------------------------
// Create

const CreateBody = z.object({
  name: z.string().refine((s) => s.trim() !== "", "must not be empty"),
  description: z.string().optional(),
  connectionSpec: z.object({ id: z.string().min(1), version: z.string().min(1).optional() }),
  auth: z.object({ specName: z.string().min(1), params: z.record(z.string(), z.unknown()) }),
});

export function createConnection(req: ApiRequest, svc: Services): Reply {
  const raw = readJson(req, false);
  if (raw === undefined) throw errors.emptyBody();
  const parsed = CreateBody.safeParse(raw);
  if (!parsed.success) throw errors.validation(zodProblems(parsed.error));
  const body = parsed.data;

  const spec = findSpec(body.connectionSpec.id);
  if (!spec) {
    throw errors.badSpecId(
      `The spec ID provided is invalid. Please provide a valid spec ID and try again. No connection spec has the id '${body.connectionSpec.id}'.`,
    );
  }
  const version = body.connectionSpec.version ?? spec.version; // S1: omitted → the latest version
  if (version !== spec.version) {
    throw errors.badSpecId(
      `The spec ID provided is invalid: connection spec ${spec.id} (${spec.name}) has no version '${version}' (available: ${spec.version}).`,
    );
  }
  const authSpec = spec.authSpec.find((a) => a.name === body.auth.specName);
  if (!authSpec) {
    throw errors.authSpecNotFound(body.auth.specName, spec.id, spec.authSpec.map((a) => a.name));
  }
  const secrets = secretParamNames(authSpec);
  const problems = validateAuthParams(authSpec, body.auth.params);
  for (const k of maskRoundTrips(body.auth.params, secrets)) {
    problems.push(`auth.params.${k} is the mask GET shows for secrets ('********'), not a real secret value`);
  }
  if (problems.length > 0) throw errors.validation(problems);

  const { caller } = req;
  const now = Date.now();
  const etag = newEtag();
  const connection: Connection = {
    id: randomUUID(),
    createdAt: now,
    updatedAt: now,
    createdBy: `${caller.clientId}@AdobeID`,
    updatedBy: `${caller.clientId}@AdobeID`,
    createdClient: header(req.headers, "x-api-key") ?? caller.clientId,
    updatedClient: header(req.headers, "x-api-key") ?? caller.clientId,
    sandboxId: sandboxIdFor(caller.orgId, caller.sandboxName),
    sandboxName: caller.sandboxName,
    imsOrgId: caller.orgId,
    name: body.name,
    ...(body.description !== undefined ? { description: body.description } : {}),
    connectionSpec: { id: spec.id, version },
    state: "enabled",
    auth: { specName: authSpec.name, params: toStored(body.auth.params, secrets) },
    version: etag,
    etag,
  };
  svc.store.insert(connection);
  return {
    status: 201,
    body: { id: connection.id, etag },
    headers: { Location: `${FLOW_BASE}/connections/${connection.id}` },
  };
}

// ---------------------------------------------------------------------------------------------
// Read

function findOr404(req: ApiRequest, svc: Services, id: string): Entry {
  const entry = svc.store.find(req.caller.orgId, req.caller.sandboxName, id);
  if (!entry) throw errors.connectionNotFound(id);
  return entry;
}

export function getConnection(req: ApiRequest, svc: Services, id: string): Reply {
  return { status: 200, body: { items: [publicView(findOr404(req, svc, id).connection)] } };
}

export function testConnection(req: ApiRequest, svc: Services, id: string): Reply {
  return { status: 200, body: { result: findOr404(req, svc, id).flags.testResult } };
}

const CONNECTION_FIELDS: Fields<Connection> = {
  id: { kind: "string", get: (c) => c.id, sortable: true },
  name: { kind: "string", get: (c) => c.name, sortable: true },
  description: { kind: "string", get: (c) => c.description, sortable: true },
  state: { kind: "string", get: (c) => c.state, sortable: true },
  "connectionSpec.id": { kind: "string", get: (c) => c.connectionSpec.id, sortable: true },
  "connectionSpec.version": { kind: "string", get: (c) => c.connectionSpec.version },
  "auth.specName": { kind: "string", get: (c) => c.auth.specName },
  createdAt: { kind: "number", get: (c) => c.createdAt, sortable: true },
  updatedAt: { kind: "number", get: (c) => c.updatedAt, sortable: true },
  createdBy: { kind: "string", get: (c) => c.createdBy },
  updatedBy: { kind: "string", get: (c) => c.updatedBy },
  createdClient: { kind: "string", get: (c) => c.createdClient },
  updatedClient: { kind: "string", get: (c) => c.updatedClient },
  sandboxName: { kind: "string", get: (c) => c.sandboxName },
};

const LIST_PARAMS = ["property", "orderby", "limit", "continuationToken", "count"];

export function listConnections(req: ApiRequest, svc: Services): Reply {
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
  const filters = parseFilters(properties, CONNECTION_FIELDS);
  const orderby = q.get("orderby");
  const order = orderby !== null ? parseOrderby(orderby, CONNECTION_FIELDS) : [{ field: "createdAt", dir: -1 as const }];

  const matching = svc.store
    .list(req.caller.orgId, req.caller.sandboxName)
    .filter((e) => matchesAll(e.connection, filters, CONNECTION_FIELDS));
  if (count) return { status: 200, body: { count: matching.length } };

  const result = page(
    matching.map((e) => ({ item: e.connection, seq: e.seq })),
    {
      order,
      limit,
      continuationToken: q.get("continuationToken") ?? undefined,
      fingerprint: fingerprint([[...properties].sort(), order, req.caller.orgId, req.caller.sandboxName]),
    },
    CONNECTION_FIELDS,
  );
  const body: Record<string, unknown> = { items: result.items.map(publicView) };
  if (result.nextToken !== undefined) {
    const next = new URLSearchParams(q);
    next.delete("continuationToken");
    next.append("continuationToken", result.nextToken);
    // Relative to the Flow Service base, like S1's PageLink example ("/connections?continuationToken=…").
    body._links = { next: { href: `/connections?${next.toString()}` } };
  }
  return { status: 200, body };
}

// ---------------------------------------------------------------------------------------------
// Update

export interface Actor {
  by: string;
  client: string;
}

/**
 * Applies patch ops to a connection as `actor`: to a copy, re-validating auth.params against the
 * authSpec afterwards, so a rejected patch changes nothing. Shared by PATCH and the control route
 * that simulates an edit in the UI. Returns the new etag.
 */
export function applyEdit(store: ConnectionStore, entry: Entry, ops: PatchOp[], actor: Actor): string {
  const c = entry.connection;
  const authSpec = authSpecOf(c);
  if (!authSpec) throw errors.internal(`connection ${c.id} refers to an unknown auth spec '${c.auth.specName}'`);
  const secrets = secretParamNames(authSpec);
  const next = applyPatch(
    { name: c.name, description: c.description, params: wrapRetained(c.auth.params, secrets) },
    ops,
    c.id,
  );
  const problems = validateAuthParams(authSpec, validationView(next.params));
  for (const k of maskRoundTrips(next.params, secrets)) {
    problems.push(`auth.params.${k} is the mask GET shows for secrets ('********'), not a real secret value`);
  }
  if (problems.length > 0) throw errors.patchValidation(problems, c.id);

  const etag = newEtag(c.etag);
  const { description: _old, ...rest } = c;
  const updated: Connection = {
    ...rest,
    name: next.name,
    ...(next.description !== undefined ? { description: next.description } : {}),
    auth: { specName: c.auth.specName, params: toStored(next.params, secrets) },
    updatedAt: Math.max(Date.now(), c.updatedAt + 1), // strictly later, even within one millisecond
    updatedBy: actor.by,
    updatedClient: actor.client,
    version: etag,
    etag,
  };
  store.replace({ ...entry, connection: updated });
  return etag;
}

function ifMatchAccepted(sent: string, etag: string, strict: boolean): boolean {
  if (sent === etag) return true;
  // Lenient by default: the French tutorial sends the etag without its quotes.
  return !strict && sent === etag.replace(/^"(.*)"$/, "$1");
}

export function patchConnection(req: ApiRequest, svc: Services, id: string): Reply {
  const entry = findOr404(req, svc, id);
  const ifMatch = header(req.headers, "if-match")?.trim();
  if (!ifMatch) throw errors.ifMatchMissing(id);
  const ops = parsePatch(readJson(req, true), id);
  const c = entry.connection;
  if (!MUTABLE_STATES.includes(c.state)) throw errors.wrongState(id, c.state, "Update");
  if (!ifMatchAccepted(ifMatch, c.etag, svc.config.strictIfMatch)) {
    const unquotedHint =
      svc.config.strictIfMatch && ifMatch === c.etag.replace(/^"(.*)"$/, "$1")
        ? " The value was sent without its double quotes; this emulator runs with --strict-if-match, so send the etag exactly as returned, quotes included."
        : "";
    throw errors.versionMismatch(
      id,
      `The supplied version '${ifMatch}' does not match the current version '${c.etag}' on entity ${id}. ` +
        `It was last updated by ${c.updatedBy} (client ${c.updatedClient}) at ${new Date(c.updatedAt).toISOString()} (updatedAt ${c.updatedAt}). ` +
        `Please ensure that the supplied version matches the current version on entity and try again.${unquotedHint}`,
    );
  }
  const etag = applyEdit(svc.store, entry, ops, {
    by: `${req.caller.clientId}@AdobeID`,
    client: header(req.headers, "x-api-key") ?? req.caller.clientId,
  });
  return { status: 200, body: { id, etag } };
}

// ---------------------------------------------------------------------------------------------
// Delete

export function deleteConnection(req: ApiRequest, svc: Services, id: string): Reply {
  const entry = findOr404(req, svc, id);
  if (!MUTABLE_STATES.includes(entry.connection.state)) throw errors.wrongState(id, entry.connection.state, "Delete");
  if (entry.flags.usedByFlows) throw errors.usedByFlows(id);
  svc.store.delete(id);
  return { status: 204 };
}
