// Runs the real `pulumi` CLI offline: the engine from scripts/engine.sh, a local file backend in
// a throwaway folder, the passphrase secrets provider, no update check, no plugin download.
// Used by the end-to-end tests, `npm start` and the benchmark.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Credentials, FLOW_BASE_PATH, IMS_TOKEN_PATH } from "./demo";

/** The repository root, whether this runs from tools/ (ts-node) or dist/tools/ (built). */
export const REPO = path.basename(path.dirname(__dirname)) === "dist" ? path.resolve(__dirname, "../..") : path.resolve(__dirname, "..");

let engineDir: string | undefined;

/** The folder holding `pulumi`, its Node.js language host and the dynamic-provider plugin. */
export function ensureEngine(opts: { quiet?: boolean } = {}): string {
  if (engineDir) return engineDir;
  try {
    const out = execFileSync("bash", [path.join(REPO, "scripts/engine.sh")], {
      cwd: REPO,
      encoding: "utf8",
      stdio: ["ignore", "pipe", opts.quiet ? "pipe" : "inherit"],
      timeout: 40 * 60_000,
    });
    engineDir = out.trim().split("\n").pop() as string;
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(
      `The Pulumi engine is not available and could not be built:\n${err.stderr ?? err.message}\n` +
        `Install Go (1.25+) so scripts/engine.sh can build it, or put a pulumi v3 CLI with pulumi-language-nodejs ` +
        `on PATH (or name it with PULUMI_BIN), then run 'bash scripts/engine.sh'.`,
    );
  }
  return engineDir;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Workspace {
  /** Throwaway root: the state backend and PULUMI_HOME live under it. */
  root: string;
  stateDir: string;
  homeDir: string;
}

export function makeWorkspace(prefix: string): Workspace {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const stateDir = path.join(root, "state");
  const homeDir = path.join(root, "home");
  fs.mkdirSync(stateDir);
  fs.mkdirSync(homeDir);
  return { root, stateDir, homeDir };
}

export const PASSPHRASE = "flowservice-local-passphrase";

/** The environment of an offline CLI run. AEP_* variables are dropped: the stack's config decides. */
export function pulumiEnv(ws: Workspace, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith("AEP_") || k.startsWith("PULUMI_")) delete env[k];
  return {
    ...env,
    PATH: `${ensureEngine()}${path.delimiter}${process.env.PATH}`,
    PULUMI_HOME: ws.homeDir,
    PULUMI_BACKEND_URL: `file://${ws.stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    NO_COLOR: "1",
    ...extra,
  };
}

interface RunOptions {
  env?: Record<string, string>;
  onOutput?: (chunk: string) => void;
  /** Called once the process is spawned (the benchmark samples /proc under its pid). */
  onSpawn?: (child: ChildProcess) => void;
}

/** Runs `pulumi ARGS` in `cwd`; resolves with its exit code and output (never rejects on exit code). */
export function runPulumi(ws: Workspace, cwd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("pulumi", [...args, "--non-interactive", "--color", "never"], { cwd, env: pulumiEnv(ws, opts.env) });
    opts.onSpawn?.(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
      opts.onOutput?.(String(d));
    });
    child.stderr.on("data", (d) => {
      stderr += d;
      opts.onOutput?.(String(d));
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Provider config pointing at a local emulator (or any Flow Service), as key → value. */
export function flowConfig(baseUrl: string, creds: Credentials, extra: Record<string, string> = {}): Record<string, string> {
  return {
    "flowservice:endpoint": `${baseUrl}${FLOW_BASE_PATH}`,
    "flowservice:imsEndpoint": `${baseUrl}${IMS_TOKEN_PATH}`,
    "flowservice:clientId": creds.clientId,
    "flowservice:clientSecret": creds.clientSecret,
    "flowservice:orgId": creds.orgId,
    "flowservice:sandboxName": creds.sandboxName ?? "prod",
    ...extra,
  };
}

/** `pulumi config set-all` arguments for flowConfig, the client secret as a secret. */
export function flowConfigArgs(baseUrl: string, creds: Credentials, extra: Record<string, string> = {}): string[] {
  const args = ["config", "set-all"];
  for (const [k, v] of Object.entries(flowConfig(baseUrl, creds, extra))) {
    if (k === "flowservice:clientSecret") args.push("--secret", `${k}=${v}`);
    else args.push("--plaintext", `${k}=${v}`);
  }
  return args;
}
