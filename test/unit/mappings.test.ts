import assert from "node:assert";
import { connection } from "../../provider/core/entities/connection";
import { FlowConnection, ConnectionOutputs } from "../../provider/core/schemas";
import type { EntityOutputs } from "../../provider/core/entity";
import { describeEntityConflict, entityDrift, refreshedEntity, storedEntityOutputs } from "../../provider/core/state";
import { salesforceOutputs } from "./fixtures";

const outputs = salesforceOutputs() as unknown as ConnectionOutputs;
// A Connection's refresh, drift and conflicts are the generic ones over its description.
const refreshedState = (o: ConnectionOutputs, l: FlowConnection) => {
  const r = refreshedEntity(connection, o as unknown as EntityOutputs, l);
  return { ...r, outputs: r.outputs as unknown as ConnectionOutputs, inputs: r.inputs as Record<string, unknown> | undefined };
};
const driftOf = (o: ConnectionOutputs, l: FlowConnection) => entityDrift(connection, o as unknown as EntityOutputs, l);
const describeConflict = (id: string, o: ConnectionOutputs, l: FlowConnection | undefined) =>
  describeEntityConflict(connection, id, o as unknown as EntityOutputs, l);

function live(overrides: Partial<FlowConnection> = {}): FlowConnection {
  return {
    id: outputs.connectionId,
    name: outputs.name,
    description: outputs.description,
    connectionSpec: { id: outputs.connectionSpec.id, version: "1.0" },
    auth: {
      specName: "Basic Authentication",
      params: { environmentUrl: "login.salesforce.com", username: "sf-user", password: "********", securityToken: "********" },
    },
    etag: outputs.etag,
    state: "enabled",
    createdAt: outputs.createdAt,
    updatedAt: 1700000000000,
    sandboxName: "prod",
    ...overrides,
  };
}

describe("mappings between inputs, stored outputs and a live connection", () => {
  it("reads state written by an earlier release that lacks secretKeys and adopted", () => {
    const o = storedEntityOutputs({ name: "old", connectionId: "x", etag: '"e"' });
    assert.deepStrictEqual(o.secretKeys, []);
    assert.strictEqual(o.adopted, false);
    assert.strictEqual(o.etag, '"e"');
  });

  it("reads preview JSON where the secret key list itself is masked as a secret", () => {
    assert.deepStrictEqual(storedEntityOutputs({ secretKeys: "[secret]" }).secretKeys, []);
  });

  it("keeps state and moves only the timestamps on refresh when the etag is unchanged", () => {
    const r = refreshedState(outputs, live());
    assert.strictEqual(r.inputs, undefined);
    assert.deepStrictEqual(r.drift, []);
    assert.strictEqual(r.outputs.updatedAt, 1700000000000);
    assert.strictEqual(r.outputs.auth.params.password, outputs.auth.params.password);
  });

  it("takes the live readable values on refresh after an outside change, and drops secrets as unverified", () => {
    const r = refreshedState(outputs, live({ etag: '"other"', description: "edited in the UI" }));
    assert.deepStrictEqual(
      r.drift.map((d) => d.field),
      ["description"],
    );
    assert.strictEqual(r.outputs.description, "edited in the UI");
    assert.strictEqual(r.outputs.etag, '"other"');
    assert.strictEqual(r.inputs?.description, "edited in the UI");
    assert.ok(!("password" in r.outputs.auth.params), "the secret was dropped: the next up re-sends it");
    assert.strictEqual(r.outputs.auth.params.username, "sf-user");
  });

  it("never counts a secret param as drift, since Flow Service masks it", () => {
    assert.deepStrictEqual(driftOf(outputs, live()), []);
  });

  it("explains a conflict with who changed what, both etags and the commands that recover", () => {
    const message = describeConflict(
      outputs.connectionId,
      outputs,
      live({ etag: '"theirs"', name: "Renamed", updatedBy: "ana@example.com", updatedClient: "exc_app" }),
    );
    assert.match(message, /Pulumi's state has version "1400dd53[^"]*", Flow Service has "theirs"/);
    assert.match(message, /by ana@example\.com via the Experience Platform UI/);
    assert.match(message, /name: "Salesforce prod" → "Renamed"/);
    assert.match(message, /'pulumi refresh'.*'pulumi up'/);
    assert.doesNotMatch(message, /pw-1|tok-1/);
  });

  it("explains a conflict with a connection that no longer exists", () => {
    assert.match(describeConflict(outputs.connectionId, outputs, undefined), /no longer exists.*'pulumi refresh'.*'pulumi up'/);
  });
});
