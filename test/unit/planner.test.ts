import assert from "node:assert";
import fc from "fast-check";
import { applyPatch, deepClone } from "fast-json-patch";
import { changedSecrets, secretVersions, PatchableFields, maskOps, planPatch, escapePointerToken } from "../../provider/core/planner";

const value = fc.oneof(fc.string(), fc.integer(), fc.boolean());
// Keys include the characters JSON Pointer must escape.
const key = fc.oneof(fc.constantFrom("password", "username", "a/b", "c~d", "~1", "/", "", "é ü"), fc.string({ maxLength: 6 }));
const desired: fc.Arbitrary<PatchableFields> = fc.record(
  {
    name: fc.string({ minLength: 1 }),
    description: fc.string(),
    params: fc.dictionary(key, value, { maxKeys: 6 }),
  },
  { requiredKeys: ["name", "params"] },
);

function asDoc(d: PatchableFields) {
  // JSON round trip: plain objects, as state and HTTP bodies are.
  return JSON.parse(JSON.stringify({ name: d.name, description: d.description, auth: { params: d.params } }));
}

describe("the patch planner", () => {
  it("produces a patch that turns the old state into the new one, for any pair", () => {
    fc.assert(
      fc.property(desired, desired, (old, next) => {
        const ops = planPatch(old, next);
        const patched = applyPatch(deepClone(asDoc(old)), deepClone(ops), true).newDocument;
        assert.deepStrictEqual(patched, asDoc(next));
      }),
      { numRuns: 2000 },
    );
  });

  it("never emits an op for a field that did not change", () => {
    fc.assert(
      fc.property(desired, desired, (old, next) => {
        const ops = planPatch(old, next);
        for (const op of ops) {
          if (op.path === "/name") assert.notStrictEqual(old.name, next.name);
          else if (op.path === "/description") assert.notStrictEqual(old.description, next.description);
          else {
            const k = op.path.slice("/auth/params/".length).replace(/~1/g, "/").replace(/~0/g, "~");
            assert.notStrictEqual(old.params[k], next.params[k]);
          }
        }
        assert.deepStrictEqual(planPatch(next, next), []);
      }),
      { numRuns: 2000 },
    );
  });

  it("uses add for a new field, replace for a changed one and remove for a dropped one", () => {
    const ops = planPatch(
      { name: "a", params: { username: "u", password: "old", environmentUrl: "x" } },
      { name: "b", description: "d", params: { username: "u", password: "new" } },
    );
    assert.deepStrictEqual(ops, [
      { op: "replace", path: "/name", value: "b" },
      { op: "add", path: "/description", value: "d" },
      { op: "remove", path: "/auth/params/environmentUrl" },
      { op: "replace", path: "/auth/params/password", value: "new" },
    ]);
  });

  it("escapes / and ~ in param keys as RFC 6901 says", () => {
    assert.strictEqual(escapePointerToken("a/b~c"), "a~1b~0c");
    const ops = planPatch({ name: "n", params: {} }, { name: "n", params: { "a/b~c": 1 } });
    assert.deepStrictEqual(ops, [{ op: "add", path: "/auth/params/a~1b~0c", value: 1 }]);
  });

  it("masks secret values in a plan meant for people", () => {
    const ops = planPatch({ name: "n", params: { password: "p1", user: "u" } }, { name: "n", params: { password: "p2", user: "v" } });
    const masked = maskOps(ops, ["password"]);
    assert.ok(!JSON.stringify(masked).includes("p2"));
    assert.deepStrictEqual(masked.find((o) => o.path === "/auth/params/password")?.value, "[secret]");
    assert.deepStrictEqual(masked.find((o) => o.path === "/auth/params/user")?.value, "v");
  });

  it("versions each secret param: kept while unchanged, bumped when changed, 1 when new", () => {
    const first = secretVersions(undefined, undefined, { password: "a", token: "t" }, ["password", "token"]);
    assert.deepStrictEqual(first, { password: 1, token: 1 });
    const same = secretVersions({ password: "a", token: "t" }, first, { password: "a", token: "t" }, ["password", "token"]);
    assert.deepStrictEqual(same, first, "an unchanged program gives identical inputs");
    const rotated = secretVersions({ password: "a", token: "t" }, first, { password: "b", token: "t", key: "k" }, [
      "password",
      "token",
      "key",
    ]);
    assert.deepStrictEqual(rotated, { key: 1, password: 2, token: 1 });
    assert.deepStrictEqual(changedSecrets(first, rotated), ["key", "password"]);
    assert.deepStrictEqual(changedSecrets(first, same), []);
    assert.strictEqual(changedSecrets(first, undefined), undefined);
  });
});
