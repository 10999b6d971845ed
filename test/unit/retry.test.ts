import assert from "node:assert";
import { backoffDelay, Clock, parseRetryAfter, RESEND, retrying, Verdict } from "../../provider/api/retry";

/** A clock that only moves when the loop sleeps: the loop's timing, without waiting. */
function fakeClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  const sleep = async (ms: number) => {
    slept.push(ms);
    now += ms;
  };
  return { slept, now: () => now, sleep };
}

const again = <T>(value: T, retryAfterMs?: number): Verdict<T> => ({ done: false, retryAfterMs, giveUp: () => value });

describe("the retry policy", () => {
  it("waits for exponential backoff with full jitter, capped, from the injected random source", () => {
    const opts = { baseMs: 200, capMs: 1000, random: () => 0.5 };
    assert.deepStrictEqual(
      [1, 2, 3, 4, 5].map((n) => backoffDelay(n, undefined, opts)),
      [150, 300, 600, 750, 750],
    );
    assert.strictEqual(backoffDelay(1, undefined, { ...opts, random: () => 0 }), 100);
  });

  it("prefers the server's Retry-After, at most one minute", () => {
    assert.strictEqual(backoffDelay(1, 3000), 3000);
    assert.strictEqual(backoffDelay(1, 3_600_000), 60_000);
  });

  it("reads Retry-After as seconds or as an HTTP date, and ignores garbage", () => {
    assert.strictEqual(parseRetryAfter("2"), 2000);
    assert.strictEqual(parseRetryAfter("0.5"), 500);
    assert.strictEqual(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6000);
    assert.strictEqual(parseRetryAfter("soon"), undefined);
    assert.strictEqual(parseRetryAfter(null), undefined);
  });

  it("resends a POST only after a refusal, and every other request after a lost reply or a transient error", () => {
    assert.strictEqual(RESEND.create.afterNoReply, false);
    assert.deepStrictEqual([429, 500, 503].map(RESEND.create.statuses), [true, false, false]);
    for (const kind of ["read", "patch", "delete", "token"] as const) {
      assert.strictEqual(RESEND[kind].afterNoReply, true, kind);
      assert.deepStrictEqual(
        [429, 500, 502, 503, 504, 400, 404, 412].map(RESEND[kind].statuses),
        [true, true, true, true, true, false, false, false],
        kind,
      );
    }
  });

  it("stops after maxRetries retries and gives up with the last outcome", async () => {
    const clock = fakeClock();
    let attempts = 0;
    const result = await retrying(
      { maxRetries: 3, budgetMs: 1e9, backoff: { baseMs: 10, capMs: 10, random: () => 1 } },
      async (n) => {
        attempts++;
        return again(`gave up at ${n}`);
      },
      clock,
    );
    assert.strictEqual(attempts, 4);
    assert.strictEqual(result, "gave up at 4");
    assert.deepStrictEqual(clock.slept, [10, 10, 10]);
  });

  it("does not start a retry that would end after the time budget", async () => {
    const clock = fakeClock();
    const result = await retrying({ maxRetries: 10, budgetMs: 2500 }, async (n) => again(n, 1000), clock);
    assert.strictEqual(result, 3);
    assert.deepStrictEqual(clock.slept, [1000, 1000]);
  });

  it("does not count a free retry (a renewed token) against maxRetries", async () => {
    const clock = fakeClock();
    const seen: number[] = [];
    const result = await retrying(
      { maxRetries: 0, budgetMs: 1e9 },
      async (n) => {
        seen.push(n);
        return seen.length === 1 ? { done: false, free: true, giveUp: () => "no" } : { done: true, value: "renewed" };
      },
      clock,
    );
    assert.strictEqual(result, "renewed");
    assert.deepStrictEqual(clock.slept, []);
  });
});
