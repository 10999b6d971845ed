// The read-only catalogue routes: connectionSpecs and flowSpecs.
import type { ApiRequest, Reply } from "../data/context";
import { errors } from "./errors";
import { FLOW_SPECS, type FlowSpec, findFlowSpec } from "../data/flowSpecs";
import { type Fields, matchesAll, parseFilters } from "./listing";
import { CONNECTION_SPECS, type ConnectionSpec, findSpec } from "../data/specs";

interface Spec {
  id: string;
  name: string;
  providerId: string;
}
const SPEC_FIELDS: Fields<Spec> = {
  id: { kind: "string", get: (s) => s.id },
  name: { kind: "string", get: (s) => s.name },
  providerId: { kind: "string", get: (s) => s.providerId },
};

function list(req: ApiRequest, specs: readonly Spec[]): Reply {
  const filters = parseFilters(req.query.getAll("property"), SPEC_FIELDS);
  return { status: 200, body: { items: specs.filter((s) => matchesAll(s, filters, SPEC_FIELDS)) } };
}

export function listSpecs(req: ApiRequest): Reply {
  return list(req, CONNECTION_SPECS);
}

export function getSpec(id: string): Reply {
  const spec: ConnectionSpec | undefined = findSpec(id);
  if (!spec) throw errors.specNotFound(id);
  return { status: 200, body: { items: [spec] } };
}

/** GET /flowSpecs, e.g. `?property=name=="CloudStorageToAEP"` as the tutorials look one up. */
export function listFlowSpecs(req: ApiRequest): Reply {
  return list(req, FLOW_SPECS);
}

export function getFlowSpec(id: string): Reply {
  const spec: FlowSpec | undefined = findFlowSpec(id);
  if (!spec) throw errors.specNotFound(id, "flowSpecs");
  return { status: 200, body: { items: [spec] } };
}

/**
 * The spec a create names, at the version it names (omitted: the latest, S1), or error 1413 —
 * one rule for connections, source and target connections, and flows.
 */
export function specAt<S extends Spec & { version: string }>(
  what: "connection spec" | "flow spec",
  find: (id: string) => S | undefined,
  ref: { id: string; version?: string },
): { spec: S; version: string } {
  const spec = find(ref.id);
  if (!spec)
    throw errors.badSpecId(
      `The spec ID provided is invalid. Please provide a valid spec ID and try again. No ${what} has the id '${ref.id}'.`,
    );
  const version = ref.version ?? spec.version;
  if (version !== spec.version)
    throw errors.badSpecId(
      `The spec ID provided is invalid: ${what} ${spec.id} (${spec.name}) has no version '${version}' (available: ${spec.version}).`,
    );
  return { spec, version };
}
