// Messages a user reads when something is wrong, through the provider's methods against the
// emulator: each names what to fix, on the request that failed.
import assert from "node:assert";
import net from "node:net";
import type { RunningEmulator } from "../../emulator/main";
import { configure, provider } from "../../provider/dynamicProvider";
import { DEMO } from "../../tools/demo";
import { flowConfig } from "../../tools/pulumiCli";
import { SALESFORCE, useEmulator } from "../helpers/emulatorApi";

const INPUTS = {
  name: "CRM",
  connectionSpec: { id: SALESFORCE, version: "1.0" },
  auth: {
    specName: "Basic Authentication",
    params: { environmentUrl: "login.salesforce.com", username: "u", password: "pw-messages-1", securityToken: "tok-123456" },
  },
  secretKeys: ["password", "securityToken"],
};

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function createError(config: Record<string, string>): Promise<Error> {
  configure((k) => config[k], {});
  const checked = await provider.check!({}, INPUTS);
  assert.deepStrictEqual(checked.failures ?? [], []);
  try {
    await provider.create!(checked.inputs);
  } catch (e) {
    return e as Error;
  }
  assert.fail("create succeeded");
}

describe("messages: what the user fixes, on the request that failed", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  useEmulator((e) => {
    emu = e;
  });

  it("a dynamic resource's check failure on a nested path goes to the engine led by the path, not as a property it would print as {<nil>}", async () => {
    configure((k) => flowConfig(emu.url, DEMO)[k], {});
    const r = await provider.check!({}, { ...INPUTS, auth: { ...INPUTS.auth, params: { ...INPUTS.auth.params, port: { nested: 1 } } } });
    assert.deepStrictEqual(
      (r.failures ?? []).map((f) => [f.property, f.reason.split(":")[0]]),
      [["", "auth.params.port"]],
    );
    assert.match(
      r.failures?.[0].reason ?? "",
      /each auth param must be a string, number or boolean \(to keep one secret, mark it secret in the program/,
    );
  });

  it("a 403 403025 (Profile is not valid) names flowservice:orgId", async () => {
    const e = await createError(flowConfig(emu.url, DEMO, { "flowservice:orgId": "00000000WRONG@AdobeOrg" }));
    assert.match(e.message, /HTTP 403 403025/);
    assert.match(e.message, /Profile is not valid/);
    assert.match(e.message, /check that flowservice:orgId, or AEP_ORG_ID, is the organization of the client id/);
  });

  it("an unreachable Flow Service endpoint is reported on the request that failed (the duplicate check's listing, or the POST without it), which created nothing, with the setting to check", async () => {
    const port = await closedPort();
    const endpoint = `http://127.0.0.1:${port}/data/foundation/flowservice`;
    const e = await createError(flowConfig(emu.url, DEMO, { "flowservice:endpoint": endpoint, "flowservice:maxRetries": "0" }));
    assert.match(e.message, /^GET \/data\/foundation\/flowservice\/connections: ECONNREFUSED/);
    assert.match(e.message, /no connection was created: check flowservice:endpoint \(or AEP_FLOW_ENDPOINT\)/);
    assert.doesNotMatch(e.message, /search|POST/, "no POST was sent and no search was needed: none is reported");
    // Without the duplicate check, the first request is the POST, and the same words name it.
    const post = await createError(
      flowConfig(emu.url, DEMO, {
        "flowservice:endpoint": endpoint,
        "flowservice:maxRetries": "0",
        "flowservice:duplicateCheckMinutes": "0",
      }),
    );
    assert.match(post.message, /^POST \/data\/foundation\/flowservice\/connections: ECONNREFUSED/);
    assert.match(post.message, /no connection was created: check flowservice:endpoint \(or AEP_FLOW_ENDPOINT\)/);
    assert.doesNotMatch(post.message, /GET|search/, "no search was needed, and none is reported");
  });
});
