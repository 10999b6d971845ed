// Messages the engine prints from the plugin's check failures (provider/plugin/failures.ts).
import assert from "node:assert";
import { keptOnDestroy } from "../../provider/core/destroy";
import { engineFailures } from "../../provider/core/failures";

describe("check failures as the engine prints them", () => {
  it("a failure on a nested path goes without a property (the engine would print `value {<nil>}`), its reason led by the path", () => {
    assert.deepStrictEqual(engineFailures([{ property: "auth.params.port", reason: "must be a string" }]), [
      { property: "", reason: "auth.params.port: must be a string" },
    ]);
    assert.deepStrictEqual(engineFailures([{ property: "transformations[0].name", reason: "transformations[0].name is required" }]), [
      { property: "", reason: "transformations[0].name is required" },
    ]);
  });

  it("a failure on a top-level input keeps its property: the engine prints the value the program gave", () => {
    const top = { property: "adoptId", reason: "must be a Flow Service connection id" };
    assert.deepStrictEqual(engineFailures([top]), [top]);
  });
});

describe("what destroy says about an object it keeps", () => {
  it("an adopted or imported object is kept, and the message says which and how to delete it", () => {
    assert.match(
      keptOnDestroy({ adopted: true, adoptId: "x" }) ?? "",
      /^it was adopted \(adoptId\), so it existed before this stack; set deleteOnDestroy: true/,
    );
    assert.match(keptOnDestroy({ adopted: true }) ?? "", /^it was imported \(pulumi import\)/);
    assert.strictEqual(keptOnDestroy({ adopted: false, deleteOnDestroy: false }), "the program sets deleteOnDestroy: false");
  });

  it("an object the stack created, or one with deleteOnDestroy: true, is deleted: nothing to say", () => {
    assert.strictEqual(keptOnDestroy({ adopted: false }), undefined);
    assert.strictEqual(keptOnDestroy({ adopted: true, deleteOnDestroy: true }), undefined);
  });
});
