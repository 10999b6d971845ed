// One HTTP attempt with a timeout and a concurrency limit, and the retry loop around attempts.
// Shared by the IMS token client and the Flow Service client; knows nothing of either API.
import http from "http";
import https from "https";
import fetch from "node-fetch";
import { NetworkError } from "./errors";
import { backoffDelay, isRetryableStatus, parseRetryAfter, DEFAULT_BACKOFF, BackoffOptions } from "./retry";

export interface HttpReply {
  status: number;
  headers: { get(name: string): string | null };
  text: string;
}

export interface AttemptInit {
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

export interface TransportOptions {
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

  /** The per-attempt timeout: how long a request the client gave up on may still be processed. */
  get timeoutMs(): number {
    return this.opts.timeoutMs;
  }

  constructor(private readonly opts: TransportOptions) {
    this.semaphore = new Semaphore(opts.maxConcurrency);
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: opts.maxConcurrency });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: opts.maxConcurrency });
  }

  /** One request. Throws NetworkError when no reply arrives (reset, refused, timeout). */
  attempt(url: string, init: AttemptInit): Promise<HttpReply> {
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
        const what = err.name === "AbortError" || err.type === "aborted"
          ? `no reply within ${this.opts.timeoutMs} ms`
          : `${err.code ?? err.name}: ${err.message}`;
        throw new NetworkError(`${init.method} ${new URL(url).pathname}: ${what}`);
      } finally {
        clearTimeout(timer);
      }
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

export interface RetryPolicy {
  maxRetries: number;
  budgetMs: number;
  backoff?: BackoffOptions;
  /** Whether a failed attempt may be retried; by default retryable statuses and network errors. */
  retryable?: (outcome: HttpReply | NetworkError) => boolean;
  /** Told of every outcome before the decision, e.g. to note that a write may have been applied. */
  onOutcome?: (outcome: HttpReply | NetworkError, attempt: number) => void;
}

/**
 * Runs `send` until it gives a reply that is not retryable, retries run out, or the time budget
 * would be exceeded. Returns the last reply; throws the last NetworkError if no reply came.
 */
export async function withRetries(send: () => Promise<HttpReply>, policy: RetryPolicy): Promise<HttpReply> {
  const start = Date.now();
  const retryable = policy.retryable ?? ((o) => o instanceof NetworkError || isRetryableStatus(o.status));
  for (let attempt = 1; ; attempt++) {
    let outcome: HttpReply | NetworkError;
    try {
      outcome = await send();
    } catch (e) {
      if (!(e instanceof NetworkError)) throw e;
      outcome = e;
    }
    policy.onOutcome?.(outcome, attempt);
    const retriesLeft = attempt <= policy.maxRetries;
    if (!retryable(outcome) || !retriesLeft) return finish(outcome, attempt, start);
    const retryAfter = outcome instanceof NetworkError ? undefined : parseRetryAfter(outcome.headers.get("retry-after"));
    const delay = backoffDelay(attempt, retryAfter, policy.backoff ?? DEFAULT_BACKOFF);
    if (Date.now() - start + delay > policy.budgetMs) return finish(outcome, attempt, start);
    await new Promise((r) => setTimeout(r, delay));
  }
}

function finish(outcome: HttpReply | NetworkError, attempts: number, start: number): HttpReply {
  if (outcome instanceof NetworkError) {
    const secs = ((Date.now() - start) / 1000).toFixed(1);
    throw new NetworkError(`${outcome.message} (gave up after ${attempts} attempt${attempts > 1 ? "s" : ""} over ${secs} s)`);
  }
  return outcome;
}
