// Base connections as an entity kind: create (auth checked against the connector's auth spec,
// secrets stored as digests), patch (/name, /description, /auth/params…), delete (refused while
// used), and the connectivity test.
import { z } from "zod";
import { zodProblems } from "./body";
import { CONNECTIONS_LIST } from "./connectionList";
import { authSpecOf, publicView } from "../data/connectionView";
import type { ApiRequest, Reply } from "../data/context";
import { type EntityKind, type Services, findOr404 } from "./entity";
import { errors } from "./errors";
import { applyPatch, type PatchOp, parsePatch } from "./patch";
import { type Connection, DEFAULT_FLAGS, MUTABLE_STATES, type Stamp, named } from "../data/records";
import { maskRoundTrips, toStored, validationView, wrapRetained } from "../data/secrets";
import { connectionTestSupported, findSpec, secretParamNames } from "../data/specs";
import type { ConnectionRow } from "../data/store";
import { validateAuthParams } from "./validate";
import { specAt } from "./catalog";

const CreateBody = z.object({
  name: z.string().refine((s) => s.trim() !== "", "must not be empty"),
  description: z.string().optional(),
  connectionSpec: z.object({ id: z.string().min(1), version: z.string().min(1).optional() }),
  // Optional in Adobe's CreateConnectionRequest; required below for connectors with auth specs.
  auth: z.object({ specName: z.string().min(1), params: z.record(z.string(), z.unknown()) }).optional(),
});

const MASK_PROBLEM = (k: string) => `auth.params.${k} is the mask GET shows for secrets ('********'), not a real secret value`;

function create(raw: unknown, stamp: Stamp): Omit<ConnectionRow, "seq"> {
  const parsed = CreateBody.safeParse(raw);
  if (!parsed.success) throw errors.validation(zodProblems(parsed.error));
  const body = parsed.data;

  const { spec, version } = specAt("connection spec", findSpec, body.connectionSpec);
  let auth: Connection["auth"];
  if (body.auth) {
    const authSpec = spec.authSpec.find((a) => a.name === body.auth?.specName);
    if (!authSpec)
      throw errors.authSpecNotFound(
        body.auth.specName,
        spec.id,
        spec.authSpec.map((a) => a.name),
      );
    const secrets = secretParamNames(authSpec);
    const problems = validateAuthParams(authSpec, body.auth.params);
    for (const k of maskRoundTrips(body.auth.params, secrets)) problems.push(MASK_PROBLEM(k));
    if (problems.length > 0) throw errors.validation(problems);
    auth = { specName: authSpec.name, params: toStored(body.auth.params, secrets) };
  } else if (spec.authSpec.length > 0) {
    throw errors.validation([
      `auth is required: connector ${spec.name} (${spec.id}) takes credentials (auth specs: ${spec.authSpec.map((a) => `'${a.name}'`).join(", ")})`,
    ]);
  }
  const connection: Connection = {
    ...stamp,
    ...named(body),
    connectionSpec: { id: spec.id, version },
    state: "enabled",
    ...(auth ? { auth } : {}),
  };
  return { record: connection, flags: { ...DEFAULT_FLAGS } };
}

/**
 * Applies patch ops to a copy of the connection, re-validating auth.params against the authSpec
 * afterwards, so a rejected patch changes nothing.
 */
function applyConnectionPatch(entry: ConnectionRow, ops: PatchOp[]): Connection {
  const c = entry.record;
  let auth: Connection["auth"];
  let next: { name: string; description?: string };
  if (c.auth) {
    const authSpec = authSpecOf(c);
    if (!authSpec) throw errors.internal(`connection ${c.id} refers to an unknown auth spec '${c.auth.specName}'`);
    const secrets = secretParamNames(authSpec);
    const patched = applyPatch({ name: c.name, description: c.description, params: wrapRetained(c.auth.params, secrets) }, ops, c.id);
    const problems = validateAuthParams(authSpec, validationView(patched.params));
    for (const k of maskRoundTrips(patched.params, secrets)) problems.push(MASK_PROBLEM(k));
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
  const { description: _d, auth: _a, ...rest } = c;
  return {
    ...rest,
    ...named(next),
    ...(auth ? { auth } : {}),
  };
}

/** What still uses a base connection: source and target connections of its sandbox. */
function usersOf(svc: Services, c: Connection): string[] {
  const rows = [
    ...svc.store.sourceConnections.list(c.imsOrgId, c.sandboxName),
    ...svc.store.targetConnections.list(c.imsOrgId, c.sandboxName),
  ];
  return rows.filter((r) => r.record.baseConnectionId === c.id).map((r) => r.record.id);
}

export const CONNECTIONS: EntityKind<ConnectionRow, PatchOp> = {
  collection: "connections",
  table: (store) => store.connections,
  notFound: (id) => errors.connectionNotFound(id),
  list: CONNECTIONS_LIST,
  listOptions: (svc) => ({ refuseRangeFilters: svc.config.refuseRangeFilters }),
  view: (c) => publicView(c),
  create: (body, stamp) => create(body, stamp),
  parsePatch: (body, id) => parsePatch(body, id),
  checkUpdatable: (e) => {
    if (!MUTABLE_STATES.includes(e.record.state)) throw errors.wrongState(e.record.id, e.record.state, "Update");
  },
  applyPatch: (e, ops) => applyConnectionPatch(e, ops),
  checkDeletable: (e, svc) => {
    const c = e.record;
    if (!MUTABLE_STATES.includes(c.state)) throw errors.wrongState(c.id, c.state, "Delete");
    if (e.flags.usedByFlows) throw errors.usedByFlows(c.id);
    const users = usersOf(svc, c);
    if (users.length > 0)
      throw errors.usedByFlows(
        c.id,
        ` It is the base connection of these source or target connections: ${users.join(", ")}; delete them (and their flows) first.`,
      );
  },
};

/** The connectivity check: the testResult flag, unless the source system refuses a stored credential. */
export function testConnection(req: ApiRequest, svc: Services, id: string): Reply {
  const entry = findOr404(CONNECTIONS, req, svc, id);
  const c = entry.record;
  if (!connectionTestSupported(c.connectionSpec.id)) {
    throw errors.testUnsupported(id, findSpec(c.connectionSpec.id)?.name ?? c.connectionSpec.id);
  }
  return { status: 200, body: { result: entry.flags.testResult && !svc.sourceSystem.refuses(c) } };
}
