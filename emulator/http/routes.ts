// Which Flow Service route a request is for, and the handler that answers it.
import type * as http from "node:http";
import { getFlowSpec, getSpec, listFlowSpecs, listSpecs } from "../api/catalog";
import { CONNECTIONS, testConnection } from "../api/connections";
import { type ApiRequest, FLOW_BASE, IMS_TOKEN_PATH, type Reply } from "../data/context";
import { type AnyKind, createEntity, deleteEntity, getEntity, listEntities, patchEntity } from "../api/entity";
import { SOURCE_CONNECTIONS, TARGET_CONNECTIONS } from "../api/dataConnections";
import { errors } from "../api/errors";
import { FLOWS, flowAction } from "../api/flows";
import { handleRuns } from "../api/runRoutes";
import { checkGateway, handleImsToken } from "./gateway";
import type { EmulatorState, RouteKind } from "./state";

/** The entity collections, by path segment. */
const KINDS: Record<string, AnyKind> = {
  connections: CONNECTIONS,
  sourceConnections: SOURCE_CONNECTIONS,
  targetConnections: TARGET_CONNECTIONS,
  flows: FLOWS,
};

interface Route {
  area: "ims" | "flow" | "other";
  kind: RouteKind;
  /** The path faults match against: after the Flow Service base, or the whole path otherwise. */
  rel: string;
  /** The first path segment under the base ("connections", "flowSpecs"…). */
  collection?: string;
  id?: string;
  /** Methods the path supports, when the path is known but the method is not. */
  allowed?: string[];
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function classify(method: string, pathname: string): Route {
  if (pathname === IMS_TOKEN_PATH) return { area: "ims", kind: "token", rel: pathname };
  if (pathname !== FLOW_BASE && !pathname.startsWith(FLOW_BASE + "/")) return { area: "other", kind: "unknown", rel: pathname };
  const rel = pathname.slice(FLOW_BASE.length);
  // A trailing slash is accepted everywhere (S1 writes the PATCH/DELETE path as /connections/{id}/).
  const segs = rel.replace(/\/$/, "").split("/").slice(1).map(decodeSegment);
  const [collection, id, sub] = segs;
  const known = (kinds: Partial<Record<string, RouteKind>>): Route => {
    const kind = kinds[method];
    return kind
      ? { area: "flow", kind, rel, collection, id }
      : { area: "flow", kind: "unknown", rel, collection, id, allowed: Object.keys(kinds) };
  };
  if (collection === "runs" && id !== "") {
    if (segs.length === 1) return known({ GET: "list", POST: "post" });
    if (segs.length === 2) return known({ GET: "get" });
    if (segs.length === 3 && sub === "action") return known({ POST: "action" });
  }
  if ((collection === "connectionSpecs" || collection === "flowSpecs") && segs.length <= 2) return known({ GET: "specs" });
  if (collection !== undefined && Object.hasOwn(KINDS, collection) && id !== "") {
    if (segs.length === 1) return known({ GET: "list", POST: "post" });
    if (segs.length === 2) return known({ GET: "get", PATCH: "patch", DELETE: "delete" });
    if (segs.length === 3 && collection === "connections" && sub === "test") return known({ GET: "test" });
    if (segs.length === 3 && collection === "flows" && sub === "action") return known({ POST: "action" });
  }
  return { area: "flow", kind: "unknown", rel };
}

/** The Flow Service and IMS routes; synchronous from here to the reply. */
export function dispatch(
  state: EmulatorState,
  route: Route,
  req: http.IncomingMessage,
  url: URL,
  rawBody: string,
  requestId: string,
): Reply {
  const method = req.method ?? "GET";
  if (route.area === "ims") {
    return handleImsToken(method, url.searchParams, req.headers, rawBody, state.config, state.tokens);
  }
  if (route.area === "other") throw errors.routeNotFound(method, url.pathname);

  if (!state.rateLimiter.admit()) {
    const retryAfter = state.rateLimiter.retryAfter;
    return {
      status: 429,
      body: { error_code: "429050", message: "Too many requests" },
      headers: retryAfter !== null ? { "Retry-After": String(retryAfter) } : undefined,
    };
  }
  const caller = checkGateway(req.headers, state.config, state.tokens);
  const apiReq: ApiRequest = { method, path: route.rel, query: url.searchParams, headers: req.headers, rawBody, requestId, caller };
  const svc = state.services();
  const id = route.id ?? "";
  state.runs.catchUp(); // the runs due by now exist before anything reads flows or runs
  if (route.collection === "runs" && route.kind !== "unknown") return handleRuns(route.kind, apiReq, state.runs, state.store, id);
  const kind = route.collection !== undefined && Object.hasOwn(KINDS, route.collection) ? KINDS[route.collection] : undefined;
  switch (route.kind) {
    case "specs":
      if (route.collection === "flowSpecs") return route.id === undefined ? listFlowSpecs(apiReq) : getFlowSpec(id);
      return route.id === undefined ? listSpecs(apiReq) : getSpec(id);
    case "test":
      return testConnection(apiReq, svc, id);
    case "action":
      return flowAction(apiReq, svc, id);
  }
  if (kind) {
    switch (route.kind) {
      case "list":
        return listEntities(kind, apiReq, svc);
      case "post":
        return createEntity(kind, apiReq, svc);
      case "get":
        return getEntity(kind, apiReq, svc, id);
      case "patch":
        return patchEntity(kind, apiReq, svc, id);
      case "delete":
        return deleteEntity(kind, apiReq, svc, id);
    }
  }
  if (route.allowed) throw errors.methodNotAllowed(method, url.pathname, route.allowed);
  throw errors.routeNotFound(method, url.pathname);
}
