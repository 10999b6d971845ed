// The connections handlers: create, read, test, patch, delete (lists: connectionList.ts).
// Everything here is synchronous: once a request's body has been read, nothing awaits until the
// reply, so the If-Match check and the write it guards cannot interleave with another request.
import { randomUUID } from "crypto";
import { z } from "zod";
import { readJson, zodProblems } from "./body";
import { authSpecOf, publicView } from "./connectionView";
import { type ApiRequest, type EmulatorConfig, type Reply, FLOW_BASE, header } from "./context";
import { errors } from "./errors";
import { applyPatch, type PatchOp, parsePatch } from "./patch";
import { maskRoundTrips, toStored, validationView, wrapRetained } from "./secrets";
import type { SourceSystem } from "./sourceSystem";
import { connectionTestSupported, findSpec, secretParamNames } from "./specs";
import { type Connection, type ConnectionStore, type Entry, MUTABLE_STATES, newEtag, sandboxIdFor } from "./store";
import { validateAuthParams } from "./validate";

export interface Services {
  store: ConnectionStore;
  config: EmulatorConfig;
  sourceSystem: SourceSystem;
}

// ---------------------------------------------------------------------------------------------
// Create

const CreateBody = z.object({
  name: z.string().refine((s) => s.trim() !== "", "must not be empty"),
  description: z.string().optional(),
  connectionSpec: z.object({ id: z.string().min(1), version: z.string().min(1).optional() }),
  // Optional in Adobe's CreateConnectionRequest; required below for connectors with auth specs.
  auth: z.object({ specName: z.string().min(1), params: z.record(z.string(), z.unknown()) }).optional(),
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
  let auth: Connection["auth"];
  if (body.auth) {
    const authSpec = spec.authSpec.find((a) => a.name === body.auth?.specName);
    if (!authSpec) throw errors.authSpecNotFound(body.auth.specName, spec.id, spec.authSpec.map((a) => a.name));
    const secrets = secretParamNames(authSpec);
    const problems = validateAuthParams(authSpec, body.auth.params);
    for (const k of maskRoundTrips(body.auth.params, secrets)) {
      problems.push(`auth.params.${k} is the mask GET shows for secrets ('********'), not a real secret value`);
    }
    if (problems.length > 0) throw errors.validation(problems);
    auth = { specName: authSpec.name, params: toStored(body.auth.params, secrets) };
  } else if (spec.authSpec.length > 0) {
    throw errors.validation([
      `auth is required: connector ${spec.name} (${spec.id}) takes credentials (auth specs: ${spec.authSpec.map((a) => `'${a.name}'`).join(", ")})`,
    ]);
  }

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
    ...(auth ? { auth } : {}),
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

export function findOr404(req: ApiRequest, svc: Services, id: string): Entry {
  const entry = svc.store.find(req.caller.orgId, req.caller.sandboxName, id);
  if (!entry) throw errors.connectionNotFound(id);
  return entry;
}

export function getConnection(req: ApiRequest, svc: Services, id: string): Reply {
  return { status: 200, body: { items: [publicView(findOr404(req, svc, id).connection)] } };
}

/** The connectivity check: the testResult flag, unless the source system refuses a stored credential. */
export function testConnection(req: ApiRequest, svc: Services, id: string): Reply {
  const entry = findOr404(req, svc, id);
  const c = entry.connection;
  if (!connectionTestSupported(c.connectionSpec.id)) throw errors.testUnsupported(id, findSpec(c.connectionSpec.id)?.name ?? c.connectionSpec.id);
  return { status: 200, body: { result: entry.flags.testResult && !svc.sourceSystem.refuses(c) } };
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
  let auth: Connection["auth"];
  let next: { name: string; description?: string };
  if (c.auth) {
    const authSpec = authSpecOf(c);
    if (!authSpec) throw errors.internal(`connection ${c.id} refers to an unknown auth spec '${c.auth.specName}'`);
    const secrets = secretParamNames(authSpec);
    const patched = applyPatch({ name: c.name, description: c.description, params: wrapRetained(c.auth.params, secrets) }, ops, c.id);
    const problems = validateAuthParams(authSpec, validationView(patched.params));
    for (const k of maskRoundTrips(patched.params, secrets)) {
      problems.push(`auth.params.${k} is the mask GET shows for secrets ('********'), not a real secret value`);
    }
    if (problems.length > 0) throw errors.patchValidation(problems, c.id);
    auth = { specName: c.auth.specName, params: toStored(patched.params, secrets) };
    next = patched;
  } else {
    const onParams = ops.find((o) => o.target.kind === "params" || o.target.kind === "param");
    if (onParams) {
      throw errors.patchValidation([`path '${onParams.path}' cannot be patched: this connection's connector takes no auth`], c.id);
    }
    next = applyPatch({ name: c.name, description: c.description, params: {} }, ops, c.id);
  }

  const etag = newEtag(c.etag);
  const { description: _old, auth: _oldAuth, ...rest } = c;
  const updated: Connection = {
    ...rest,
    name: next.name,
    ...(next.description !== undefined ? { description: next.description } : {}),
    ...(auth ? { auth } : {}),
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
