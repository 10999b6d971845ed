// The one retry policy: which outcomes are worth another attempt, how long to wait, and the one
// loop every caller runs (HTTP attempts, the IMS token, the search after a lost create reply).
// What differs between callers is declared in RESEND, not re-implemented.

/** Statuses that mean "not now": throttling and transient server or gateway failures. */
function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/**
 * What may be sent again, per kind of request, after an attempt that failed or whose reply was lost.
 * - read, delete: repeating them changes nothing.
 * - patch: sent with If-Match, so a repeat of an applied PATCH meets 412 and is recognised
 *   (api/recovery.ts) rather than applied twice.
 * - create: a POST repeated after a lost reply would create a second connection, so only a refusal
 *   (429: nothing reached Flow Service) is resent here; every other unknown outcome goes to the
 *   search in api/recovery.ts.
 * - token: an IMS token request has no lasting effect.
 */
export type RequestKind = "read" | "delete" | "patch" | "create" | "token";
export const RESEND: Record<RequestKind, { afterNoReply: boolean; statuses: (status: number) => boolean }> = {
  read: { afterNoReply: true, statuses: isRetryableStatus },
  delete: { afterNoReply: true, statuses: isRetryableStatus },
  patch: { afterNoReply: true, statuses: isRetryableStatus },
  token: { afterNoReply: true, statuses: isRetryableStatus },
  create: { afterNoReply: false, statuses: (s) => s === 429 },
};

/** Retry-After in milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /** A number in [0, 1): the jitter source, injectable so tests are deterministic. */
  random: () => number;
}

const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 200, capMs: 10_000, random: Math.random };

/**
 * Delay before retry number `attempt` (1 for the first retry): the server's Retry-After when it
 * gave one (at most a minute), else exponential backoff with "full jitter" so that many clients
 * throttled at once do not retry in lock-step.
 */
export function backoffDelay(attempt: number, retryAfterMs: number | undefined, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, 60_000);
  const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (opts.random() * ceiling) / 2);
}

export interface RetryPolicy {
  maxRetries: number;
  /** No retry starts once this much time would have passed since the first attempt. */
  budgetMs: number;
  backoff?: BackoffOptions;
}

/**
 * One attempt's verdict: finished, or worth another try (`giveUp` says what to do when none is
 * left). A `free` retry (a renewed token) is not counted against maxRetries.
 */
export type Verdict<T> =
  | { done: true; value: T }
  | { done: false; retryAfterMs?: number; giveUp: (attempts: number, elapsedMs: number) => T; free?: boolean };

export interface Clock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

const REAL_CLOCK: Clock = { now: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

/** The loop: runs `attempt` until it is done, retries run out, or the next wait would break the budget. */
export async function retrying<T>(policy: RetryPolicy, attempt: (n: number) => Promise<Verdict<T>>, clock: Clock = REAL_CLOCK): Promise<T> {
  const start = clock.now();
  for (let n = 1; ; n++) {
    const verdict = await attempt(n);
    if (verdict.done) return verdict.value;
    if (verdict.free) {
      n--;
      continue;
    }
    const wait = backoffDelay(n, verdict.retryAfterMs, policy.backoff);
    if (n > policy.maxRetries || clock.now() - start + wait > policy.budgetMs) return verdict.giveUp(n, clock.now() - start);
    await clock.sleep(wait);
  }
}
