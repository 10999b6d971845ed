// GET /connections: filters, ordering, pagination, count.
import { strict as assert } from "node:assert";
import { type RunningEmulator, startEmulator } from "../../emulator/main";
import { EmulatorApi, flowCode, useEmulator } from "../helpers/emulatorApi";

const S3 = "ecadc60c-7455-4d87-84dc-2a0e293d997b";

describe("emulator GET /connections (list)", function () {
  let emu: RunningEmulator;
  let api: EmulatorApi;
  let ids: Record<string, string>;

  before(async () => {
    emu = await startEmulator();
    api = new EmulatorApi(emu.url);
    await api.control("POST", "/reset");
    // Five connections created in this order: charlie, alpha, echo, bravo (S3), delta (disabled).
    ids = {};
    for (const name of ["charlie", "alpha", "echo"]) ids[name] = (await api.createSalesforce(name)).id;
    const s3 = await api.call("POST", "/connections", {
      body: {
        name: "bravo",
        connectionSpec: { id: S3 },
        auth: { specName: "Access Key", params: { s3AccessKey: "AK", s3SecretKey: "SK" } },
      },
    });
    ids.bravo = s3.json.id;
    ids.delta = (await api.createSalesforce("delta")).id;
    await api.control("POST", `/connections/${ids.delta}/flags`, { state: "disabled" });
  });
  after(() => emu.close());

  const q = (s: string) => s.replace(/[^&=]+/g, (part) => encodeURIComponent(decodeURIComponent(part)));
  const names = async (query: string) => {
    const r = await api.get(`/connections${query ? "?" + q(query) : ""}`);
    assert.equal(r.status, 200, r.text);
    return r.json.items.map((c: any) => c.name);
  };

  it("lists newest first by default", async () => {
    assert.deepEqual(await names(""), ["delta", "bravo", "echo", "alpha", "charlie"]);
  });

  it("orders by orderby=name ascending, +name ascending and -name descending", async () => {
    assert.deepEqual(await names("orderby=name"), ["alpha", "bravo", "charlie", "delta", "echo"]);
    assert.deepEqual(await names("orderby=+name"), ["alpha", "bravo", "charlie", "delta", "echo"]);
    const raw = await api.get("/connections?orderby=+name"); // an unencoded "+" decodes to a space
    assert.deepEqual(
      raw.json.items.map((c: any) => c.name),
      ["alpha", "bravo", "charlie", "delta", "echo"],
    );
    assert.deepEqual(await names("orderby=-name"), ["echo", "delta", "charlie", "bravo", "alpha"]);
    assert.deepEqual(await names("orderby=createdAt"), ["charlie", "alpha", "echo", "bravo", "delta"]);
  });

  it("filters with ==, any-of commas, != and combines several property params with AND", async () => {
    assert.deepEqual(await names("property=name==alpha"), ["alpha"]);
    assert.deepEqual(await names("property=name==alpha,echo,nobody&orderby=name"), ["alpha", "echo"]);
    assert.deepEqual(await names("property=name!=alpha,echo&orderby=name"), ["bravo", "charlie", "delta"]);
    assert.deepEqual(await names("property=state==disabled"), ["delta"]);
    assert.deepEqual(await names(`property=connectionSpec.id==${S3}`), ["bravo"]);
    assert.deepEqual(await names(`property=state==enabled&property=connectionSpec.id==${S3},x`), ["bravo"]);
    assert.deepEqual(await names(`property=id==${ids.echo},${ids.alpha}&orderby=name`), ["alpha", "echo"]);
  });

  it("filters createdAt with comparison operators", async () => {
    const all = (await api.get("/connections?orderby=createdAt")).json.items;
    const pivot = all[2].createdAt; // echo's
    const later = await names(`property=createdAt>=${pivot}&orderby=createdAt`);
    assert.ok(later.includes("echo") && !later.includes("charlie"), later.join());
    assert.deepEqual(await names(`property=createdAt<0`), []);
    assert.equal((await names(`property=createdAt>0`)).length, 5);
  });

  it("refuses range filters with 1453 while refuseRangeFilters is set, and applies them again once it is cleared", async () => {
    await api.control("POST", "/config", { refuseRangeFilters: true });
    try {
      for (const expr of ["createdAt>=1", "createdAt>1", "updatedAt<=99999999999999", "createdAt<5"]) {
        const r = await api.get(`/connections?${q(`property=${expr}`)}`);
        assert.equal(r.status, 400, expr);
        assert.equal(flowCode(r), "1453-400", expr);
        assert.match(r.json.errorMessage, /Invalid query value .* provided in query param/);
      }
      assert.deepEqual(await names("property=name==alpha"), ["alpha"], "equality filters still work");
    } finally {
      await api.control("POST", "/config", { refuseRangeFilters: false });
    }
    assert.equal((await names("property=createdAt>0")).length, 5);
  });

  it("answers 1449 for an unknown filter field, 1440 for ~, 1448 for > on a string, 1452 for a bad number, 1453 for a malformed filter", async () => {
    const code = async (query: string) => flowCode(await api.get(`/connections?${q(query)}`));
    assert.equal(await code("property=colour==red"), "1449-400");
    assert.equal(await code("property=auth.params.password==x"), "1449-400", "secrets are not filterable");
    assert.equal(await code("property=name~alp"), "1440-400");
    assert.equal(await code("property=name>a"), "1448-400");
    assert.equal(await code("property=createdAt>=yesterday"), "1452-400");
    assert.equal(await code("property=createdAt>=1,2"), "1443-400");
    assert.equal(await code("property=name"), "1453-400");
    assert.equal(await code("property=name=="), "1453-400");
  });

  it("answers 1433 for an unsortable orderby field and 1451 for an unknown query parameter", async () => {
    assert.equal(flowCode(await api.get("/connections?orderby=colour")), "1433-400");
    assert.equal(flowCode(await api.get("/connections?orderBy=name")), "1451-400");
  });

  it("pages with limit and _links.next.href until every item has been seen once, in order", async () => {
    const expected = await names("orderby=name");
    const seen: string[] = [];
    let href: string | undefined = "/connections?orderby=name&limit=2";
    let pages = 0;
    while (href) {
      const r = await api.get(href);
      assert.equal(r.status, 200, r.text);
      assert.ok(r.json.items.length <= 2);
      seen.push(...r.json.items.map((c: any) => c.name));
      href = r.json._links?.next?.href;
      if (href) {
        assert.match(href, /^\/connections\?/, "relative to the Flow Service base, like S1's PageLink");
        assert.match(href, /orderby=name/);
        assert.match(href, /limit=2/);
        assert.match(href, /continuationToken=/);
      }
      pages++;
    }
    assert.equal(pages, 3);
    assert.deepEqual(seen, expected);
  });

  it("pages like aepp: follows next.href and re-sends its own limit and property, the same filter arriving twice", async () => {
    // aepp's getConnections: GET /connections with params, then GET base + next.href with the same params appended.
    const params = new URLSearchParams({ limit: "1", property: "state==enabled" });
    const seen: string[] = [];
    let r = await api.get(`/connections?${params}`);
    for (;;) {
      assert.equal(r.status, 200, r.text);
      seen.push(...r.json.items.map((c: any) => c.name));
      const href: string | undefined = r.json._links?.next?.href;
      if (!href) break;
      r = await api.get(`${href}&${params}`);
    }
    assert.deepEqual(seen, ["bravo", "echo", "alpha", "charlie"], "every enabled connection once, newest first");
  });

  it("still refuses a continuation token when the repeated query is a different one (1451)", async () => {
    const first = await api.get(`/connections?${q("limit=1&property=state==enabled")}`);
    const href: string = first.json._links.next.href;
    const otherFilter = await api.get(`${href}&${q("property=name==alpha")}`);
    assert.equal(flowCode(otherFilter), "1451-400", "an extra, different filter is another query");
    const otherOrder = await api.get(`${href}&orderby=name`);
    assert.equal(flowCode(otherOrder), "1451-400", "another order is another query");
    const twoLimits = await api.get(`${href}&limit=2`);
    assert.equal(flowCode(twoLimits), "1451-400");
    assert.match(twoLimits.json.errorMessage, /limit is given several times with different values/);
  });

  it("keeps pages consistent when a connection is created between two pages", async () => {
    const first = await api.get("/connections?limit=2"); // newest first
    const created = await api.createSalesforce("zulu-between-pages");
    try {
      const rest: string[] = [];
      let href: string | undefined = first.json._links.next.href;
      while (href) {
        const r = await api.get(href);
        rest.push(...r.json.items.map((c: any) => c.name));
        href = r.json._links?.next?.href;
      }
      const all = [...first.json.items.map((c: any) => c.name), ...rest];
      assert.deepEqual(all, ["delta", "bravo", "echo", "alpha", "charlie"]);
    } finally {
      await api.call("DELETE", `/connections/${created.id}`);
    }
  });

  it("omits _links when everything fits on one page", async () => {
    const r = await api.get("/connections?limit=5");
    assert.equal(r.json.items.length, 5);
    assert.equal(r.json._links, undefined);
  });

  it("refuses a continuationToken used with a different query (1451) or a malformed one", async () => {
    const first = await api.get("/connections?orderby=name&limit=2");
    const token = new URLSearchParams(first.json._links.next.href.split("?")[1]).get("continuationToken");
    assert.ok(token);
    assert.equal(flowCode(await api.get(`/connections?orderby=-name&limit=2&continuationToken=${token}`)), "1451-400");
    assert.equal(flowCode(await api.get(`/connections?continuationToken=garbage`)), "1451-400");
  });

  it("counts with count=true, honouring filters", async () => {
    assert.deepEqual((await api.get("/connections?count=true")).json, { count: 5 });
    assert.deepEqual((await api.get(`/connections?count=true&${q("property=state==enabled")}`)).json, { count: 4 });
  });

  it("answers 400 with code 1401 when limit and count are given together", async () => {
    const r = await api.get("/connections?count=true&limit=10");
    assert.equal(r.status, 400);
    assert.equal(flowCode(r), "1401-400");
  });

  it("refuses a limit above 100, zero or not a number with 1451", async () => {
    for (const limit of ["101", "0", "ten", "-1"]) {
      const r = await api.get(`/connections?limit=${limit}`);
      assert.equal(r.status, 400, limit);
      assert.equal(flowCode(r), "1451-400");
    }
    assert.equal((await api.get("/connections?limit=100")).status, 200);
  });
});

describe("emulator GET /connections default page size", function () {
  let emu: RunningEmulator;
  let api: EmulatorApi;
  useEmulator((e, a) => ([emu, api] = [e, a]), { reset: false });

  it("returns at most 100 items per page without limit, with a next link for the rest", async () => {
    await Promise.all(Array.from({ length: 105 }, (_, i) => api.createSalesforce(`bulk-${i}`)));
    const first = await api.get("/connections");
    assert.equal(first.json.items.length, 100);
    assert.ok(first.json._links?.next?.href);
    const second = await api.get(first.json._links.next.href);
    assert.equal(second.json.items.length, 5);
    assert.equal(second.json._links, undefined);
    const allIds = new Set([...first.json.items, ...second.json.items].map((c: any) => c.id));
    assert.equal(allIds.size, 105);
  });
});
