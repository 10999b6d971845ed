// Injected faults (answers, dropped connections, delays) and the optional rate limit, so client
// retry and recovery logic can be exercised.
import { randomUUID } from "node:crypto";
import { z } from "zod";

export const FaultInput = z.object({
  method: z.string().min(1).optional(),
  /** Substring of the path after the Flow Service base (or the IMS path), or a /regex/. */
  path: z.string().min(1).optional(),
  /** How many matching requests it applies to; "always" = every one until cleared. */
  times: z.union([z.number().int().positive(), z.literal("always")]).default(1),
  action: z.enum(["respond", "drop", "apply-then-drop", "delay-then-apply"]),
  status: z.number().int().min(100).max(599).default(503),
  body: z.unknown().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  delayMs: z.number().int().min(0).max(600_000).default(0),
});
export type FaultInput = z.input<typeof FaultInput>;
/** `remaining` is null for a fault that applies "always". */
export type Fault = z.output<typeof FaultInput> & { id: string; remaining: number | null };

/**
 * A `path` written between slashes is a regular expression — but only if it contains a regex
 * metacharacter, so the plain path "/connections/" stays a substring match.
 */
function pathMatcher(pattern: string): (path: string) => boolean {
  const m = /^\/(.+)\/([a-z]*)$/.exec(pattern);
  if (m && /[\\^$.*+?()[\]{}|]/.test(m[1])) {
    const re = new RegExp(m[1], m[2]);
    return (p) => re.test(p);
  }
  return (p) => p.includes(pattern);
}

export class Faults {
  private faults: Array<Fault & { matches: (path: string) => boolean }> = [];

  /** Throws (a SyntaxError) if the path is an invalid regular expression. */
  add(input: z.output<typeof FaultInput>): Fault {
    const matches = input.path === undefined ? () => true : pathMatcher(input.path);
    const fault = { ...input, id: randomUUID(), remaining: input.times === "always" ? null : input.times, matches };
    this.faults.push(fault);
    return this.view(fault);
  }

  /** Consumes one use of the first fault matching this request, if any. */
  take(method: string, path: string): Fault | undefined {
    const i = this.faults.findIndex((f) => (f.method === undefined || f.method.toUpperCase() === method.toUpperCase()) && f.matches(path));
    if (i < 0) return undefined;
    const f = this.faults[i];
    if (f.remaining !== null) {
      f.remaining -= 1;
      if (f.remaining <= 0) this.faults.splice(i, 1);
    }
    return this.view(f);
  }

  list(): Fault[] {
    return this.faults.map((f) => this.view(f));
  }

  clear(): number {
    const n = this.faults.length;
    this.faults = [];
    return n;
  }

  private view(f: Fault & { matches?: unknown }): Fault {
    const { matches: _omit, ...rest } = f;
    return { ...rest };
  }
}

export const RateLimitInput = z.object({
  perSecond: z.number().int().positive().nullable(),
  retryAfter: z.number().int().min(0).nullable().optional(),
});

/** At most `perSecond` API requests per 1-second window; the window opens at the first request. */
export class RateLimiter {
  perSecond: number | null = null;
  retryAfter: number | null = null;
  private windowStart = 0;
  private count = 0;

  configure(perSecond: number | null, retryAfter: number | null): void {
    this.perSecond = perSecond;
    this.retryAfter = retryAfter;
    this.windowStart = 0;
    this.count = 0;
  }

  /** True if the request may proceed (and counts it); false if it must be answered 429. */
  admit(now = Date.now()): boolean {
    if (this.perSecond === null) return true;
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.count = 0;
    }
    if (this.count >= this.perSecond) return false;
    this.count += 1;
    return true;
  }
}
