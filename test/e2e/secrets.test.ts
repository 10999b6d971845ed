// Nothing leaked: every secret value a run uses — param values, the client secret, and every access
// token the emulator issued (read from its control route) — is searched for in everything the runs
// leave behind: CLI output, error messages, preview --json, stack export, the state backend's files,
// every file under the workspace (PULUMI_HOME included), the serialized provider, and the engine's
// own logs (--logtostderr -v=9 --logflow).
//
// Measured (Pulumi 3.248): at -v=9 the ENGINE and the Node.js SDK trace RPC payloads with decrypted
// secret values ("Marshaling property for RPC…", "Unmarshaling property for RPC…", "Planner decided
// to…", "RegisterResource RPC finished…"). That is Pulumi's behaviour, outside this provider: the
// test requires zero hits at default verbosity, and at -v=9 requires that every hit is one of those
// engine/SDK trace lines (none from the provider) and that no token appears at all.
import assert from "node:assert";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { SALESFORCE } from "../../tools/demo";
import { EmulatorProcess, startEmulatorProcess } from "../../tools/emulatorProcess";
import { recordCase } from "../../tools/reliabilityReport";
import { EmulatorControl } from "../helpers/emulatorControl";
import { ConnectionDecl, DEMO, ensureEngine, TestStack } from "./harness";

const AZURE = "4c10e202-c428-4796-9208-5f1f5732b1cf";
const TEST = "test/e2e/secrets.test.ts";
const tag = randomBytes(4).toString("hex");
const ENGINE_TRACE =
  /"msg":"(Marshaling property for RPC|Unmarshaling property for RPC|Planner decided (not )?to |(eventSink::Debug\(<\{%reset%\}>)?RegisterResource RPC finished)/;

describe("secrets through the real engine: zero hits anywhere a run leaves output", function () {
  this.timeout(180_000);
  let emulator: EmulatorProcess;
  let control: EmulatorControl;
  let stack: TestStack;
  const secrets = new Set<string>([DEMO.clientSecret]);
  const outputs: string[] = [];

  const program = (version: number): ConnectionDecl[] => {
    const decls: ConnectionDecl[] = [
      {
        resourceName: "salesforce",
        name: "Salesforce",
        connectionSpec: { id: SALESFORCE, version: "1.0" },
        auth: {
          specName: "Basic Authentication",
          params: { username: "sf", password: { secret: `sf-pass-${tag}-v${version}` }, securityToken: { secret: `sf-tok-${tag}` } },
        },
      },
      {
        // Secret by the connector's catalog alone: the program does not wrap it.
        resourceName: "azure",
        name: "Azure",
        connectionSpec: { id: AZURE, version: "1.0" },
        auth: {
          specName: "ConnectionString",
          params: { connectionString: `DefaultEndpointsProtocol=https;AccountKey=az-${tag}-v${version}` },
        },
      },
    ];
    secrets.add(`sf-pass-${tag}-v${version}`).add(`sf-tok-${tag}`).add(`DefaultEndpointsProtocol=https;AccountKey=az-${tag}-v${version}`);
    return decls;
  };

  async function issuedTokens(): Promise<string[]> {
    return ((await control.control("GET", "/tokens")) as { items: Array<{ token: string }> }).items.map((t) => t.token);
  }

  /** Every file under the stack's workspace (state backend, PULUMI_HOME, program folder) except the program's own input. */
  function workspaceFiles(): string {
    const parts: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isSymbolicLink() || e.name === "program.json") continue; // node_modules link; the program's input
        if (e.isDirectory()) walk(p);
        else if (fs.statSync(p).size < 50_000_000) parts.push(fs.readFileSync(p, "latin1"));
      }
    };
    walk(stack.ws.root);
    return parts.join("\n");
  }

  before(async function () {
    this.timeout(45 * 60_000);
    ensureEngine();
    emulator = await startEmulatorProcess();
    control = new EmulatorControl(emulator.url);
    stack = new TestStack("secrets");
    await stack.init(emulator.url);
  });
  after(async () => {
    await emulator?.stop();
    stack?.cleanup();
  });

  it("leaks nothing at default verbosity: create, preview, rotate, outputs, export, state, workspace files, __provider", async () => {
    stack.setProgram(program(1));
    const previewJson = await stack.ok(["preview", "--json"]);
    const up1 = await stack.ok(["up", "--yes", "--skip-preview", "--logflow"]);
    stack.setProgram(program(2));
    const diff = await stack.ok(["preview", "--diff"]);
    const up2 = await stack.ok(["up", "--yes", "--skip-preview"]);
    const out = await stack.ok(["stack", "output", "--json"]);
    const exported = await stack.ok(["stack", "export"]);
    const providers = new Set<string>(
      JSON.parse(exported.stdout)
        .deployment.resources.filter((r: any) => r.inputs?.__provider)
        .map((r: any) => r.inputs.__provider),
    );
    assert.strictEqual(providers.size, 1, "one serialized provider, the same for every resource");
    outputs.push(
      previewJson.stdout,
      up1.stdout,
      up1.stderr,
      diff.stdout,
      up2.stdout,
      up2.stderr,
      out.stdout,
      exported.stdout,
      ...providers,
    );
    const tokens = await issuedTokens();
    assert.ok(tokens.length >= 2, "the runs used tokens the scan can look for");
    const everything = [...outputs, ...stack.transcript, stack.stateFiles(), workspaceFiles()].join("\n");
    const hits = [...secrets, ...tokens].filter((s) => everything.includes(s));
    recordCase({
      area: "secrets",
      case: `default verbosity: preview --json, preview --diff, up (x2, one with --logflow), stack output, stack export, state files, every workspace file, __provider — scanned for ${secrets.size} secret values + ${tokens.length} issued tokens`,
      via: "engine",
      outcome: hits.length === 0 ? "zero hits" : `${hits.length} values found`,
      lost: 0,
      duplicated: 0,
      secretsLeaked: hits.length,
      test: TEST,
    });
    assert.deepStrictEqual(
      hits.map((h) => h.slice(0, 6) + "…"),
      [],
    );
    assert.match(diff.stdout, /\[secret\]/);
  });

  it("redacts the secret values an API error echoes back before they reach the user, even another resource's", async () => {
    stack.setProgram(program(3));
    const echoed = `sf-pass-${tag}-v3`;
    const azureValue = `DefaultEndpointsProtocol=https;AccountKey=az-${tag}-v3`;
    const ids = await stack.connections();
    // Both rotations are refused; the azure one echoes its own value and the salesforce password.
    await control.addFault({
      action: "respond",
      method: "PATCH",
      path: `/connections/${ids.azure.id}`,
      status: 400,
      delayMs: 500, // the salesforce PATCH (its password known to the process) goes first
      body: { errorMessage: "Invalid params", errorDetails: `connectionString=${azureValue}; also saw password=${echoed}` },
    });
    await control.addFault({
      action: "respond",
      method: "PATCH",
      path: `/connections/${ids.salesforce.id}`,
      status: 400,
      body: {
        type: "https://ns.adobe.com/aep/errors/FLOW-1455-400",
        title: "Validation failed",
        status: 400,
        report: { "detailed-message": `The value '${echoed}' of /auth/params/password is not accepted`, "request-id": "req-echo" },
        errorDetails: JSON.stringify([{ op: "replace", path: "/auth/params/password", value: echoed }]),
      },
    });
    const r = await stack.run(["up", "--yes", "--skip-preview"]);
    assert.notStrictEqual(r.code, 0);
    const text = r.stdout + r.stderr;
    assert.match(text, /HTTP 400 FLOW-1455-400 Validation failed: The value '\[secret\]' of \/auth\/params\/password is not accepted/);
    assert.match(text, /HTTP 400: Invalid params — connectionString=\[secret\]; also saw password=\[secret\]/);
    const hits = [...secrets, ...(await issuedTokens())].filter((s) => text.includes(s) || stack.stateFiles().includes(s));
    recordCase({
      area: "secrets",
      case: "API 400 whose body echoes the secret sent, and another resource's (through the engine)",
      via: "engine",
      outcome: "up failed with the Flow Service errors, every value shown as [secret]",
      lost: 0,
      duplicated: 0,
      secretsLeaked: hits.length,
      test: TEST,
    });
    assert.deepStrictEqual(
      hits.map((h) => h.slice(0, 6) + "…"),
      [],
    );
    await control.clearFaults();
  });

  it("at -v=9 --logtostderr --logflow, finds secrets only in the engine's own RPC traces, and no token at all", async () => {
    stack.setProgram(program(4));
    const r = await stack.ok(["up", "--yes", "--skip-preview", "--logtostderr", "-v=9", "--logflow"]);
    const tokens = await issuedTokens();
    const lines = (r.stdout + "\n" + r.stderr).split("\n");
    const secretLines = lines.filter((l) => [...secrets].some((s) => l.includes(s)));
    const notEngine = secretLines.filter((l) => !ENGINE_TRACE.test(l));
    const tokenHits = tokens.filter((t) => lines.some((l) => l.includes(t)));
    recordCase({
      area: "secrets",
      case: "up with --logtostderr -v=9 --logflow (engine debug logging)",
      via: "engine",
      outcome:
        `${secretLines.length} log lines hold a decrypted secret, all written by Pulumi itself (engine RPC/planner traces, SDK RegisterResource debug): Pulumi's behaviour at -v=9, not the provider's; ` +
        `${notEngine.length} lines from anything else; ${tokenHits.length} tokens`,
      lost: 0,
      duplicated: 0,
      secretsLeaked: notEngine.length + tokenHits.length,
      test: TEST,
    });
    assert.ok(lines.length > 300 && secretLines.length > 0, `verbose logging was on (${lines.length} lines)`);
    assert.deepStrictEqual(
      notEngine.map((l) => l.slice(0, 200)),
      [],
      "no secret outside Pulumi's own traces",
    );
    assert.deepStrictEqual(
      tokenHits.map((t) => t.slice(0, 8)),
      [],
      "no access token at all",
    );
  });
});
