// `npm start`: the whole story on this machine, with no Adobe account. Starts the emulator, runs
// `pulumi up` on the root Pulumi.yaml program (examples/quickstart) in a throwaway stack, rotates
// the Salesforce password, runs `up` again, shows the PATCH that was sent, and cleans up.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { DEMO, IMS_TOKEN_PATH } from "./demo";
import { startEmulatorProcess } from "./emulatorProcess";
import { ensureEngine, flowConfigArgs, makeWorkspace, REPO, runPulumi, Workspace } from "./pulumiCli";

const say = (s = "") => process.stdout.write(s + "\n");
const step = (n: number, s: string) => say(`\n== ${n}. ${s}`);

async function pulumi(ws: Workspace, configFile: string, args: string[], show: boolean): Promise<string> {
  // Keep the throwaway stack's config file out of the repository.
  const withConfig = ["config", "up", "preview", "refresh", "destroy"].includes(args[0]) ? ["--config-file", configFile] : [];
  let pending = "";
  const r = await runPulumi(ws, REPO, [...args, ...withConfig], {
    onOutput: show
      ? (chunk) => {
          // Whole lines only, without the engine's progress dots ("@ updating....").
          const lines = (pending + chunk).split("\n");
          pending = lines.pop() ?? "";
          for (const line of lines) if (!/^@ /.test(line)) process.stdout.write(indent(line) + "\n");
        }
      : undefined,
  });
  if (r.code !== 0) {
    if (!show) process.stdout.write(indent(r.stdout + r.stderr));
    throw new Error(`'pulumi ${args.join(" ")}' failed (exit ${r.code})`);
  }
  return r.stdout;
}

const indent = (text: string) => text.replace(/^(?=.)/gm, "   | ");

interface LoggedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

async function main(): Promise<void> {
  say("pulumi-flowservice: manage Adobe Experience Platform Flow Service connections with Pulumi.");
  say("This demo runs everything locally: a Flow Service emulator stands in for Adobe, and nothing leaves this machine.");

  step(1, "Pulumi engine");
  const engine = ensureEngine();
  say(`   using ${engine}`);

  step(2, "Starting the Flow Service emulator");
  const emulator = await startEmulatorProcess();
  say(`   listening on ${emulator.url} (demo client id ${DEMO.clientId})`);
  const ws = makeWorkspace("flowservice-start-");
  const configFile = path.join(ws.root, "Pulumi.quickstart.yaml");
  const stack = `quickstart-${randomBytes(3).toString("hex")}`;
  try {
    await pulumi(ws, configFile, ["stack", "init", stack], false);
    // `stack init` writes the stack's config file (with the passphrase salt) beside Pulumi.yaml;
    // move it to the throwaway folder so the repository stays clean.
    const initial = path.join(REPO, `Pulumi.${stack}.yaml`);
    if (fs.existsSync(initial)) fs.renameSync(initial, configFile);
    await pulumi(ws, configFile, flowConfigArgs(emulator.url, DEMO), false);
    await pulumi(
      ws,
      configFile,
      ["config", "set", "--secret", "salesforcePassword", "first-password-" + randomBytes(4).toString("hex")],
      false,
    );
    await pulumi(
      ws,
      configFile,
      ["config", "set", "--secret", "salesforceSecurityToken", "token-" + randomBytes(4).toString("hex")],
      false,
    );
    say(`   throwaway stack "${stack}", state in ${ws.stateDir}`);

    step(3, "pulumi up: create the Salesforce connection declared in examples/quickstart/index.ts");
    await pulumi(ws, configFile, ["up", "--yes", "--skip-preview"], true);
    const first = JSON.parse(await pulumi(ws, configFile, ["stack", "output", "--json"], false));

    step(4, "Rotate the password: pulumi config set --secret salesforcePassword …, then pulumi up");
    await fetch(`${emulator.url}/__emulator/requests`, { method: "DELETE" });
    await pulumi(
      ws,
      configFile,
      ["config", "set", "--secret", "salesforcePassword", "rotated-password-" + randomBytes(4).toString("hex")],
      false,
    );
    await pulumi(ws, configFile, ["up", "--yes", "--skip-preview"], true);
    const second = JSON.parse(await pulumi(ws, configFile, ["stack", "output", "--json"], false));

    step(5, "What was sent to Flow Service for the rotation");
    const log = (await (await fetch(`${emulator.url}/__emulator/requests`)).json()) as { items: LoggedRequest[] };
    const patches = log.items.filter((r) => r.method === "PATCH");
    const tokens = log.items.filter((r) => r.path.endsWith(IMS_TOKEN_PATH));
    for (const p of patches) {
      say(`   PATCH ${p.path}`);
      say(`   If-Match: ${p.headers["if-match"]}`);
      say(indent(JSON.stringify(p.body, (_k, v) => (v === "[redacted]" ? "[secret]" : v), 2)).replace(/^/gm, "  "));
    }

    step(6, "Summary");
    say(`   connection ${first.connectionId} (state: ${second.state})`);
    say(`   version before rotation ${first.etag}, after ${second.etag}`);
    const tests = log.items.filter((r) => r.method === "GET" && r.path.endsWith("/test"));
    say(
      `   requests for the rotation: ${tokens.length} token, ${patches.length} PATCH, ${tests.length} credential test, ${log.items.length} in all`,
    );
    say(`   the new password was sent once, as [secret] above; Pulumi's state holds it encrypted.`);
    if (patches.length !== 1) throw new Error(`expected exactly one PATCH for the rotation, saw ${patches.length}`);
    say("\nDone. Next: README.md shows how to point the same program at Adobe (flowservice:* config).");
  } finally {
    fs.rmSync(path.join(REPO, `Pulumi.${stack}.yaml`), { force: true });
    await emulator.stop();
    fs.rmSync(ws.root, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`\nnpm start failed: ${(e as Error).message}\n`);
  process.exit(1);
});
