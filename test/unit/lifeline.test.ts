import assert from "node:assert";
import net from "node:net";
import { dynamicHostEngineAddress, exitWhenEngineGone } from "../../provider/resources/lifeline";

describe("a provider process outlives its engine only until its requests settle", () => {
  it("exits once the engine's port refuses connections and no request is in flight, not before", async () => {
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    let busy = true;
    let exited: number | undefined;
    const stop = exitWhenEngineGone({ engineAddress: `127.0.0.1:${port}`, idle: () => !busy, pollMs: 30, exit: (c) => (exited = c) });
    try {
      await new Promise((r) => setTimeout(r, 200));
      assert.strictEqual(exited, undefined, "the engine is alive");
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise((r) => setTimeout(r, 500));
      assert.strictEqual(exited, undefined, "a request is still in flight");
      busy = false;
      await new Promise((r) => setTimeout(r, 400));
      assert.strictEqual(exited, 0);
    } finally {
      stop();
    }
  });

  it("finds the engine's address only in the dynamic-provider host", () => {
    assert.strictEqual(
      dynamicHostEngineAddress(["node", "/x/@pulumi/pulumi/cmd/dynamic-provider/index.js", "127.0.0.1:4321"]),
      "127.0.0.1:4321",
    );
    assert.strictEqual(dynamicHostEngineAddress(["node", "/x/mocha", "test/unit/x.test.ts"]), undefined);
  });
});
