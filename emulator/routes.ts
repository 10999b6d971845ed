// Which Flow Service route a request is for, and the handler that answers it.
import type * as http from "http";
import { getSpec, listSpecs } from "./catalog";
import { listConnections } from "./connectionList";
import { createConnection, deleteConnection, getConnection, patchConnection, testConnection } from "./connections";
import { type ApiRequest, FLOW_BASE, IMS_TOKEN_PATH, type Reply } from "./context";
import { errors } from "./errors";
import { checkGateway, handleImsToken } from "./gateway";
import type { EmulatorState, RouteKind } from "./state";

export interface Route {
  area: "ims" | "flow" | "other";
  kind: RouteKind;
  /** The path faults match against: after the Flow Service base, or the whole path otherwise. */
  rel: string;
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
  const known = (kinds: Partial<Record<string, RouteKind>>, id?: string): Route => {
    const kind = kinds[method];
    return kind ? { area: "flow", kind, rel, id } : { area: "flow", kind: "unknown", rel, id, allowed: Object.keys(kinds) };
  };
  if (segs[0] === "connectionSpecs" && segs.length === 1) return known({ GET: "specs" });
  if (segs[0] === "connectionSpecs" && segs.length === 2) return known({ GET: "specs" }, segs[1]);
  if (segs[0] === "connections" && segs.length === 1) return known({ GET: "list", POST: "post" });
  if (segs[0] === "connections" && segs.length === 2 && segs[1] !== "") {
    return known({ GET: "get", PATCH: "patch", DELETE: "delete" }, segs[1]);
  }
  if (segs[0] === "connections" && segs.length === 3 && segs[2] === "test") return known({ GET: "test" }, segs[1]);
  return { area: "flow", kind: "unknown", rel };
}

/** The Flow Service and IMS routes; synchronous from here to the reply. */
export function dispatch(state: EmulatorState, route: Route, req: http.IncomingMessage, url: URL, rawBody: string, requestId: string): Reply {
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
  const svc = { store: state.store, config: state.config, sourceSystem: state.sourceSystem };
  const id = route.id ?? "";
  switch (route.kind) {
    case "specs":
      return route.id === undefined ? listSpecs(apiReq) : getSpec(id);
    case "list":
      return listConnections(apiReq, svc);
    case "post":
      return createConnection(apiReq, svc);
    case "get":
      return getConnection(apiReq, svc, id);
    case "patch":
      return patchConnection(apiReq, svc, id);
    case "delete":
      return deleteConnection(apiReq, svc, id);
    case "test":
      return testConnection(apiReq, svc, id);
    default:
      if (route.allowed) throw errors.methodNotAllowed(method, url.pathname, route.allowed);
      throw errors.routeNotFound(method, url.pathname);
  }
}
