import assert from "node:assert";
import { resolveConfig } from "../../provider/core/config";
import { ApiError, BadReplyError, NetworkError } from "../../provider/core/errors";
import { UNVERIFIED } from "../../provider/core/planner";
import {
  paramsOf,
  refusedCreateMessage,
  rollbackFailedMessage,
  rolledBackMessage,
  undoPatch,
  untestedMessage,
  ownClientRefused,
  unperformedTest,
  writesCredentials,
} from "../../provider/core/verification";

const previous = { name: "CRM", description: "Sales", params: { username: "u1", password: "pw-1", securityToken: "tok-1" } };
const apiError = (status: number) => new ApiError("API", status, undefined, undefined, undefined, undefined, "GET /connections/x/test");

describe("credential verification (pure)", () => {
  it("tests after a patch that touches /auth, not after a rename", () => {
    assert.strictEqual(writesCredentials([{ op: "replace", path: "/auth/params/password", value: "x" }]), true);
    assert.strictEqual(writesCredentials([{ op: "replace", path: "/name", value: "x" }]), false);
    assert.deepStrictEqual(
      paramsOf([
        { op: "replace", path: "/name", value: "n" },
        { op: "add", path: "/auth/params/a~1b", value: 1 },
        { op: "remove", path: "/auth/params/z" },
      ]),
      ["a/b", "z"],
    );
  });

  it("undoes every op of a refused patch with the previous values: replace, add (removed again) and remove (added back)", () => {
    const undo = undoPatch(
      [
        { op: "replace", path: "/name", value: "CRM (EU)" },
        { op: "remove", path: "/description" },
        { op: "replace", path: "/auth/params/password", value: "pw-2" },
        { op: "add", path: "/auth/params/apiVersion", value: "52" },
        { op: "remove", path: "/auth/params/username" },
      ],
      previous,
    );
    assert.deepStrictEqual(undo.ops, [
      { op: "replace", path: "/name", value: "CRM" },
      { op: "add", path: "/description", value: "Sales" },
      { op: "replace", path: "/auth/params/password", value: "pw-1" },
      { op: "remove", path: "/auth/params/apiVersion" },
      { op: "add", path: "/auth/params/username", value: "u1" },
    ]);
    assert.deepStrictEqual(undo.unrestorable, []);
  });

  it("cannot restore a secret whose previous value is unknown (adopted, or dropped by refresh), and says which", () => {
    const adopted = undoPatch(
      [
        { op: "replace", path: "/auth/params/password", value: "pw-2" },
        { op: "replace", path: "/auth/params/username", value: "u2" },
      ],
      {
        ...previous,
        params: { ...previous.params, password: UNVERIFIED },
      },
    );
    assert.deepStrictEqual(adopted.ops, [{ op: "replace", path: "/auth/params/username", value: "u1" }]);
    assert.deepStrictEqual(adopted.unrestorable, ["password"]);
    const refreshed = undoPatch(
      [{ op: "add", path: "/auth/params/securityToken", value: "tok-2" }],
      { ...previous, params: { username: "u1" } },
      ["securityToken"],
    );
    assert.deepStrictEqual(refreshed, { ops: [], unrestorable: ["securityToken"] });
  });

  it("reads a client error of the test endpoint as 'unsupported' and anything else as 'unavailable'", () => {
    assert.strictEqual(unperformedTest(apiError(400)), "unsupported");
    assert.strictEqual(unperformedTest(apiError(501)), "unsupported");
    assert.strictEqual(unperformedTest(apiError(503)), "unavailable");
    assert.strictEqual(ownClientRefused(apiError(403)), true, "403: our own client, an error");
    assert.strictEqual(ownClientRefused(apiError(401)), true);
    assert.strictEqual(ownClientRefused(apiError(503)), false);
    assert.strictEqual(unperformedTest(new NetworkError("reset")), "unavailable");
    assert.strictEqual(unperformedTest(new BadReplyError("not JSON")), "unavailable");
  });

  it("messages name the connection, the refusal, what was undone and the params, never a value", () => {
    const facts = { id: "c-1", name: "CRM", params: ["password"] };
    const created = refusedCreateMessage(facts);
    assert.match(created, /"CRM" was not created: the source system refused its credentials/);
    assert.match(created, /c-1 was deleted, so nothing is left half-made/);
    assert.match(created, /Params involved: password \(values not shown\)/);
    assert.match(refusedCreateMessage(facts, "HTTP 500"), /failed too \(HTTP 500\).*recorded in Pulumi's state/);
    const back = rolledBackMessage({ ...facts, etag: '"e2"', unrestorable: [], adopted: false, retest: { outcome: "passed" } });
    assert.match(back, /Connection c-1 \("CRM"\): the source system refused the new credentials/);
    assert.match(back, /They were rolled back; the previous credentials pass \(version "e2"\)/);
    const both = rolledBackMessage({ ...facts, etag: '"e2"', unrestorable: [], adopted: false, retest: { outcome: "refused" } });
    assert.match(both, /rolled back; the previous credentials fail too — the source refuses both/);
    const unknown = rolledBackMessage({
      ...facts,
      etag: '"e2"',
      unrestorable: [],
      adopted: false,
      retest: { outcome: "unavailable", why: "HTTP 503" },
    });
    assert.match(unknown, /test after the rollback could not run \(HTTP 503\)/);
    for (const m of [back, both, unknown]) assert.doesNotMatch(m, /works as before/);
    const partial = rolledBackMessage({
      ...facts,
      etag: '"e2"',
      unrestorable: ["password"],
      adopted: true,
      retest: { outcome: "refused" },
    });
    assert.match(partial, /previous value of password could not be restored \(the connection was adopted/);
    assert.match(partial, /still holds the refused password\. Tested again after the rollback: the credentials it holds now fail too/);
    const failed = rollbackFailedMessage({
      ...facts,
      etag: '"e1"',
      why: "HTTP 412",
      adopted: false,
      live: { id: "c-1", name: "CRM", etag: '"e3"', connectionSpec: { id: "s" }, updatedBy: "jane@example.com" },
    });
    assert.match(failed, /rolling them back failed: HTTP 412/);
    assert.match(
      failed,
      /now holds the new, unverified credentials: version "e1" has them; someone else has changed it since \(Flow Service now has version "e3", changed by jane@example\.com\)/,
    );
    assert.match(failed, /Nothing was overwritten\. To recover: run 'pulumi refresh'.*then 'pulumi up'/);
  });

  it("flowservice:verifyCredentials defaults to true, reads the config or AEP_VERIFY_CREDENTIALS, and names a bad value", () => {
    assert.strictEqual(resolveConfig(() => undefined, {}).verifyCredentials, true);
    assert.strictEqual(resolveConfig((k) => (k === "flowservice:verifyCredentials" ? "false" : undefined), {}).verifyCredentials, false);
    assert.strictEqual(resolveConfig(() => undefined, { AEP_VERIFY_CREDENTIALS: "0" }).verifyCredentials, false);
    assert.throws(
      () => resolveConfig(() => undefined, { AEP_VERIFY_CREDENTIALS: "maybe" }),
      /flowservice:verifyCredentials must be true or false, got "maybe"/,
    );
  });

  it("flowservice:requireVerifiedCredentials defaults to false and reads the config or AEP_REQUIRE_VERIFIED_CREDENTIALS", () => {
    assert.strictEqual(resolveConfig(() => undefined, {}).requireVerifiedCredentials, false);
    const set = (k: string) => (k === "flowservice:requireVerifiedCredentials" ? "true" : undefined);
    assert.strictEqual(resolveConfig(set, {}).requireVerifiedCredentials, true);
    assert.strictEqual(resolveConfig(() => undefined, { AEP_REQUIRE_VERIFIED_CREDENTIALS: "yes" }).requireVerifiedCredentials, true);
    assert.throws(
      () => resolveConfig(() => undefined, { AEP_REQUIRE_VERIFIED_CREDENTIALS: "strict" }),
      /flowservice:requireVerifiedCredentials must be true or false, got "strict"/,
    );
  });

  it("an untested write's message names the connection and why; under requireVerifiedCredentials it says how the next up tests again", () => {
    const f = { id: "c-1", name: "CRM", params: ["password"], what: "updated" as const };
    const soft = untestedMessage({ ...f, test: { outcome: "unavailable", why: "HTTP 503" }, strict: false });
    assert.match(
      soft,
      /Connection c-1 \("CRM"\): its credentials were updated but not tested — the test endpoint did not answer \(HTTP 503\)/,
    );
    assert.match(soft, /flowservice:requireVerifiedCredentials/);
    const hard = untestedMessage({ ...f, test: { outcome: "unsupported", why: "HTTP 501" }, strict: true });
    assert.match(hard, /requireVerifiedCredentials is true, so this fails/);
    assert.match(hard, /set verifyCredentials: false on this resource/);
  });
});
