// Input checks every resource shares (core/limits.ts, the UUID spec ids of core/entity.ts), through
// each description's check, offline: what a preview refuses before any request.
import assert from "node:assert";
import { dataflow } from "../../provider/core/entities/dataflow";
import { sourceConnection } from "../../provider/core/entities/sourceConnection";
import { checkEntity } from "../../provider/core/checkDiff";
import { checkConnection } from "../helpers/connectionChecks";
import { flowInputs, sourceInputs } from "./pipelineFixtures";
import { salesforceInputs } from "./fixtures";

describe("input limits and ids, for every resource", () => {
  it("refuses inputs over 1 MiB naming the largest value and its size, and accepts 100 KB", () => {
    const big = checkEntity(sourceConnection, {}, sourceInputs({ params: { path: "p".repeat(1024 * 1024) } }));
    assert.deepStrictEqual(
      big.failures.map((f) => f.property),
      ["params.path"],
    );
    assert.match(
      big.failures[0].reason,
      /^is 1\.0 MiB: the inputs of one resource \(1\.0 MiB in all\) must fit in one Flow Service request of at most 1 MiB/,
    );
    assert.deepStrictEqual(checkEntity(sourceConnection, {}, sourceInputs({ params: { path: "p".repeat(100 * 1024) } })).failures, []);
    const conn = salesforceInputs();
    const huge = checkConnection({}, { ...conn, description: "d".repeat(1100 * 1024) });
    assert.deepStrictEqual(
      huge.failures.map((f) => f.property),
      ["description"],
    );
  });

  it("refuses a connection spec or flow spec id that is not a UUID, naming it", () => {
    const flow = checkEntity(dataflow, {}, flowInputs({ flowSpec: { id: "CloudStorageToAEP" } }));
    assert.deepStrictEqual(
      flow.failures.map((f) => f.property),
      ["flowSpec.id"],
    );
    assert.match(flow.failures[0].reason, /must be a spec id: a UUID/);
    const source = checkEntity(sourceConnection, {}, sourceInputs({ connectionSpec: { id: "amazon-s3" } }));
    assert.deepStrictEqual(
      source.failures.map((f) => f.property),
      ["connectionSpec.id"],
    );
    const conn = checkConnection({}, salesforceInputs({ connectionSpec: { id: "salesforce" } }));
    assert.deepStrictEqual(
      conn.failures.map((f) => f.property),
      ["connectionSpec.id"],
    );
  });
});
