// Control routes under /__emulator: test-only knobs, never part of the emulated API (no auth, not
// logged, not rate limited, not faulted). Bodies are JSON; errors answer 400/404 `{"error": "..."}`.
import { z } from "zod";
import { CONNECTIONS } from "../api/connections";
import { CONTROL_PREFIX, type Reply } from "../data/context";
import { FaultInput, RateLimitInput } from "./faults";
import { parsePatch } from "../api/patch";
import { handleRunControl } from "./runControl";
import { RefuseInput } from "../data/sourceSystem";
import type { EmulatorState } from "./state";
import { CONNECTION_STATES, type Stamp } from "../data/records";
import type { ConnectionRow, Row } from "../data/store";
import { editEntity } from "../api/entity";

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function parseBody<T extends z.ZodType>(schema: T, rawBody: string): z.output<T> {
  let data: unknown = {};
  if (rawBody.trim() !== "") {
    try {
      data = JSON.parse(rawBody);
    } catch (e) {
      throw new ControlError(400, `body is not valid JSON: ${(e as Error).message}`);
    }
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    throw new ControlError(400, parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
  }
  return parsed.data;
}

const EditBody = z.object({ patch: z.array(z.unknown()), user: z.string().min(1).optional() });
const FlagsBody = z.object({
  usedByFlows: z.boolean().optional(),
  testResult: z.boolean().optional(),
  state: z.enum(CONNECTION_STATES).optional(),
});
const RevokeBody = z.object({ token: z.string().min(1).optional() });
const ConfigBody = z.object({
  tokenTtlSeconds: z.number().positive().optional(),
  strictIfMatch: z.boolean().optional(),
  defaultSandbox: z.string().min(1).nullable().optional(),
  refuseRangeFilters: z.boolean().optional(),
  lenientScheduleIntervals: z.boolean().optional(),
  /** The org of tokens issued from now on: the same client as another org's (a stack switched to other credentials). */
  orgId: z.string().min(1).optional(),
});

function configView(state: EmulatorState): Reply {
  const { tokenTtlSeconds, strictIfMatch, defaultSandbox, refuseRangeFilters, lenientScheduleIntervals } = state.config;
  return {
    status: 200,
    body: { tokenTtlSeconds, strictIfMatch, defaultSandbox: defaultSandbox ?? null, refuseRangeFilters, lenientScheduleIntervals },
  };
}

/** A stored connection as the store holds it: secret params are already "sha256:<hex>" digests. */
function storedView(e: ConnectionRow): Record<string, unknown> {
  return { ...e.record, _emulator: { usedByFlows: e.flags.usedByFlows, testResult: e.flags.testResult, seq: e.seq } };
}

function entryOr404(state: EmulatorState, id: string): ConnectionRow {
  const e = state.store.connections.get(id);
  if (!e) throw new ControlError(404, `no connection with id ${id}`);
  return e;
}

export function handleControl(state: EmulatorState, method: string, url: URL, rawBody: string): Reply {
  const path = url.pathname.slice(CONTROL_PREFIX.length).replace(/\/$/, "");
  const route = `${method} ${path}`;
  try {
    switch (route) {
      case "GET /health":
        return { status: 200, body: { ok: true } };
      case "POST /reset":
        state.reset();
        return { status: 200, body: { ok: true } };
      case "GET /requests": {
        const since = Number(url.searchParams.get("since") ?? "0");
        if (!Number.isInteger(since)) throw new ControlError(400, "since must be an integer sequence number");
        return { status: 200, body: { items: state.log.since(since) } };
      }
      case "DELETE /requests":
        return { status: 200, body: { ok: true, cleared: state.log.clear() } };
      case "GET /connections":
        return { status: 200, body: { items: state.store.connections.all().map(storedView) } };
      case "GET /faults":
        return { status: 200, body: { items: state.faults.list() } };
      case "POST /faults": {
        const input = parseBody(FaultInput, rawBody);
        try {
          return { status: 200, body: { id: state.faults.add(input).id } };
        } catch (e) {
          throw new ControlError(400, `path is not a valid regular expression: ${(e as Error).message}`);
        }
      }
      case "DELETE /faults":
        return { status: 200, body: { ok: true, cleared: state.faults.clear() } };
      case "POST /rate-limit": {
        const input = parseBody(RateLimitInput, rawBody);
        state.rateLimiter.configure(input.perSecond, input.retryAfter ?? null);
        return { status: 200, body: { perSecond: state.rateLimiter.perSecond, retryAfter: state.rateLimiter.retryAfter } };
      }
      case "POST /tokens/revoke": {
        const input = parseBody(RevokeBody, rawBody);
        return { status: 200, body: { revoked: state.tokens.revoke(input.token) } };
      }
      case "GET /config":
        return configView(state);
      case "POST /config": {
        const input = parseBody(ConfigBody, rawBody);
        if (input.tokenTtlSeconds !== undefined) state.config.tokenTtlSeconds = input.tokenTtlSeconds;
        if (input.strictIfMatch !== undefined) state.config.strictIfMatch = input.strictIfMatch;
        if (input.defaultSandbox !== undefined) state.config.defaultSandbox = input.defaultSandbox ?? undefined;
        if (input.refuseRangeFilters !== undefined) state.config.refuseRangeFilters = input.refuseRangeFilters;
        if (input.lenientScheduleIntervals !== undefined) state.config.lenientScheduleIntervals = input.lenientScheduleIntervals;
        if (input.orgId !== undefined) state.config.orgId = input.orgId;
        return configView(state);
      }
      case "POST /refuse-credentials": {
        const input = parseBody(RefuseInput, rawBody);
        return { status: 200, body: state.sourceSystem.refuse(input) };
      }
      case "GET /refuse-credentials":
        return { status: 200, body: { items: state.sourceSystem.list() } };
      case "DELETE /refuse-credentials":
        return { status: 200, body: { ok: true, cleared: state.sourceSystem.clear() } };
      case "GET /tokens":
        return { status: 200, body: { items: state.tokens.history() } };
      case "GET /inflight":
        return { status: 200, body: state.inFlight.view() };
      case "DELETE /inflight":
        state.inFlight.resetMax();
        return { status: 200, body: state.inFlight.view() };
      case "GET /stats":
        return { status: 200, body: { ...state.stats, total: Object.values(state.stats).reduce((a, b) => a + b, 0) } };
    }

    const runs = handleRunControl(state, route, (schema) => parseBody(schema, rawBody));
    if (runs) return runs;

    // The other tables, read-only, as stored (every org and sandbox).
    const other = /^\/(sourceConnections|targetConnections|flows)(?:\/([^/]+))?$/.exec(path);
    if (other && method === "GET") {
      const table = state.store[other[1] as "sourceConnections" | "targetConnections" | "flows"];
      const rowView = (r: Row<Stamp>) => ({ ...r.record, _emulator: { seq: r.seq } });
      if (other[2] === undefined) return { status: 200, body: { items: table.all().map(rowView) } };
      const row = table.get(decodeURIComponent(other[2]));
      if (!row) throw new ControlError(404, `no ${other[1]} entry with id ${other[2]}`);
      return { status: 200, body: rowView(row) };
    }

    const m = /^\/connections\/([^/]+)(\/edit|\/flags)?$/.exec(path);
    if (m) {
      const id = decodeURIComponent(m[1]);
      if (method === "GET" && !m[2]) return { status: 200, body: storedView(entryOr404(state, id)) };
      if (method === "POST" && m[2] === "/edit") {
        const input = parseBody(EditBody, rawBody);
        const entry = entryOr404(state, id);
        // Same rules as PATCH (FlowError problem bodies on failure), minus If-Match: the UI always wins.
        const etag = editEntity(CONNECTIONS, state.services(), entry, parsePatch(input.patch, id), {
          by: input.user ?? "ui-user@AdobeID",
          client: "exc_app",
        });
        return { status: 200, body: { id, etag } };
      }
      if (method === "POST" && m[2] === "/flags") {
        const input = parseBody(FlagsBody, rawBody);
        const entry = entryOr404(state, id);
        // Flags model conditions outside the connection (flows using it, the remote system's
        // health, a state set by the platform): they do not change the etag.
        const next: ConnectionRow = {
          ...entry,
          record: { ...entry.record, state: input.state ?? entry.record.state },
          flags: {
            usedByFlows: input.usedByFlows ?? entry.flags.usedByFlows,
            testResult: input.testResult ?? entry.flags.testResult,
          },
        };
        state.store.connections.replace(next);
        return { status: 200, body: { id, ...next.flags, state: next.record.state } };
      }
    }
    throw new ControlError(404, `no control route ${route}; see docs/emulator.md`);
  } catch (e) {
    if (e instanceof ControlError) return { status: e.status, body: { error: e.message } };
    throw e; // FlowError from an edit: rendered as a problem body by the server
  }
}
