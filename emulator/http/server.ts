// The HTTP server: request ids, the request log, faults, reading bodies and rendering replies
// (problem bodies for Flow Service, {error_code,message} for the gateway). Routing: routes.ts.
import { randomUUID } from "node:crypto";
import * as http from "node:http";
import { CONTROL_PREFIX, type Reply, header } from "../data/context";
import { handleControl } from "./control";
import { FlowError, GatewayError, errors, gatewayBody, problemBody } from "../api/errors";
import type { Fault } from "./faults";
import { type LogEntry, redactBody, redactForm, redactHeaders } from "./requestLog";
import { classify, dispatch } from "./routes";
import type { EmulatorState } from "./state";

export const MAX_BODY_BYTES = 1024 * 1024;

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

interface ServerHooks {
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
