import assert from "node:assert";
import { dataflow } from "../../provider/core/entities/dataflow";
import { sourceConnection } from "../../provider/core/entities/sourceConnection";
import { liveDocument } from "../../provider/core/entity";
import { describeEntityConflict, entityDrift, refreshedEntity, storedEntityOutputs } from "../../provider/core/state";
import { UNVERIFIED } from "../../provider/core/planner";
import {
  BASE_ID,
  CLOUD_STORAGE_TO_AEP,
  ETAG,
  FLOW_ID,
  flowInputs,
  liveFlow,
  outputsOf,
  S3,
  SOURCE_ID,
  sourceInputs,
} from "./pipelineFixtures";

const NEW_ETAG = '"6100aa00-0000-0200-0000-60358d990000"';
// The program declares the flow spec without a version; Flow Service shows "1.0".
const declared = () => flowInputs({ flowSpec: { id: CLOUD_STORAGE_TO_AEP } });
const flowOuts = () => storedEntityOutputs(outputsOf(declared()));

describe("refresh, drift and conflicts of the pipeline resources", () => {
  it("reads a flow as Flow Service shows it (digit strings, spec version, extra members) without drift", () => {
    assert.deepStrictEqual(entityDrift(dataflow, flowOuts(), liveFlow() as never), []);
    const r = refreshedEntity(dataflow, flowOuts(), liveFlow({ updatedAt: 1612310999999 }) as never);
    assert.strictEqual(r.inputs, undefined, "an unchanged etag moves only the stamps");
    assert.strictEqual(r.outputs.updatedAt, 1612310999999);
  });

  it("takes a remote schedule change into state and inputs, as numbers", () => {
    const live = liveFlow({ etag: NEW_ETAG, scheduleParams: { startTime: "1700000000", frequency: "minute", interval: "45" } });
    const r = refreshedEntity(dataflow, flowOuts(), live as never);
    assert.deepStrictEqual(r.drift, [{ field: "scheduleParams.interval", state: 15, live: 45 }]);
    assert.deepStrictEqual((r.inputs as any).scheduleParams, { startTime: 1700000000, frequency: "minute", interval: 45 });
    assert.strictEqual(r.outputs.etag, NEW_ETAG);
    // The declared spec stays as declared: the version Flow Service adds is not a change.
    assert.deepStrictEqual((r.inputs as any).flowSpec, { id: CLOUD_STORAGE_TO_AEP });
  });

  it("sees a flow disabled outside the stack, even when its etag did not move", () => {
    const r = refreshedEntity(dataflow, flowOuts(), liveFlow({ state: "disabled" }) as never);
    assert.deepStrictEqual(r.drift, [{ field: "enabled", state: true, live: false }]);
    assert.strictEqual((r.inputs as any).enabled, false);
  });

  it("treats no transformations and Flow Service's empty default as the same", () => {
    const outs = storedEntityOutputs(outputsOf(flowInputs({ transformations: undefined })));
    assert.deepStrictEqual(entityDrift(dataflow, outs, liveFlow({ transformations: [] }) as never), []);
  });

  it("never compares, reads back or keeps a secret param: the next up sends it again", () => {
    const outs = storedEntityOutputs(outputsOf(sourceInputs({ params: { path: "/a", apiKey: "k-1" }, secretKeys: ["apiKey"] })));
    const live = {
      id: SOURCE_ID,
      etag: NEW_ETAG,
      name: "Landing files",
      baseConnectionId: BASE_ID,
      connectionSpec: { id: S3, version: "1.0" },
      data: { format: "delimited" },
      params: { path: "/b", apiKey: "sha256:0f" },
    };
    const r = refreshedEntity(sourceConnection, outs, live as never);
    assert.deepStrictEqual(r.drift, [{ field: "params.path", state: "/a", live: "/b" }]);
    assert.deepStrictEqual((r.inputs as any).params, { path: "/b" });
    assert.deepStrictEqual(liveDocument(sourceConnection, live as never, ["apiKey"]).params, { path: "/b", apiKey: UNVERIFIED });
  });

  it("explains a 412: who changed what, and how to recover", () => {
    const live = liveFlow({ etag: NEW_ETAG, name: "Renamed in the UI", updatedBy: "jane.doe@example.com", updatedClient: "exc_app" });
    const text = describeEntityConflict(dataflow, FLOW_ID, flowOuts(), live as never);
    assert.match(text, new RegExp(`^Dataflow ${FLOW_ID} \\("Customers from S3"\\) was changed outside this stack`));
    assert.ok(text.includes(ETAG) && text.includes(NEW_ETAG));
    assert.match(text, /by jane\.doe@example\.com via the Experience Platform UI \(exc_app\)/);
    assert.match(text, /name: "Customers from S3" → "Renamed in the UI"/);
    assert.match(text, /pulumi refresh.*pulumi up/);
    assert.match(describeEntityConflict(dataflow, FLOW_ID, flowOuts(), undefined), /no longer exists/);
    // The UI's edit is "outside this stack" whatever this stack's client is.
    assert.match(describeEntityConflict(dataflow, FLOW_ID, flowOuts(), live as never, "our-client"), /was changed outside this stack/);
  });

  it("says a 412 whose last writer is this stack's own client may be an interrupted run of this stack, not 'outside this stack'", () => {
    const live = liveFlow({ etag: NEW_ETAG, name: "Renamed", updatedClient: "our-client", updatedAt: Date.UTC(2026, 0, 2) });
    const text = describeEntityConflict(dataflow, FLOW_ID, flowOuts(), live as never, "our-client");
    assert.doesNotMatch(text, /outside this stack/);
    assert.match(
      text,
      new RegExp(
        `^Dataflow ${FLOW_ID} \\("Customers from S3"\\) was last changed by this stack's own API client at 2026-01-02T00:00:00.000Z, .*an interrupted run of this stack\\?`,
      ),
    );
    assert.ok(text.includes(`Pulumi's state has version ${ETAG}, Flow Service has ${NEW_ETAG}`), text);
    assert.match(text, /name: "Customers from S3" → "Renamed"/);
    assert.match(text, /flowservice-recover.*pulumi refresh.*pulumi up/);
  });
});
