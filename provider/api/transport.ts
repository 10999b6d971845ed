// One HTTP attempt with a timeout and a concurrency limit, and the retry verdict on its outcome.
// Shared by the IMS token client and the Flow Service client; knows nothing of either API.
import http from "node:http";
import https from "node:https";
import fetch from "node-fetch";
import { NetworkError } from "../core/errors";
import { parseRetryAfter, RequestKind, RESEND, Verdict } from "./retry";

export interface HttpReply {
  status: number;
  headers: { get(name: string): string | null };
  text: string;
}

/** What one attempt gives: a reply, or no reply at all. */
export type Outcome = HttpReply | NetworkError;

interface AttemptInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** Caps in-flight requests (flowservice:maxConcurrency); waiters are served first come, first served. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

interface TransportOptions {
  timeoutMs: number;
  maxConcurrency: number;
}

export class Transport {
  private readonly semaphore: Semaphore;
  // Keep-alive: a run of many small requests should not pay a TCP handshake each.
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  /** Attempts sent, by method: what the benchmark and tests count. */
  readonly sent: Record<string, number> = {};

  constructor(private readonly opts: TransportOptions) {
    this.semaphore = new Semaphore(opts.maxConcurrency);
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: opts.maxConcurrency });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: opts.maxConcurrency });
  }

  /** The per-attempt timeout: how long a request the client gave up on may still be processed. */
  get timeoutMs(): number {
    return this.opts.timeoutMs;
  }

  /** Requests asked for and not settled (queued or sent): a killed run's provider exits once there are none. */
  inFlight = 0;

  /** One request: its reply, or a NetworkError when none arrives (reset, refused, timeout). Never throws. */
  attempt(url: string, init: AttemptInit): Promise<Outcome> {
    this.inFlight++;
    return this.attemptNow(url, init).finally(() => this.inFlight--);
  }

  private attemptNow(url: string, init: AttemptInit): Promise<Outcome> {
    return this.semaphore.run(async () => {
      this.sent[init.method] = (this.sent[init.method] ?? 0) + 1;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), this.opts.timeoutMs);
      try {
        const res = await fetch(url, {
          method: init.method,
          headers: init.headers,
          body: init.body,
          agent: (u: URL) => (u.protocol === "http:" ? this.httpAgent : this.httpsAgent),
          signal: controller.signal as never,
        });
        const text = await res.text();
        return { status: res.status, headers: res.headers, text };
      } catch (e) {
        const err = e as Error & { type?: string; code?: string };
        const timedOut = err.name === "AbortError" || err.type === "aborted";
        const what = timedOut ? `no reply within ${this.opts.timeoutMs} ms` : `${err.code ?? err.name}: ${err.message}`;
        return new NetworkError(`${init.method} ${new URL(url).pathname}: ${what}`, timedOut, NOT_SENT.has(err.code ?? ""));
      } finally {
        clearTimeout(timer);
      }
    });
  }
}

/** Failures before a connection exists: the request was never sent. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);

/** The retry verdict on one attempt of a request of this kind (see RESEND). */
export function httpVerdict(outcome: Outcome, kind: RequestKind): Verdict<Outcome> {
  const rule = RESEND[kind];
  const again = outcome instanceof NetworkError ? rule.afterNoReply : rule.statuses(outcome.status);
  if (!again) return { done: true, value: outcome };
  return {
    done: false,
    retryAfterMs: outcome instanceof NetworkError ? undefined : parseRetryAfter(outcome.headers.get("retry-after")),
    giveUp: (attempts, elapsedMs) =>
      outcome instanceof NetworkError
        ? new NetworkError(
            `${outcome.message} (gave up after ${attempts} attempt${attempts > 1 ? "s" : ""} over ${(elapsedMs / 1000).toFixed(1)} s)`,
            outcome.timedOut,
            outcome.notSent,
          )
        : outcome,
  };
}
