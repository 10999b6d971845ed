// Messages the engine prints from the plugin's check failures (provider/plugin/failures.ts).
import assert from "node:assert";
import { engineFailures } from "../../provider/plugin/failures";

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
