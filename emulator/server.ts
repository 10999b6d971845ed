// The HTTP server: request ids, the request log, faults, the rate limit, the gateway, routing and
// reply rendering (problem bodies for Flow Service, {error_code,message} for the gateway).
import { randomUUID } from "crypto";
import * as http from "http";
import {
  createConnection,
  deleteConnection,
  getConnection,
  getSpec,
  listConnections,
  listSpecs,
  patchConnection,
  secretsOf,
  testConnection,
} from "./connections";
import {
  type ApiRequest,
  CONTROL_PREFIX,
  type EmulatorConfig,
  FLOW_BASE,
  IMS_TOKEN_PATH,
  type Reply,
  header,
} from "./context";
import { handleControl } from "./control";
import { FlowError, GatewayError, errors, gatewayBody, problemBody } from "./errors";
import { Faults, type Fault, RateLimiter } from "./faults";
import { TokenRegistry, checkGateway, handleImsToken } from "./gateway";
import { type LogEntry, RequestLog, type SecretResolver, redactBody, redactForm, redactHeaders } from "./requestLog";
import { findAuthSpec, secretParamNames } from "./specs";
import { ConnectionStore } from "./store";

export const MAX_BODY_BYTES = 1024 * 1024;

export type RouteKind = "token" | "specs" | "list" | "get" | "post" | "patch" | "delete" | "test" | "unknown";
export const ROUTE_KINDS: readonly RouteKind[] = ["token", "specs", "list", "get", "post", "patch", "delete", "test", "unknown"];

/** API and IMS requests being handled right now, and the most seen at once since the last reset. */
export class InFlight {
  current = 0;
  max = 0;
  enter(): void {
    this.current += 1;
    if (this.current > this.max) this.max = this.current;
  }
  leave(): void {
    this.current = Math.max(0, this.current - 1);
  }
  resetMax(): void {
    this.max = this.current;
  }
  view(): { current: number; max: number } {
    return { current: this.current, max: this.max };
  }
}

/** Everything the emulator holds; one instance per server. */
export class EmulatorState {
  config: EmulatorConfig;
  readonly tokens = new TokenRegistry();
  readonly faults = new Faults();
  readonly rateLimiter = new RateLimiter();
  readonly log = new RequestLog();
  readonly inFlight = new InFlight();
  stats: Record<RouteKind, number> = EmulatorState.zeroStats();

  constructor(
    readonly initialConfig: EmulatorConfig,
    readonly store: ConnectionStore,
  ) {
    this.config = { ...initialConfig };
  }

  private static zeroStats(): Record<RouteKind, number> {
    return Object.fromEntries(ROUTE_KINDS.map((k) => [k, 0])) as Record<RouteKind, number>;
  }

  /**
   * Back to a fresh start: no connections, log, faults, rate limit or stats, and the start-up
   * config. Issued tokens stay valid, so a client's cached token keeps working across tests.
   */
  reset(): void {
    this.store.clear();
    this.log.clear();
    this.faults.clear();
    this.rateLimiter.configure(null, null);
    this.stats = EmulatorState.zeroStats();
    this.inFlight.resetMax();
    this.config = { ...this.initialConfig };
  }

  readonly secretResolver: SecretResolver = {
    forSpec: (specId, specName) => {
      if (typeof specId !== "string" || typeof specName !== "string") return undefined;
      const authSpec = findAuthSpec(specId, specName);
      return authSpec ? secretParamNames(authSpec) : undefined;
    },
    forConnection: (id) => {
      const entry = this.store.get(id);
      return entry ? secretsOf(entry.connection) : undefined;
    },
  };
}

interface Route {
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

function readBody(req: http.IncomingMessage, limit: number): Promise<string | "too-large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? "too-large" : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function errorReply(err: unknown, requestId: string): Reply {
  if (err instanceof FlowError) return { status: err.status, body: problemBody(err, requestId), headers: err.headers };
  if (err instanceof GatewayError) return { status: err.status, body: gatewayBody(err) };
  const message = err instanceof Error ? err.message : String(err);
  return { status: 500, body: problemBody(errors.internal(message), requestId) };
}

function faultReply(fault: Fault): Reply {
  return { status: fault.status, body: fault.body, headers: fault.headers };
}

/** The Flow Service and IMS routes; synchronous from here to the reply. */
function dispatch(state: EmulatorState, route: Route, req: http.IncomingMessage, url: URL, rawBody: string, requestId: string): Reply {
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
  const svc = { store: state.store, config: state.config };
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

export interface ServerHooks {
  /** Called with one line per answered request (method, path, status, time); no bodies, no query. */
  onRequestLine?: (line: string) => void;
}

export function createHttpServer(state: EmulatorState, hooks: ServerHooks = {}): http.Server {
  const server = http.createServer((req, res) => {
    handle(state, req, res, hooks).catch((err) => {
      // Last resort: a bug must not take the emulator down.
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: String(err) }));
      }
    });
  });
  return server;
}

async function handle(state: EmulatorState, req: http.IncomingMessage, res: http.ServerResponse, hooks: ServerHooks): Promise<void> {
  const started = Date.now();
  const method = req.method ?? "GET";
  const requestId = header(req.headers, "x-request-id")?.trim() || randomUUID();
  // Concatenated rather than resolved, so a path starting with "//" is not read as a host name.
  const rawUrl = req.url ?? "/";
  const url = rawUrl.startsWith("/") ? new URL(`http://emulator.invalid${rawUrl}`) : new URL(rawUrl);
  const isControl = url.pathname === CONTROL_PREFIX || url.pathname.startsWith(CONTROL_PREFIX + "/");

  // Logged on arrival, so the log is in arrival order; the body is filled in once read.
  let entry: LogEntry | undefined;
  if (!isControl) {
    // Counted from arrival until the reply is sent or the socket is gone (GET /__emulator/inflight).
    state.inFlight.enter();
    let left = false;
    const leave = () => {
      if (!left) {
        left = true;
        state.inFlight.leave();
      }
    };
    res.once("finish", leave);
    res.once("close", leave);
    entry = state.log.add({
      time: new Date(started).toISOString(),
      method,
      path: url.pathname,
      query: redactForm(url.search.replace(/^\?/, "")),
      headers: redactHeaders(req.headers),
      body: null,
      status: null,
      requestId,
      dropped: false,
    });
  }

  const send = (reply: Reply, drop = false): void => {
    if (entry) entry.status = reply.status;
    if (drop) {
      if (entry) entry.dropped = true;
      req.socket.destroy();
      return;
    }
    const headers: Record<string, string> = { "x-request-id": requestId };
    let payload: string | undefined;
    if (typeof reply.body === "string") {
      payload = reply.body;
      headers["content-type"] = reply.body.trimStart().startsWith("<") ? "text/html; charset=utf-8" : "text/plain; charset=utf-8";
    } else if (reply.body !== undefined && reply.status !== 204) {
      payload = JSON.stringify(reply.body);
      headers["content-type"] = "application/json; charset=utf-8";
    }
    Object.assign(headers, reply.headers);
    if (payload !== undefined) headers["content-length"] = String(Buffer.byteLength(payload));
    res.writeHead(reply.status, headers);
    res.end(payload);
    if (!isControl) hooks.onRequestLine?.(`${method} ${url.pathname} ${reply.status} ${Date.now() - started}ms ${requestId}`);
  };

  let rawBody: string | "too-large";
  try {
    rawBody = await readBody(req, MAX_BODY_BYTES);
  } catch {
    if (entry) entry.dropped = true;
    return; // the client went away mid-body
  }
  if (rawBody === "too-large") {
    res.setHeader("connection", "close");
    return send(errorReply(errors.bodyTooLarge(MAX_BODY_BYTES), requestId));
  }

  if (isControl) {
    try {
      return send(handleControl(state, method, url, rawBody));
    } catch (err) {
      return send(errorReply(err, requestId));
    }
  }

  const route = classify(method, url.pathname);
  state.stats[route.kind] += 1;
  if (entry) {
    const redactAs =
      route.kind === "post"
        ? ({ kind: "create" } as const)
        : route.kind === "patch"
          ? ({ kind: "patch", connectionId: route.id ?? "" } as const)
          : ({ kind: "other" } as const);
    entry.body = redactBody(rawBody, redactAs, state.secretResolver);
  }

  const fault = state.faults.take(method, route.rel);
  let dropAfterApplying = false;
  if (fault) {
    if (entry) entry.fault = { id: fault.id, action: fault.action };
    if (fault.delayMs > 0) await sleep(fault.delayMs);
    if (fault.action === "respond") return send(faultReply(fault));
    if (fault.action === "drop") {
      if (entry) entry.dropped = true;
      req.socket.destroy();
      return;
    }
    dropAfterApplying = fault.action === "apply-then-drop";
  }

  let reply: Reply;
  try {
    reply = dispatch(state, route, req, url, rawBody, requestId);
  } catch (err) {
    reply = errorReply(err, requestId);
  }
  send(reply, dropAfterApplying);
}
