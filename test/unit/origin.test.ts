// What an object was created under (org, endpoint host) and the rule that follows from it: no
// read, update or delete under another org or endpoint, and no "gone" for state that records none.
import assert from "node:assert";
import { assertGoneIsKnown, assertSameOrigin, currentOrigin, withOrigin } from "../../provider/core/origin";

const here = currentOrigin({ orgId: "A@AdobeOrg", endpoint: "https://platform.adobe.io/data/foundation/flowservice" });

describe("origin: what a resource was created under", () => {
  it("takes the org and the endpoint's host (with its port) from the configuration", () => {
    assert.deepStrictEqual(here, { orgId: "A@AdobeOrg", endpointHost: "platform.adobe.io" });
    assert.strictEqual(currentOrigin({ orgId: "A", endpoint: "http://127.0.0.1:4010/x" }).endpointHost, "127.0.0.1:4010");
  });

  it("stamps outputs with the recorded origin when there is one, else the current one", () => {
    assert.deepStrictEqual(withOrigin({ etag: "1" }, here), { etag: "1", ...here });
    const recorded = { etag: "1", orgId: "B@AdobeOrg", endpointHost: "h" };
    assert.deepStrictEqual(withOrigin(recorded, here), recorded);
  });

  it("refuses a read, update or delete under another org, naming both orgs and saying moving is explicit", () => {
    const outs = { orgId: "B@AdobeOrg", endpointHost: "platform.adobe.io" };
    for (const act of ["read", "update", "delete"] as const) {
      assert.throws(
        () => assertSameOrigin('Connection x ("CRM")', outs, here, act),
        (e: Error & { code?: string }) =>
          e.code === "OTHER_ORIGIN" &&
          /Connection x \("CRM"\) was created under org B@AdobeOrg, but flowservice:orgId is now A@AdobeOrg/.test(e.message) &&
          /Moving is an explicit act/.test(e.message),
      );
    }
  });

  it("refuses another endpoint host, and lets the same origin (or state that records none) through", () => {
    assert.throws(
      () => assertSameOrigin("Dataflow f", { ...here, endpointHost: "platfrom.adobe.io" }, here, "read"),
      /endpoint host platfrom\.adobe\.io/,
    );
    assertSameOrigin("Dataflow f", { ...here }, here, "delete");
    assertSameOrigin("Dataflow f", { etag: "1" }, here, "update");
  });

  it("does not call an object gone when its state (from an earlier release) records no origin", () => {
    assert.throws(
      () => assertGoneIsKnown("Connection x", { etag: "1" }, here),
      (e: Error & { code?: string }) => e.code === "UNCONFIRMED",
    );
    assertGoneIsKnown("Connection x", { etag: "1", ...here }, here);
  });
});
