import assert from "node:assert";
import { UNKNOWN } from "../helpers/connectionChecks";
import { dataflow } from "../../provider/core/entities/dataflow";
import { sourceConnection } from "../../provider/core/entities/sourceConnection";
import { targetConnection } from "../../provider/core/entities/targetConnection";
import { checkEntity, diffEntity } from "../../provider/core/checkDiff";
import { storedEntityOutputs } from "../../provider/core/state";
import { flowInputs, outputsOf, PAST_START, SOURCE_ID, sourceInputs, targetInputs } from "./pipelineFixtures";

const NOW = (PAST_START + 86_400) * 1000;
const properties = (o: { failures: Array<{ property: string }> }) => o.failures.map((f) => f.property);
const reasonOf = (o: { failures: Array<{ property: string; reason: string }> }, property: string) =>
  o.failures.find((f) => f.property === property)?.reason ?? "";

describe("check of the pipeline resources (pure: previews of pull requests run it)", () => {
  it("accepts the S3 → Data Lake pipeline of the tutorials", () => {
    for (const [desc, inputs] of [
      [sourceConnection, sourceInputs()],
      [targetConnection, targetInputs()],
      [dataflow, flowInputs()],
    ] as const) {
      assert.deepStrictEqual(checkEntity(desc, {}, inputs, NOW).failures, [], desc.kind);
    }
  });

  it("refuses a minute schedule under 15 minutes, naming the property and the fix", () => {
    const r = checkEntity(dataflow, {}, flowInputs({ scheduleParams: { startTime: PAST_START, frequency: "minute", interval: 5 } }), NOW);
    assert.deepStrictEqual(properties(r), ["scheduleParams.interval"]);
    assert.match(reasonOf(r, "scheduleParams.interval"), /at least 15 when frequency is "minute".*got 5/);
  });

  it("accepts an hourly interval of 1, and requires an interval for every frequency but once", () => {
    assert.deepStrictEqual(checkEntity(dataflow, {}, flowInputs({ scheduleParams: { frequency: "hour", interval: 1 } }), NOW).failures, []);
    const daily = checkEntity(dataflow, {}, flowInputs({ scheduleParams: { frequency: "day" } }), NOW);
    assert.match(reasonOf(daily, "scheduleParams.interval"), /required when frequency is "day"/);
    const once = checkEntity(dataflow, {}, flowInputs({ scheduleParams: { frequency: "once", interval: 15 } }), NOW);
    assert.match(reasonOf(once, "scheduleParams.interval"), /not used when frequency is "once"/);
    assert.deepStrictEqual(checkEntity(dataflow, {}, flowInputs({ scheduleParams: { frequency: "once" } }), NOW).failures, []);
  });

  it("names an unknown frequency, a start time in milliseconds, and a start time changed after it passed", () => {
    const bad = checkEntity(dataflow, {}, flowInputs({ scheduleParams: { frequency: "fortnight", interval: 1 } }), NOW);
    assert.match(reasonOf(bad, "scheduleParams.frequency"), /once, minute, hour, day, week/);
    const ms = checkEntity(
      dataflow,
      {},
      flowInputs({ scheduleParams: { startTime: PAST_START * 1000, frequency: "hour", interval: 1 } }),
      NOW,
    );
    assert.match(reasonOf(ms, "scheduleParams.startTime"), /epoch seconds.*milliseconds/);
    const moved = checkEntity(
      dataflow,
      flowInputs(),
      flowInputs({ scheduleParams: { startTime: PAST_START + 60, frequency: "minute", interval: 15 } }),
      NOW,
    );
    assert.match(reasonOf(moved, "scheduleParams.startTime"), /cannot change once the scheduled start has passed/);
    // Before the start, it may move.
    const early = checkEntity(
      dataflow,
      flowInputs(),
      flowInputs({ scheduleParams: { startTime: PAST_START + 60, frequency: "minute", interval: 15 } }),
      PAST_START * 1000 - 1,
    );
    assert.deepStrictEqual(early.failures, []);
  });

  it("names a misspelt schedule or spec member instead of dropping it", () => {
    const r = checkEntity(
      dataflow,
      {},
      flowInputs({ scheduleParams: { startTime: PAST_START, frequency: "minute", intervall: 15 }, flowSpec: { id: "x", verison: "1.0" } }),
      NOW,
    );
    assert.match(reasonOf(r, "scheduleParams"), /intervall/);
    assert.match(reasonOf(r, "flowSpec"), /verison/);
  });

  it("stores digit strings of the tutorials as numbers", () => {
    const r = checkEntity(
      dataflow,
      {},
      flowInputs({ scheduleParams: { startTime: String(PAST_START), frequency: "minute", interval: "15", backfill: "true" } }),
      NOW,
    );
    assert.deepStrictEqual(r.inputs.scheduleParams, { startTime: PAST_START, frequency: "minute", interval: 15, backfill: true });
  });

  it("names ids that are not Flow Service ids, an empty id list and a missing spec", () => {
    const r = checkEntity(
      dataflow,
      {},
      flowInputs({ sourceConnectionIds: ["../connections"], targetConnectionIds: [], flowSpec: undefined }),
      NOW,
    );
    assert.deepStrictEqual(properties(r).sort(), ["flowSpec", "sourceConnectionIds.0", "targetConnectionIds"]);
    assert.match(reasonOf(r, "sourceConnectionIds.0"), /Flow Service id \(a UUID/);
    assert.match(reasonOf(r, "flowSpec"), /is required/);
    assert.match(reasonOf(r, "targetConnectionIds"), /at least one target connection id/);
  });

  it("tolerates ids known only at up, and checks them then", () => {
    const r = checkEntity(dataflow, {}, flowInputs({ sourceConnectionIds: [UNKNOWN], targetConnectionIds: UNKNOWN }), NOW);
    assert.deepStrictEqual(r.failures, []);
  });

  it("requires the dataset of a Data Lake target connection", () => {
    const r = checkEntity(targetConnection, {}, targetInputs({ params: {} }), NOW);
    assert.deepStrictEqual(properties(r), ["params.dataSetId"]);
    assert.match(reasonOf(r, "params.dataSetId"), /required by the Data Lake/);
  });

  it("records a version per secret param, bumped only when its value changes", () => {
    const first = checkEntity(sourceConnection, {}, sourceInputs({ params: { path: "/a", apiKey: "k1" }, secretKeys: ["apiKey"] }), NOW);
    assert.deepStrictEqual(first.inputs.__secretVersions, { apiKey: 1 });
    const same = checkEntity(
      sourceConnection,
      first.inputs,
      sourceInputs({ params: { path: "/b", apiKey: "k1" }, secretKeys: ["apiKey"] }),
      NOW,
    );
    assert.deepStrictEqual(same.inputs.__secretVersions, { apiKey: 1 });
    const rotated = checkEntity(
      sourceConnection,
      same.inputs,
      sourceInputs({ params: { path: "/b", apiKey: "k2" }, secretKeys: ["apiKey"] }),
      NOW,
    );
    assert.deepStrictEqual(rotated.inputs.__secretVersions, { apiKey: 2 });
  });

  it("drops output-only placeholders from the inputs", () => {
    const r = checkEntity(sourceConnection, {}, { ...sourceInputs(), etag: undefined, state: "x", createdAt: 1 }, NOW);
    assert.ok(!("state" in r.inputs) && !("createdAt" in r.inputs));
  });
});

describe("diff of the pipeline resources", () => {
  const flowOuts = storedEntityOutputs(outputsOf(flowInputs()));

  it("reports no change for an unchanged program", () => {
    assert.deepStrictEqual(diffEntity(dataflow, flowOuts, flowInputs(), "p", "p"), { changes: false, replaces: [], ops: [], actions: [] });
  });

  it("plans one op for a new schedule interval", () => {
    const d = diffEntity(dataflow, flowOuts, flowInputs({ scheduleParams: { startTime: PAST_START, frequency: "minute", interval: 30 } }));
    assert.deepStrictEqual(d.ops, [{ op: "replace", path: "/scheduleParams/interval", value: 30 }]);
    assert.deepStrictEqual(d.replaces, []);
  });

  it("turns enabled: false into one DISABLE action and no patch", () => {
    const d = diffEntity(dataflow, flowOuts, flowInputs({ enabled: false }));
    assert.deepStrictEqual([d.ops, d.actions, d.changes], [[], [{ field: "enabled", op: "DISABLE" }], true]);
    const back = diffEntity(dataflow, storedEntityOutputs(outputsOf(flowInputs({ enabled: false }))), flowInputs());
    assert.deepStrictEqual(back.actions, [{ field: "enabled", op: "ENABLE" }]);
  });

  it("replaces a dataflow whose spec or connection ids change, and when a new id is not known yet", () => {
    assert.deepStrictEqual(
      diffEntity(dataflow, flowOuts, flowInputs({ flowSpec: { id: "14518937-270c-4525-bdec-c2ba7cce3860" } })).replaces,
      ["flowSpec"],
    );
    assert.deepStrictEqual(diffEntity(dataflow, flowOuts, flowInputs({ sourceConnectionIds: [UNKNOWN] })).replaces, [
      "sourceConnectionIds",
    ]);
    const other = "b7581b59-c603-4df1-a689-d23d7ac440f4";
    assert.deepStrictEqual(diffEntity(dataflow, flowOuts, flowInputs({ targetConnectionIds: [other] })).replaces, ["targetConnectionIds"]);
  });

  it("patches source connection params per key, and replaces it for a new format, connector or account", () => {
    const outs = storedEntityOutputs(outputsOf(sourceInputs()));
    assert.deepStrictEqual(diffEntity(sourceConnection, outs, sourceInputs({ params: { path: "/landing/2024.csv" } })).ops, [
      { op: "replace", path: "/params/path", value: "/landing/2024.csv" },
    ]);
    assert.deepStrictEqual(diffEntity(sourceConnection, outs, sourceInputs({ data: { format: "json" } })).replaces, ["data"]);
    assert.deepStrictEqual(diffEntity(sourceConnection, outs, sourceInputs({ baseConnectionId: SOURCE_ID })).replaces, [
      "baseConnectionId",
    ]);
    assert.deepStrictEqual(diffEntity(sourceConnection, outs, sourceInputs({ baseConnectionId: UNKNOWN })).replaces, ["baseConnectionId"]);
  });

  it("replaces a target connection for a new dataset", () => {
    const outs = storedEntityOutputs(outputsOf(targetInputs()));
    assert.deepStrictEqual(
      diffEntity(targetConnection, outs, targetInputs({ params: { dataSetId: "6500000000000000000000aa" } })).replaces,
      ["params.dataSetId"],
    );
  });

  it("replaces an object the program moves to another sandbox, not one that keeps the stack's", () => {
    const outs = storedEntityOutputs(outputsOf(sourceInputs()));
    assert.deepStrictEqual(diffEntity(sourceConnection, outs, sourceInputs({ sandboxName: "dev" })).replaces, ["sandboxName"]);
    assert.deepStrictEqual(diffEntity(sourceConnection, outs, sourceInputs({ sandboxName: "prod" })).changes, false);
    assert.deepStrictEqual(diffEntity(sourceConnection, outs, sourceInputs()).changes, false);
  });

  it("moves every object that relies on the stack's sandbox when that default changes, the target connection too", () => {
    for (const [desc, inputs] of [
      [sourceConnection, sourceInputs()],
      [targetConnection, targetInputs()],
      [dataflow, flowInputs()],
    ] as const) {
      const outs = storedEntityOutputs(outputsOf(inputs));
      const same = checkEntity(desc, {}, inputs, NOW, { sandboxName: "prod" });
      assert.deepStrictEqual([same.inputs.sandboxName, same.inputs.__sandboxFromStack], ["prod", true], desc.kind);
      assert.strictEqual(diffEntity(desc, outs, same.inputs).changes, false, desc.kind);
      const moved = checkEntity(desc, {}, inputs, NOW, { sandboxName: "dev" });
      assert.deepStrictEqual(diffEntity(desc, outs, moved.inputs).replaces, ["sandboxName"], desc.kind);
      const declared = checkEntity(desc, {}, { ...inputs, sandboxName: "prod" }, NOW, { sandboxName: "dev" });
      assert.deepStrictEqual(diffEntity(desc, outs, declared.inputs).replaces, [], `${desc.kind}: a declared sandbox stays`);
    }
  });

  it("blames the stack's flowservice:sandboxName when the default is malformed", () => {
    const r = checkEntity(targetConnection, {}, targetInputs(), NOW, { sandboxName: "Prod" });
    assert.deepStrictEqual(properties(r), ["sandboxName"]);
    assert.match(reasonOf(r, "sandboxName"), /stack's flowservice:sandboxName \("Prod"\).*pulumi config set flowservice:sandboxName/);
  });

  it("reports a change when only the provider code or the destroy policy changed", () => {
    assert.strictEqual(diffEntity(dataflow, flowOuts, flowInputs(), "old", "new").changes, true);
    assert.strictEqual(diffEntity(dataflow, flowOuts, flowInputs({ deleteOnDestroy: false })).changes, true);
  });
});
