// The retry policy, as pure functions: which failures are retried, and how long to wait.

/** Statuses that mean "not now": throttling and transient server or gateway failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /** A number in [0, 1): the jitter source, injectable so tests are deterministic. */
  random: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 200, capMs: 10_000, random: Math.random };

/**
 * Delay before retry number `attempt` (1 for the first retry): the server's Retry-After when it
 * gave one, else exponential backoff with "full jitter" so that many clients throttled at once
 * do not retry in lock-step.
 */
export function backoffDelay(attempt: number, retryAfterMs: number | undefined, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, 60_000);
  const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (opts.random() * ceiling) / 2);
}
