// The read-only catalogue routes: connectionSpecs.
import type { ApiRequest, Reply } from "./context";
import { errors } from "./errors";
import { type Fields, matchesAll, parseFilters } from "./listing";
import { CONNECTION_SPECS, type ConnectionSpec, findSpec } from "./specs";

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
