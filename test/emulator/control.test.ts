// The /__emulator control routes: reset, request log, stats, faults, rate limit, edits and flags.
import { strict as assert } from "node:assert";
import { type RunningEmulator } from "../../emulator/main";
import { BASE, EmulatorApi, flowCode, useEmulator } from "../helpers/emulatorApi";

describe("emulator control routes", function () {
  let emu: RunningEmulator;
  let api: EmulatorApi;
  useEmulator((e, a) => ([emu, api] = [e, a]));

  const count = async () => (await api.get("/connections?count=true")).json.count as number;

  describe("reset, request log and stats", function () {
    it("resets connections, log, faults, rate limit, stats and config but keeps tokens valid", async () => {
      await api.createSalesforce();
      await api.control("POST", "/faults", { action: "respond", path: "/nothing-matches-this" });
      await api.control("POST", "/rate-limit", { perSecond: 1000 });
      await api.control("POST", "/config", { strictIfMatch: true });
      const r = await api.control("POST", "/reset");
      assert.deepEqual(r.json, { ok: true });
      assert.deepEqual((await api.control("GET", "/requests")).json.items, []);
      assert.deepEqual((await api.control("GET", "/faults")).json.items, []);
      assert.equal((await api.control("GET", "/config")).json.strictIfMatch, false);
      assert.equal(await count(), 0, "connections cleared; the cached token still works");
      assert.equal((await api.control("GET", "/stats")).json.list, 1);
    });

    it("logs every API and IMS request in arrival order, with status and request id, but not control routes", async () => {
      api.forgetToken();
      const { id } = await api.createSalesforce("logged");
      await api.get(`/connections/${id}?x=1`, { headers: { "x-request-id": "log-me" } });
      await api.control("GET", "/stats");
      const items = (await api.control("GET", "/requests")).json.items;
      assert.deepEqual(
        items.map((e: any) => `${e.method} ${e.path} ${e.status}`),
        ["POST /ims/token/v3 200", `POST ${BASE}/connections 201`, `GET ${BASE}/connections/${id} 200`],
      );
      assert.deepEqual(
        items.map((e: any) => e.seq),
        [...items.map((e: any) => e.seq)].sort((a: number, b: number) => a - b),
      );
      const get = items[2];
      assert.equal(get.requestId, "log-me");
      assert.equal(get.query, "x=1");
      assert.equal(get.headers["x-sandbox-name"], "prod");
      assert.equal(get.body, null);
      assert.equal(items[1].body.name, "logged");
      assert.ok(!Number.isNaN(Date.parse(get.time)));
    });

    it("returns only newer entries with ?since=SEQ and forgets everything on DELETE", async () => {
      await api.get("/connections");
      const first = (await api.control("GET", "/requests")).json.items;
      const last = first[first.length - 1].seq;
      await api.get("/connectionSpecs");
      const newer = (await api.control("GET", `/requests?since=${last}`)).json.items;
      assert.equal(newer.length, 1);
      assert.equal(newer[0].path, `${BASE}/connectionSpecs`);
      await api.control("DELETE", "/requests");
      assert.deepEqual((await api.control("GET", "/requests")).json.items, []);
    });

    it("counts requests per route kind since the last reset", async () => {
      api.forgetToken();
      const { id, etag } = await api.createSalesforce();
      await api.get(`/connections/${id}`);
      await api.get("/connections");
      await api.get("/connections");
      await api.patch(id, [{ op: "replace", path: "/name", value: "n" }], etag);
      await api.get(`/connections/${id}/test`);
      await api.call("DELETE", `/connections/${id}`);
      await api.get("/connectionSpecs");
      await api.get("/nowhere");
      const stats = (await api.control("GET", "/stats")).json;
      assert.deepEqual(stats, {
        token: 1,
        specs: 1,
        list: 2,
        get: 1,
        post: 1,
        patch: 1,
        delete: 1,
        test: 1,
        action: 0,
        unknown: 1,
        total: 10,
      });
    });
  });

  describe("faults", function () {
    it("answers a 'respond' fault with its status, JSON body and headers, without touching state", async () => {
      const added = await api.control("POST", "/faults", {
        method: "POST",
        path: "/connections",
        action: "respond",
        status: 503,
        body: { error_code: "503000", message: "Service Unavailable" },
        headers: { "Retry-After": "1" },
      });
      assert.equal(added.status, 200);
      assert.match(added.json.id, /^[0-9a-f-]{36}$/);
      const r = await api.call("POST", "/connections", { body: { name: "x" } });
      assert.equal(r.status, 503);
      assert.deepEqual(r.json, { error_code: "503000", message: "Service Unavailable" });
      assert.equal(r.headers.get("retry-after"), "1");
      assert.ok(r.headers.get("x-request-id"));
      assert.equal(await count(), 0);
      const again = await api.createSalesforce(); // times defaults to 1
      assert.ok(again.id);
      const log = (await api.control("GET", "/requests")).json.items;
      assert.deepEqual(log.find((e: any) => e.status === 503).fault, { id: added.json.id, action: "respond" });
    });

    it("sends a string body starting with '<' as text/html, like a proxy's error page", async () => {
      await api.control("POST", "/faults", { action: "respond", status: 502, body: "<html><body>Bad Gateway</body></html>" });
      const r = await api.get("/connections");
      assert.equal(r.status, 502);
      assert.match(r.headers.get("content-type") ?? "", /^text\/html/);
      assert.equal(r.text, "<html><body>Bad Gateway</body></html>");
    });

    it("resets the connection without a reply on 'drop', leaving state unchanged", async () => {
      await api.control("POST", "/faults", { method: "POST", path: "/connections", action: "drop" });
      await assert.rejects(api.createSalesforce());
      assert.equal(await count(), 0);
      const log = (await api.control("GET", "/requests")).json.items.find(
        (e: any) => e.method === "POST" && e.path.endsWith("/connections"),
      );
      assert.equal(log.dropped, true);
      assert.equal(log.status, null);
    });

    it("applies the request and then drops the connection on 'apply-then-drop'", async () => {
      await api.control("POST", "/faults", { method: "POST", action: "apply-then-drop", path: "/connections" });
      await assert.rejects(api.createSalesforce("applied"));
      const list = await api.get("/connections");
      assert.deepEqual(
        list.json.items.map((c: any) => c.name),
        ["applied"],
        "the create happened although the client saw an error",
      );
      const log = (await api.control("GET", "/requests")).json.items.find(
        (e: any) => e.method === "POST" && e.path.endsWith("/connections"),
      );
      assert.equal(log.status, 201);
      assert.equal(log.dropped, true);
    });

    it("waits delayMs and then applies on 'delay-then-apply'", async () => {
      await api.control("POST", "/faults", { method: "GET", path: "/connections", action: "delay-then-apply", delayMs: 300 });
      const t0 = Date.now();
      const r = await api.get("/connections");
      assert.equal(r.status, 200);
      assert.ok(Date.now() - t0 >= 290, `took ${Date.now() - t0} ms`);
      const t1 = Date.now();
      await api.get("/connections");
      assert.ok(Date.now() - t1 < 250, "used up after one request");
    });

    it("matches faults by method and by a /regex/ path, consumes them in order and counts times", async () => {
      await api.control("POST", "/faults", { method: "PATCH", action: "respond", status: 500, times: 2 });
      await api.control("POST", "/faults", { path: "/^\\/connections\\/[^/]+$/", action: "respond", status: 504 });
      await api.control("POST", "/faults", { path: "/^\\/connections\\/[^/]+$/", action: "respond", status: 502 });
      const { id, etag } = await api.createSalesforce();
      assert.equal((await api.get("/connections")).status, 200, "the regex does not match the collection");
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await api.patch(id, [{ op: "replace", path: "/name", value: "n" }], etag)).status);
      assert.deepEqual(statuses, [500, 500, 504]);
      const remaining = (await api.control("GET", "/faults")).json.items;
      assert.equal(remaining.length, 1);
      assert.equal(remaining[0].status, 502);
      assert.equal(remaining[0].remaining, 1);
      assert.deepEqual((await api.control("DELETE", "/faults")).json, { ok: true, cleared: 1 });
      assert.equal((await api.get(`/connections/${id}`)).status, 200);
    });

    it("can fault the IMS token endpoint", async () => {
      await api.control("POST", "/faults", { path: "/ims/token/v3", action: "respond", status: 500, body: { error: "server_error" } });
      const r = await api.requestToken();
      assert.equal(r.status, 500);
      assert.equal((await api.requestToken()).status, 200);
    });

    it("rejects an invalid fault with 400 and says why", async () => {
      const r = await api.control("POST", "/faults", { action: "explode" });
      assert.equal(r.status, 400);
      assert.match(r.json.error, /action/);
      const re = await api.control("POST", "/faults", { action: "drop", path: "/(unclosed/" });
      assert.equal(re.status, 400);
    });
  });

  describe("rate limit", function () {
    it("answers 429 with the gateway body and Retry-After above perSecond, and stops when disabled", async () => {
      await api.token();
      const set = await api.control("POST", "/rate-limit", { perSecond: 2, retryAfter: 1 });
      assert.deepEqual(set.json, { perSecond: 2, retryAfter: 1 });
      const replies = await Promise.all(Array.from({ length: 5 }, () => api.get("/connections")));
      const limited = replies.filter((r) => r.status === 429);
      assert.equal(replies.filter((r) => r.status === 200).length, 2);
      assert.equal(limited.length, 3);
      for (const r of limited) {
        assert.deepEqual(r.json, { error_code: "429050", message: "Too many requests" });
        assert.equal(r.headers.get("retry-after"), "1");
      }
      await new Promise((r) => setTimeout(r, 1050));
      assert.equal((await api.get("/connections")).status, 200, "a new window admits requests again");
      await api.control("POST", "/rate-limit", { perSecond: null });
      const after = await Promise.all(Array.from({ length: 5 }, () => api.get("/connections")));
      assert.ok(after.every((r) => r.status === 200));
    });

    it("omits Retry-After when retryAfter is null", async () => {
      await api.token();
      await api.control("POST", "/rate-limit", { perSecond: 1, retryAfter: null });
      const replies = await Promise.all([api.get("/connections"), api.get("/connections")]);
      const limited = replies.find((r) => r.status === 429);
      assert.ok(limited);
      assert.equal(limited.headers.get("retry-after"), null);
    });
  });

  describe("connections", function () {
    it("shows a stored connection in full, with its org, sandbox and emulator flags", async () => {
      const { id } = await api.createSalesforce();
      const r = await api.control("GET", `/connections/${id}`);
      assert.equal(r.status, 200);
      assert.equal(r.json.id, id);
      assert.equal(r.json.sandboxName, "prod");
      assert.match(r.json.auth.params.password, /^sha256:[0-9a-f]{64}$/);
      assert.deepEqual({ ...r.json._emulator, seq: 0 }, { usedByFlows: false, testResult: true, seq: 0 });
      assert.equal((await api.control("GET", "/connections/nope")).status, 404);
      assert.equal((await api.control("GET", "/connections")).json.items.length, 1);
    });

    it("edits like a UI user: updatedBy the user (default ui-user@AdobeID), updatedClient exc_app, a new etag", async () => {
      const { id, etag } = await api.createSalesforce();
      const r = await api.control("POST", `/connections/${id}/edit`, { patch: [{ op: "replace", path: "/name", value: "from the UI" }] });
      assert.equal(r.status, 200);
      assert.equal(r.json.id, id);
      assert.notEqual(r.json.etag, etag);
      const c = await api.connection(id);
      assert.equal(c.name, "from the UI");
      assert.equal(c.updatedBy, "ui-user@AdobeID");
      assert.equal(c.updatedClient, "exc_app");
      assert.equal(c.etag, r.json.etag);
    });

    it("applies the PATCH rules to edits, answering with a problem body", async () => {
      const { id } = await api.createSalesforce();
      const r = await api.control("POST", `/connections/${id}/edit`, { patch: [{ op: "move", from: "/name", path: "/description" }] });
      assert.equal(r.status, 400);
      assert.equal(flowCode(r), "1434-400");
    });

    it("sets flags without changing the etag", async () => {
      const { id, etag } = await api.createSalesforce();
      const r = await api.control("POST", `/connections/${id}/flags`, { usedByFlows: true, testResult: false, state: "disabled" });
      assert.deepEqual(r.json, { id, usedByFlows: true, testResult: false, state: "disabled" });
      const c = await api.connection(id);
      assert.equal(c.state, "disabled");
      assert.equal(c.etag, etag);
      assert.equal((await api.control("POST", `/connections/${id}/flags`, { state: "deleted" })).status, 400);
    });
  });

  it("shows and changes the runtime config", async () => {
    assert.deepEqual((await api.control("GET", "/config")).json, {
      tokenTtlSeconds: 86399,
      strictIfMatch: false,
      defaultSandbox: null,
      refuseRangeFilters: false,
      lenientScheduleIntervals: false,
    });
    const r = await api.control("POST", "/config", { defaultSandbox: "dev", strictIfMatch: true });
    assert.deepEqual(r.json, {
      tokenTtlSeconds: 86399,
      strictIfMatch: true,
      defaultSandbox: "dev",
      refuseRangeFilters: false,
      lenientScheduleIntervals: false,
    });
    const c = await api.createSalesforce();
    const dev = await api.get(`/connections/${c.id}`, { headers: { "x-sandbox-name": undefined } });
    assert.equal(dev.status, 404, "the default sandbox dev does not hold a prod connection");
  });

  it("lists every token it issued, revoked ones too, for secret scans", async () => {
    api.forgetToken();
    const first = (await api.requestToken()).json.access_token;
    const second = (await api.requestToken()).json.access_token;
    await api.control("POST", "/tokens/revoke", { token: first });
    const items = (await api.control("GET", "/tokens")).json.items as Array<{ token: string; live: boolean }>;
    assert.deepEqual(
      items.slice(-2).map((t) => [t.token, t.live]),
      [
        [first, false],
        [second, true],
      ],
    );
  });

  it("counts API requests in flight and the most seen at once, until the max is reset", async () => {
    await api.createSalesforce();
    await api.control("POST", "/faults", { action: "delay-then-apply", delayMs: 200, method: "GET", times: 3 });
    await api.control("DELETE", "/inflight");
    const during = Promise.all([1, 2, 3].map(() => api.get("/connections")));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await api.control("GET", "/inflight")).json.current, 3);
    await during;
    assert.deepEqual((await api.control("GET", "/inflight")).json, { current: 0, max: 3 });
    assert.deepEqual((await api.control("DELETE", "/inflight")).json, { current: 0, max: 0 });
  });

  it("answers 404 with an error for an unknown control route and 400 for a malformed body", async () => {
    const r = await api.control("GET", "/nope");
    assert.equal(r.status, 404);
    assert.match(r.json.error, /no control route/);
    const bad = await fetch(`${emu.url}/__emulator/faults`, { method: "POST", body: "{", headers: { "Content-Type": "application/json" } });
    assert.equal(bad.status, 400);
  });
});
