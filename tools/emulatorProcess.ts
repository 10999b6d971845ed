// Runs the real flow-emulator CLI (bin/flow-emulator.js, i.e. the built dist/) as a child process,
// the way a user starts it. Shared by the tests, `npm start` and the benchmark.
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO as REPO_ROOT } from "./pulumiCli";

const BIN = path.join(REPO_ROOT, "bin", "flow-emulator.js");
const BUILT = path.join(REPO_ROOT, "dist", "emulator", "main.js");

export interface EmulatorProcess {
  /** http://127.0.0.1:PORT, from the CLI's first stdout line. */
  url: string;
  port: number;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. Safe to call twice. */
  stop(): Promise<void>;
  process: ChildProcess;
  /** Everything the process wrote so far (stdout + stderr), for failure messages. */
  output(): string;
}

interface StartOptions {
  /** How long to wait for the "listening" line (default 15 s). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** The launcher to run instead of this repository's, e.g. an installed package's `flow-emulator`. */
  bin?: string;
  /** The node executable to run it with (default: the one running this process). */
  node?: string;
}

function assertBuilt(): void {
  if (!fs.existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`npm run build\` first`);
}

function spawnCli(args: string[], options: StartOptions): { child: ChildProcess; output: () => string } {
  if (!options.bin) assertBuilt();
  const child = spawn(options.node ?? process.execPath, [options.bin ?? BIN, ...args], {
    cwd: REPO_ROOT,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  // Always drain both pipes: an emulator blocked on a full pipe would stop answering.
  const keep = (chunk: Buffer) => {
    out += chunk.toString("utf8");
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return { child, output: () => out };
}

/**
 * Starts `node bin/flow-emulator.js --port 0 ...args` (no --port is added if args has one) and
 * resolves once its first stdout line, `listening http://HOST:PORT`, has arrived.
 */
export function startEmulatorProcess(args: string[] = [], options: StartOptions = {}): Promise<EmulatorProcess> {
  const fullArgs = args.some((a) => a === "--port" || a.startsWith("--port=")) ? args : ["--port", "0", ...args];
  const { child, output } = spawnCli(fullArgs, options);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  return new Promise((resolve, reject) => {
    let stdout = "";
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`flow-emulator did not print its listening line within ${options.timeoutMs ?? 15000} ms. Output:\n${output()}`));
    }, options.timeoutMs ?? 15000);
    const onData = (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      const nl = stdout.indexOf("\n");
      if (nl < 0) return;
      child.stdout?.off("data", onData);
      clearTimeout(timer);
      const first = stdout.slice(0, nl).replace(/\r$/, "");
      const m = /^listening (http:\/\/\S+:(\d+))$/.exec(first);
      if (!m) {
        void stop();
        reject(new Error(`flow-emulator's first stdout line is not "listening http://HOST:PORT": ${JSON.stringify(first)}`));
        return;
      }
      resolve({ url: m[1], port: Number(m[2]), stop, process: child, output });
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`flow-emulator exited (code ${code}, signal ${signal}) before listening. Output:\n${output()}`));
    });
  });
}

/** Runs the CLI to completion (for start-up failures); kills it if still running after timeoutMs. */
export function runEmulatorToExit(
  args: string[],
  timeoutMs = 15000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  assertBuilt();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
