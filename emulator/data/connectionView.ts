// How a stored connection is shown: key order as the service's, secret params masked.
import { masked } from "./secrets";
import { type AuthSpec, findAuthSpec, secretParamNames } from "./specs";
import type { Connection } from "./records";
import { named } from "./records";
import { auditView } from "./stamp";

export function authSpecOf(c: Connection): AuthSpec | undefined {
  return c.auth ? findAuthSpec(c.connectionSpec.id, c.auth.specName) : undefined;
}

/** Secret param names of a connection; if its authSpec is unknown every param counts as secret. */
export function secretsOf(c: Connection): Set<string> {
  if (!c.auth) return new Set();
  const spec = authSpecOf(c);
  return spec ? secretParamNames(spec) : new Set(Object.keys(c.auth.params));
}

/** A connection as GET and list show it, keys in the service's order, secrets masked. */
export function publicView(c: Connection): Record<string, unknown> {
  return {
    ...auditView(c),
    id: c.id,
    ...named(c),
    connectionSpec: { id: c.connectionSpec.id, version: c.connectionSpec.version },
    state: c.state,
    ...(c.auth ? { auth: { specName: c.auth.specName, params: masked(c.auth.params, secretsOf(c)) } } : {}),
    version: c.version,
    etag: c.etag,
  };
}
