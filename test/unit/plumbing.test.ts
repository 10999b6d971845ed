import assert from "node:assert";
import { WriteLedger } from "../../provider/api/ledger";
import { parseJson, redact, snippet } from "../../provider/api/redact";
import { Semaphore } from "../../provider/api/transport";

describe("the API plumbing (pure parts)", () => {
  it("redacts every secret, longest first, including its JSON-escaped form", () => {
    assert.strictEqual(redact('pw "a\\"b" and abc-def and abc', ['a"b', "abc-def", "abc"]), 'pw "[secret]" and [secret] and [secret]');
  });

  it("leaves values shorter than three characters alone (they would redact ordinary text)", () => {
    assert.strictEqual(redact("ab ab", ["ab"]), "ab ab");
  });

  it("shows a short, tag-free excerpt of an HTML error page", () => {
    assert.strictEqual(snippet("<html><body><h1>502 Bad Gateway</h1></body></html>"), 'non-JSON reply: "502 Bad Gateway"');
    assert.strictEqual(snippet(""), "(empty body)");
    assert.match(snippet("x".repeat(500)), /x{160}…"$/);
    assert.strictEqual(parseJson("{bad"), undefined);
  });

  it("never lets more than `limit` tasks run at once, and serves waiters in order", async () => {
    const semaphore = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const task = (i: number) =>
      semaphore.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        order.push(i);
        running--;
      });
    await Promise.all([0, 1, 2, 3, 4, 5].map(task));
    assert.strictEqual(peak, 2);
    assert.deepStrictEqual(order.slice(2), [2, 3, 4, 5]);
  });

  it("runs the creates of one name one at a time, even when one fails, and others in parallel", async () => {
    const ledger = new WriteLedger();
    const events: string[] = [];
    const job = (key: string, name: string, fail = false) =>
      ledger.serialized(key, async () => {
        events.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, 5));
        events.push(`end ${name}`);
        if (fail) throw new Error(name);
      });
    await Promise.allSettled([job("a", "a1", true), job("a", "a2"), job("b", "b1")]);
    assert.ok(events.indexOf("end a1") < events.indexOf("start a2"), events.join(", "));
    assert.ok(events.indexOf("start b1") < events.indexOf("end a1"), events.join(", "));
  });

  it("remembers ids and secrets per ledger: a new ledger starts clean", () => {
    const one = new WriteLedger();
    one.know("id-1");
    one.rememberSecrets(["s3cr3t", "x"]);
    assert.ok(one.knows("id-1"));
    assert.deepStrictEqual(one.secrets(), ["s3cr3t"]);
    const two = new WriteLedger();
    assert.ok(!two.knows("id-1"));
    assert.deepStrictEqual(two.secrets(), []);
  });
});
