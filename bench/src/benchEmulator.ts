// The emulator as the benchmark watches it: its request log (what each command sent), the
// per-request handling times it prints on stdout (how many requests were in progress at once),
// its CPU time, and its control routes (faults, stats).
import { cpuSecondsOf } from "./benchProc";
import { round2 } from "./benchWire";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";

export interface LogEntry {
  seq: number;
  time: string;
  method: string;
  path: string;
  requestId: string;
  status: number | null;
  body: unknown;
}

export class WatchedEmulator {
  /** request id → handling time in ms, from the emulator's per-request stdout lines. */
  private readonly durations = new Map<string, number>();
  private buffered = "";

  private constructor(readonly emu: EmulatorProcess) {
    emu.process.stdout?.on("data", (d: Buffer) => {
      this.buffered += String(d);
      const lines = this.buffered.split("\n");
      this.buffered = lines.pop() ?? "";
      for (const line of lines) {
        // METHOD PATH STATUS TIMEms REQUEST-ID
        const m = /^\S+ \S+ \d+ (\d+)ms (\S+)$/.exec(line.trim());
        if (m) this.durations.set(m[2], Number(m[1]));
      }
    });
  }

  static async start(): Promise<WatchedEmulator> {
    return new WatchedEmulator(await startEmulatorProcess());
  }

  get url(): string {
    return this.emu.url;
  }

  async control(method: string, route: string, body?: unknown): Promise<unknown> {
    const r = await fetch(`${this.url}/__emulator${route}`, {
      method,
      headers: body === undefined ? undefined : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`emulator ${method} ${route}: ${r.status} ${await r.text()}`);
    return r.json();
  }

  /** Runs `fn` with list requests refused (REFUSE_LISTS), every fault cleared afterwards. */
  async withListsRefused<T>(fn: () => Promise<T>): Promise<T> {
    await this.control("POST", "/faults", REFUSE_LISTS);
    try {
      return await fn();
    } finally {
      await this.control("DELETE", "/faults");
    }
  }

  async clearLog(): Promise<void> {
    await this.control("DELETE", "/requests");
    this.durations.clear();
  }

  async log(): Promise<LogEntry[]> {
    // Lines are written when the reply is sent: give the last ones a moment to arrive.
    await new Promise((r) => setTimeout(r, 50));
    return ((await this.control("GET", "/requests")) as { items: LogEntry[] }).items;
  }

  /** Flow Service requests in progress at the emulator during `entries` (see inFlight). */
  inFlight(entries: LogEntry[]): InFlight {
    return inFlight(entries, this.durations);
  }

  cpuSeconds(): number | undefined {
    return this.emu.process.pid ? cpuSecondsOf(this.emu.process.pid) : undefined;
  }

  stop(): Promise<void> {
    return this.emu.stop();
  }
}

export function countRequests(entries: LogEntry[]): { flow: Record<string, number>; flowTotal: number; flowFailed: number; token: number } {
  const flow: Record<string, number> = {};
  let token = 0;
  let flowFailed = 0;
  for (const e of entries) {
    if (e.path.startsWith("/ims/")) token++;
    else if (e.path.startsWith("/data/")) {
      flow[e.method] = (flow[e.method] ?? 0) + 1;
      if ((e.status ?? 0) >= 400) flowFailed++;
    }
  }
  return { flow, flowTotal: Object.values(flow).reduce((a, b) => a + b, 0), flowFailed, token };
}

/**
 * The fault that refuses every list request of connections (GET /connections, any query) with
 * 400, so the provider's refresh falls back to one GET per connection (provider/api/reads.ts).
 */
const REFUSE_LISTS = {
  method: "GET",
  path: "/^\\/connections$/",
  action: "respond",
  status: 400,
  times: "always",
  body: { title: "Bad request", detail: "listing refused by the benchmark" },
} as const;

export interface InFlight {
  maxInFlight: number;
  meanInFlight: number;
  busyMs: number;
}

/**
 * Flow Service requests in progress at the emulator, from [arrival, arrival + handling time]
 * (the log's arrival time and the per-request line's duration, both in whole ms): the most at
 * one time, the time with at least one, and the mean number while busy.
 */
export function inFlight(entries: LogEntry[], durations: ReadonlyMap<string, number>): InFlight {
  const events: Array<[number, number]> = [];
  let total = 0;
  for (const e of entries) {
    if (!e.path.startsWith("/data/")) continue;
    const start = Date.parse(e.time);
    const ms = Math.max(durations.get(e.requestId) ?? 0, 0.5);
    total += ms;
    events.push([start, 1], [start + ms, -1]);
  }
  // Ends before starts at the same instant: a request answered in the same ms is not overlapping.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0;
  let max = 0;
  let busy = 0;
  let since = 0;
  for (const [t, d] of events) {
    if (cur === 0 && d > 0) since = t;
    cur += d;
    if (cur === 0) busy += t - since;
    max = Math.max(max, cur);
  }
  return { maxInFlight: max, meanInFlight: busy > 0 ? round2(total / busy) : 0, busyMs: Math.round(busy) };
}
