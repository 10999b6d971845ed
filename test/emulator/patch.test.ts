// PATCH /connections/{id}: JSON Patch rules, If-Match, validation after patching, concurrency.
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { type RunningEmulator, startEmulator } from "../../emulator/main";
import { DEMO, EmulatorApi, flowCode } from "../helpers/emulatorApi";

const sha = (s: string) => "sha256:" + createHash("sha256").update(s).digest("hex");

describe("emulator PATCH /connections/{id}", function () {
  let emu: RunningEmulator;
  let api: EmulatorApi;
  let id: string;
  let etag: string;

  before(async () => {
    emu = await startEmulator();
    api = new EmulatorApi(emu.url);
  });
  after(() => emu.close());
  beforeEach(async () => {
    await api.control("POST", "/reset");
    ({ id, etag } = await api.createSalesforce("original"));
  });

  const rename = (value = "renamed") => [{ op: "replace", path: "/name", value }];
  const stored = async () => (await api.control("GET", `/connections/${id}`)).json;

  it("applies a patch with the current etag and answers 200 {id, etag} with a new etag", async () => {
    const before = await api.connection(id);
    const r = await api.patch(id, rename(), etag);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.json).sort(), ["etag", "id"]);
    assert.notEqual(r.json.etag, etag);
    const after = await api.connection(id);
    assert.equal(after.name, "renamed");
    assert.equal(after.etag, r.json.etag);
    assert.ok(after.updatedAt > before.updatedAt);
    assert.equal(after.updatedBy, `${DEMO.clientId}@AdobeID`);
    assert.equal(after.updatedClient, DEMO.clientId);
    assert.equal(after.createdAt, before.createdAt);
  });

  it("answers 412 with code 1404 when If-Match is stale, naming both versions and the last writer", async () => {
    const first = await api.patch(id, rename("first"), etag);
    assert.equal(first.status, 200);
    const r = await api.patch(id, rename("second"), etag);
    assert.equal(r.status, 412);
    assert.equal(flowCode(r), "1404-412");
    const msg: string = r.json.errorMessage;
    assert.ok(msg.includes(etag), `names the sent version: ${msg}`);
    assert.ok(msg.includes(first.json.etag), `names the current version: ${msg}`);
    assert.match(msg, new RegExp(`${DEMO.clientId}@AdobeID`));
    assert.equal((await api.connection(id)).name, "first");
  });

  it("names the UI user and exc_app in the 412 after an edit made in the UI", async () => {
    const edit = await api.control("POST", `/connections/${id}/edit`, {
      patch: [{ op: "add", path: "/description", value: "set in the UI" }],
      user: "jane.doe@AdobeID",
    });
    assert.equal(edit.status, 200, edit.text);
    assert.notEqual(edit.json.etag, etag);
    const r = await api.patch(id, rename(), etag);
    assert.equal(r.status, 412);
    assert.match(r.json.errorMessage, /jane\.doe@AdobeID/);
    assert.match(r.json.errorMessage, /exc_app/);
    const c = await api.connection(id);
    assert.equal(c.updatedClient, "exc_app");
    assert.equal(c.description, "set in the UI");
  });

  it("answers 400 with code 1403 when If-Match is missing", async () => {
    const r = await api.patch(id, rename(), undefined);
    assert.equal(r.status, 400);
    assert.equal(flowCode(r), "1403-400");
    assert.match(r.json.errorMessage, /If-Match/);
  });

  it("accepts the etag without its quotes by default, as the French tutorial sends it", async () => {
    const r = await api.patch(id, rename(), etag.slice(1, -1));
    assert.equal(r.status, 200, r.text);
  });

  it("answers 412 to an unquoted etag under strict If-Match, saying the quotes are missing", async () => {
    await api.control("POST", "/config", { strictIfMatch: true });
    const r = await api.patch(id, rename(), etag.slice(1, -1));
    assert.equal(r.status, 412);
    assert.match(r.json.errorMessage, /quotes/);
    assert.equal((await api.patch(id, rename(), etag)).status, 200, "the exact quoted etag still works");
  });

  it("runs strict If-Match when started with strictIfMatch (the --strict-if-match flag)", async () => {
    const strict = await startEmulator({ strictIfMatch: true });
    try {
      const s = new EmulatorApi(strict.url);
      const c = await s.createSalesforce();
      assert.equal((await s.patch(c.id, rename(), c.etag.slice(1, -1))).status, 412);
      assert.equal((await s.control("GET", "/config")).json.strictIfMatch, true);
    } finally {
      await strict.close();
    }
  });

  for (const op of ["move", "copy", "test", "MOVE"]) {
    it(`answers 400 with code 1434 for the unsupported op '${op}'`, async () => {
      const r = await api.patch(id, [{ op, from: "/name", path: "/description", value: "x" }], etag);
      assert.equal(r.status, 400);
      assert.equal(flowCode(r), "1434-400");
      assert.match(r.json.errorMessage, new RegExp(`'${op}'`));
    });
  }

  it("accepts op names in upper or mixed case, as S1 spells them", async () => {
    const r = await api.patch(
      id,
      [
        { op: "REPLACE", path: "/name", value: "upper" },
        { op: "Add", path: "/description", value: "mixed" },
      ],
      etag,
    );
    assert.equal(r.status, 200, r.text);
    const c = await api.connection(id);
    assert.equal(c.name, "upper");
    assert.equal(c.description, "mixed");
  });

  for (const path of ["/connectionSpec", "/connectionSpec/id", "/connectionSpec/version"]) {
    it(`answers 400 with code 1414 for a patch of ${path}`, async () => {
      const r = await api.patch(id, [{ op: "replace", path, value: "x" }], etag);
      assert.equal(r.status, 400);
      assert.equal(flowCode(r), "1414-400");
    });
  }

  for (const path of ["/state", "/id", "/etag", "/auth", "/auth/specName", "/auth/params/password/x", "", "name"]) {
    it(`answers 400 with code 1455 for the path '${path}', which cannot be patched`, async () => {
      const r = await api.patch(id, [{ op: "replace", path, value: "x" }], etag);
      assert.equal(r.status, 400);
      assert.equal(flowCode(r), "1455-400");
    });
  }

  it("answers 400 with code 1405 for an empty array or an empty body", async () => {
    assert.equal(flowCode(await api.patch(id, [], etag)), "1405-400");
    const empty = await api.call("PATCH", `/connections/${id}`, {
      raw: "",
      headers: { "If-Match": etag, "Content-Type": "application/json" },
    });
    assert.equal(empty.status, 400);
    assert.equal(flowCode(empty), "1405-400");
  });

  it("answers 1455 for a body that is an object rather than an array of operations", async () => {
    const r = await api.patch(id, { op: "replace", path: "/name", value: "x" }, etag);
    assert.equal(flowCode(r), "1455-400");
    assert.match(r.json.errorMessage, /array/);
  });

  it("answers 1455 to replace or remove of an absent member, following RFC 6902", async () => {
    const replaceDescription = await api.patch(id, [{ op: "replace", path: "/description", value: "x" }], etag);
    assert.equal(flowCode(replaceDescription), "1455-400");
    assert.match(replaceDescription.json.errorMessage, /no description/);
    const removeParam = await api.patch(id, [{ op: "remove", path: "/auth/params/apiVersion" }], etag);
    assert.equal(flowCode(removeParam), "1455-400");
    assert.match(removeParam.json.errorMessage, /apiVersion/);
    const replaceParam = await api.patch(id, [{ op: "replace", path: "/auth/params/apiVersion", value: "60.0" }], etag);
    assert.equal(flowCode(replaceParam), "1455-400");
  });

  it("treats add on an existing member as a replace", async () => {
    const r = await api.patch(
      id,
      [
        { op: "add", path: "/name", value: "added" },
        { op: "add", path: "/auth/params/username", value: "new-user" },
      ],
      etag,
    );
    assert.equal(r.status, 200, r.text);
    const c = await api.connection(id);
    assert.equal(c.name, "added");
    assert.equal(c.auth.params.username, "new-user");
  });

  it("removes a description and an optional param", async () => {
    let r = await api.patch(id, [{ op: "add", path: "/description", value: "d" }], etag);
    r = await api.patch(
      id,
      [
        { op: "remove", path: "/description" },
        { op: "remove", path: "/auth/params/environmentUrl" },
      ],
      r.json.etag,
    );
    assert.equal(r.status, 200, r.text);
    const c = await api.connection(id);
    assert.ok(!("description" in c));
    assert.ok(!("environmentUrl" in c.auth.params));
  });

  it("refuses to remove the name (1455): the name is required", async () => {
    const r = await api.patch(id, [{ op: "remove", path: "/name" }], etag);
    assert.equal(flowCode(r), "1455-400");
    assert.match(r.json.errorMessage, /name/);
  });

  it("answers 1455 naming the field when the params fail the auth spec after the patch, and changes nothing", async () => {
    const before = await stored();
    const cases: Array<[unknown[], RegExp]> = [
      [[{ op: "remove", path: "/auth/params/password" }], /"password"/],
      [[{ op: "replace", path: "/auth/params/username", value: 7 }], /auth\.params\.username must be of type string/],
      [[{ op: "add", path: "/auth/params/colour", value: "red" }], /auth\.params\.colour is not a parameter/],
      [
        [{ op: "replace", path: "/auth/params", value: { username: "only-user" } }],
        /"password".*"securityToken"|"securityToken".*"password"/,
      ],
    ];
    for (const [ops, re] of cases) {
      const r = await api.patch(id, ops, etag);
      assert.equal(r.status, 400, JSON.stringify(ops));
      assert.equal(flowCode(r), "1455-400");
      assert.match(r.json.errorMessage, re);
    }
    assert.deepEqual(await stored(), before, "the stored connection is unchanged");
  });

  it("applies none of the ops of a patch that fails on a later op", async () => {
    const before = await stored();
    const r = await api.patch(
      id,
      [
        { op: "replace", path: "/name", value: "should not stick" },
        { op: "replace", path: "/auth/params/password", value: "should-not-stick" },
        { op: "remove", path: "/description" },
      ],
      etag,
    );
    assert.equal(flowCode(r), "1455-400");
    assert.deepEqual(await stored(), before);
  });

  it("unescapes ~1 and ~0 in JSON Pointer keys (RFC 6901)", async () => {
    const slash = await api.patch(id, [{ op: "add", path: "/auth/params/user~1name", value: "x" }], etag);
    assert.equal(flowCode(slash), "1455-400");
    assert.match(slash.json.errorMessage, /auth\.params\.user\/name is not a parameter/);
    const tilde = await api.patch(id, [{ op: "add", path: "/auth/params/a~01", value: "x" }], etag);
    assert.match(tilde.json.errorMessage, /auth\.params\.a~1 is not a parameter/);
    const invalid = await api.patch(id, [{ op: "add", path: "/auth/params/a~2", value: "x" }], etag);
    assert.match(invalid.json.errorMessage, /not a valid JSON Pointer/);
  });

  it("rotates a single secret param through /auth/params/<key>", async () => {
    const r = await api.patch(id, [{ op: "replace", path: "/auth/params/password", value: "rotated-password" }], etag);
    assert.equal(r.status, 200, r.text);
    const s = await stored();
    assert.equal(s.auth.params.password, sha("rotated-password"));
    assert.equal(s.auth.params.securityToken, sha("initial-token"), "the other secret is kept");
  });

  it("accepts the trailing-slash path and Content-Type application/json-patch+json", async () => {
    const r = await api.call("PATCH", `/connections/${id}/`, {
      raw: JSON.stringify(rename("slash")),
      headers: { "If-Match": etag, "Content-Type": "application/json-patch+json" },
    });
    assert.equal(r.status, 200, r.text);
    assert.equal((await api.connection(id)).name, "slash");
  });

  it("answers 415 to a PATCH body sent as text/plain", async () => {
    const r = await api.call("PATCH", `/connections/${id}`, {
      raw: JSON.stringify(rename()),
      headers: { "If-Match": etag, "Content-Type": "text/plain" },
    });
    assert.equal(r.status, 415);
  });

  it("answers 1416 when the connection's state is not enabled, disabled or initializing", async () => {
    await api.control("POST", `/connections/${id}/flags`, { state: "draft" });
    const r = await api.patch(id, rename(), etag);
    assert.equal(flowCode(r), "1416-400");
    for (const state of ["disabled", "initializing"]) {
      await api.control("POST", `/connections/${id}/flags`, { state });
      const ok = await api.patch(id, rename(state), (await api.connection(id)).etag);
      assert.equal(ok.status, 200, `${state}: ${ok.text}`);
    }
  });

  it("answers 404 FLOW-1101-404 to a PATCH of an unknown id", async () => {
    const r = await api.patch("00000000-0000-4000-8000-000000000000", rename(), etag);
    assert.equal(flowCode(r), "1101-404");
  });

  it("lets exactly 1 of 50 concurrent PATCHes with the same etag win; 49 get 412 and the winner's state remains", async () => {
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => api.patch(id, [{ op: "replace", path: "/name", value: `writer-${i}` }], etag)),
    );
    const winners = replies.map((r, i) => ({ r, i })).filter(({ r }) => r.status === 200);
    const losers = replies.filter((r) => r.status === 412);
    assert.equal(winners.length, 1, replies.map((r) => r.status).join(","));
    assert.equal(losers.length, 49);
    assert.ok(losers.every((r) => flowCode(r) === "1404-412"));
    const c = await api.connection(id);
    assert.equal(c.name, `writer-${winners[0].i}`);
    assert.equal(c.etag, winners[0].r.json.etag);
  });
});
