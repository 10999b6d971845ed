// Injected faults (answers, dropped connections, delays) and the optional rate limit, so client
// retry and recovery logic can be exercised.
import { z } from "zod";
import { counted, Rules } from "../data/rules";

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

type StoredFault = Fault & { matches: (path: string) => boolean };

export class Faults extends Rules<StoredFault, Fault> {
  constructor() {
    super(({ matches: _omit, ...fault }) => ({ ...fault }));
  }

  /** Throws (a SyntaxError) if the path is an invalid regular expression. */
  add(input: z.output<typeof FaultInput>): Fault {
    const matches = input.path === undefined ? () => true : pathMatcher(input.path);
    return this.keep({ ...input, ...counted(input.times), matches });
  }

  /** Consumes one use of the first fault matching this request, if any. */
  take(method: string, path: string): Fault | undefined {
    return this.takeFirst((f) => (f.method === undefined || f.method.toUpperCase() === method.toUpperCase()) && f.matches(path));
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
