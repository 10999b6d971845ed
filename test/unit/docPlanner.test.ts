import assert from "node:assert";
import fc from "fast-check";
import { applyPatch, deepClone } from "fast-json-patch";
import { JsonObject, maskDocOps, planDocPatch, valueAt } from "../../provider/core/docPlanner";

// Documents shaped like the entities': scalars, nested objects, arrays of objects; keys that
// JSON Pointer must escape.
const key = fc.oneof(fc.constantFrom("name", "params", "a/b", "c~d", "~1", "é"), fc.string({ maxLength: 5 }));
const scalar = fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean());
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    scalar,
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(key, tie("value"), { maxKeys: 3 }),
  ),
}));
// JSON round trip: plain objects, as state and HTTP bodies are.
const doc = fc.dictionary(key, value, { maxKeys: 5 }).map((d) => JSON.parse(JSON.stringify(d)) as JsonObject);

const apply = (d: JsonObject, ops: unknown[]) => applyPatch(deepClone(d), deepClone(ops) as never, true).newDocument;

describe("the document planner (the smallest JSON Patch of any entity's document)", () => {
  it("produces a patch that turns the old document into the new one, for any pair", () => {
    fc.assert(
      fc.property(doc, doc, (a, b) => assert.deepStrictEqual(apply(a, planDocPatch(a, b)), b)),
      { numRuns: 1500 },
    );
  });

  it("still does with members replaced whole, and sends nothing for equal documents", () => {
    fc.assert(
      fc.property(doc, doc, (a, b) => {
        const ops = planDocPatch(a, b, { atomic: ["/params", "/*/0"] });
        assert.deepStrictEqual(apply(a, ops), b);
        assert.deepStrictEqual(planDocPatch(b, JSON.parse(JSON.stringify(b))), []);
      }),
      { numRuns: 1500 },
    );
  });

  it("patches one schedule field, as update-dataflows.md does, and replaces a changed transformation whole", () => {
    const old = {
      name: "Daily",
      transformations: [{ name: "Mapping", params: { mappingId: "m1", mappingVersion: "0" } }],
      scheduleParams: { startTime: 1700000000, frequency: "minute", interval: 15 },
    };
    const next = {
      name: "Daily",
      transformations: [{ name: "Mapping", params: { mappingId: "m2", mappingVersion: "0" } }],
      scheduleParams: { startTime: 1700000000, frequency: "minute", interval: 30 },
    };
    assert.deepStrictEqual(planDocPatch(old, next, { atomic: ["/transformations/*"] }), [
      { op: "replace", path: "/transformations/0", value: next.transformations[0] },
      { op: "replace", path: "/scheduleParams/interval", value: 30 },
    ]);
  });

  it("adds new array elements in order and removes dropped ones from the end, so every index is valid", () => {
    const ops = planDocPatch({ ids: ["a", "b", "c"] }, { ids: ["a"] });
    assert.deepStrictEqual(ops, [
      { op: "remove", path: "/ids/2" },
      { op: "remove", path: "/ids/1" },
    ]);
    assert.deepStrictEqual(planDocPatch({ ids: ["a"] }, { ids: ["a", "b", "c"] }), [
      { op: "add", path: "/ids/1", value: "b" },
      { op: "add", path: "/ids/2", value: "c" },
    ]);
  });

  it("keeps top-level members in the document's order and escapes keys per RFC 6901", () => {
    const ops = planDocPatch({ name: "a", params: { "a/b": 1 } }, { name: "b", description: "d", params: { "a/b": 2, "x~y": 3 } });
    assert.deepStrictEqual(ops, [
      { op: "replace", path: "/name", value: "b" },
      { op: "add", path: "/description", value: "d" },
      { op: "replace", path: "/params/a~1b", value: 2 },
      { op: "add", path: "/params/x~0y", value: 3 },
    ]);
    assert.strictEqual(valueAt({ params: { "a/b": 2 } }, "/params/a~1b"), 2);
  });

  it("masks the value of every secret param, and of a whole params object holding one", () => {
    const ops = planDocPatch({ params: { path: "/in", apiKey: "k1" } }, { params: { path: "/in2", apiKey: "k2" } });
    assert.deepStrictEqual(maskDocOps(ops, ["params"], ["apiKey"]), [
      { op: "replace", path: "/params/apiKey", value: "[secret]" },
      { op: "replace", path: "/params/path", value: "/in2" },
    ]);
    assert.deepStrictEqual(maskDocOps([{ op: "add", path: "/params", value: { apiKey: "k" } }], ["params"], ["apiKey"]), [
      { op: "add", path: "/params", value: "[secret]" },
    ]);
  });
});
