import assert from "node:assert";
import { diffConnection } from "../helpers/connectionChecks";
import { ConnectionOutputs } from "../../provider/core/schemas";
import { UNKNOWN } from "../helpers/connectionChecks";
import { salesforceInputs, salesforceOutputs } from "./fixtures";

const olds = salesforceOutputs() as unknown as ConnectionOutputs;

describe("diff (pure: no network, no credentials)", () => {
  it("reports no change for an unchanged program", () => {
    assert.deepStrictEqual(diffConnection(olds, salesforceInputs(), "p", "p"), { changes: false, replaces: [], ops: [] });
  });

  it("reports the exact patch for a rotated password and a new description", () => {
    const news = salesforceInputs({ description: "rotated" });
    news.auth.params = { ...news.auth.params, password: "pw-2" };
    const d = diffConnection(olds, news);
    assert.strictEqual(d.changes, true);
    assert.deepStrictEqual(d.replaces, []);
    assert.deepStrictEqual(d.ops, [
      { op: "replace", path: "/description", value: "rotated" },
      { op: "replace", path: "/auth/params/password", value: "pw-2" },
    ]);
  });

  it("asks for a replacement when the connector changes", () => {
    const d = diffConnection(olds, salesforceInputs({ connectionSpec: { id: "ecadc60c-7455-4d87-84dc-2a0e293d997b" } }));
    assert.deepStrictEqual(d.replaces, ["connectionSpec"]);
  });

  it("asks for a replacement when the connector's version, the auth spec or the adopted id changes, and not for a version Flow Service filled in", () => {
    const base = salesforceInputs();
    const replaces = (news: Record<string, unknown>) => diffConnection(olds, news).replaces;
    assert.deepStrictEqual(replaces({ ...base, connectionSpec: { id: base.connectionSpec.id } }), []);
    assert.deepStrictEqual(replaces({ ...base, connectionSpec: { id: base.connectionSpec.id, version: "2.0" } }), ["connectionSpec"]);
    assert.deepStrictEqual(replaces({ ...base, auth: { ...base.auth, specName: "OAuth2 Client Credential" } }), ["auth.specName"]);
    assert.deepStrictEqual(replaces({ ...base, adoptId: "139f6a5f-a78b-4744-9f6a-5fa78bd74431" }), ["adoptId"]);
  });

  it("reports a change, without a patch, when a value is unknown until up", () => {
    const d = diffConnection(olds, salesforceInputs({ name: UNKNOWN }));
    assert.deepStrictEqual(d, { changes: true, replaces: [], ops: [] });
  });

  it("reports a change when only the provider code or the destroy policy changed", () => {
    assert.strictEqual(diffConnection(olds, salesforceInputs(), "old code", "new code").changes, true);
    assert.strictEqual(diffConnection(olds, salesforceInputs({ deleteOnDestroy: false })).changes, true);
  });

  describe("sandboxName", () => {
    it("replaces a connection whose sandbox changes, naming sandboxName", () => {
      const d = diffConnection(olds, salesforceInputs({ sandboxName: "stage" }));
      assert.deepStrictEqual([d.changes, d.replaces], [true, ["sandboxName"]]);
    });

    it("keeps a connection whose declared sandbox equals the one it was applied in", () => {
      assert.deepStrictEqual(diffConnection(olds, salesforceInputs({ sandboxName: "prod", __sandboxFromStack: true }), "p", "p"), {
        changes: false,
        replaces: [],
        ops: [],
      });
    });

    it("does not replace state from an earlier release, which records the sandbox only as read (or not at all)", () => {
      // Such outputs carry sandboxName as Flow Service returned it, and the inputs none.
      const legacy = salesforceOutputs() as unknown as ConnectionOutputs;
      assert.deepStrictEqual(
        diffConnection(legacy, salesforceInputs({ sandboxName: "prod", __sandboxFromStack: true }), "p", "p").replaces,
        [],
      );
      const { sandboxName: _none, ...unread } = salesforceOutputs();
      assert.deepStrictEqual(
        diffConnection(unread as unknown as ConnectionOutputs, salesforceInputs({ sandboxName: "dev" }), "p", "p").replaces,
        [],
      );
    });

    it("decides a move at up when the sandbox is known only then", () => {
      assert.deepStrictEqual(diffConnection(olds, salesforceInputs({ sandboxName: UNKNOWN })), { changes: true, replaces: [], ops: [] });
    });
  });
});
