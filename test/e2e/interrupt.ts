// Interrupting a real `pulumi up` as a user or a CI runner does: SIGKILL to the CLI's process
// group. The engine's plugins (the language host, the dynamic-provider host) run in process groups
// of their own, so they are found beforehand through /proc and reported, to be measured and then
// ended by their pids.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pulumiEnv, REPO, RunResult } from "../../tools/pulumiCli";
import type { LoggedRequest } from "../helpers/emulatorControl";
import type { TestStack } from "./harness";

export interface Interrupted {
  /** ms from the start of `up` to the kill. */
  killedAfterMs: number;
  /** The CLI's descendants at the kill, with their command lines. */
  plugins: Array<{ pid: number; cmd: string }>;
}

/** Every process whose ancestry leads to `root`, read from /proc (Linux). */
export function descendants(root: number): Array<{ pid: number; cmd: string }> {
  const parent = new Map<number, number>();
  for (const d of fs.readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const [child, pp] of parent) {
      if (pp !== p) continue;
      found.push(child);
      walk(child);
    }
  };
  walk(root);
  return found.map((pid) => ({ pid, cmd: cmdline(pid) }));
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
  } catch {
    return false;
  }
}

/** Starts `pulumi up` and SIGKILLs its process group as soon as `ready(requests)` holds. */
export async function upKilledWhen(
  stack: TestStack,
  requests: () => Promise<LoggedRequest[]>,
  ready: (log: LoggedRequest[]) => boolean,
  env: Record<string, string> = {},
): Promise<Interrupted> {
  const started = Date.now();
  const child = spawn("pulumi", ["up", "--yes", "--skip-preview", "--non-interactive", "--color", "never"], {
    cwd: stack.programDir,
    env: pulumiEnv(stack.ws, env),
    detached: true,
    stdio: "ignore",
  });
  const exited = new Promise((r) => child.on("exit", r));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`pulumi up ended (exit ${child.exitCode}) before it could be interrupted`);
      if (Date.now() - started > 120_000) throw new Error("pulumi up did not send the awaited requests within 2 minutes");
      if (ready(await requests())) break;
      await new Promise((r) => setTimeout(r, 150));
    }
    const plugins = descendants(child.pid as number);
    process.kill(-(child.pid as number), "SIGKILL");
    await exited;
    return { killedAfterMs: Date.now() - started, plugins };
  } catch (e) {
    if (child.exitCode === null) process.kill(-(child.pid as number), "SIGKILL");
    throw e;
  }
}

/** Ends processes by pid (those a kill of the CLI's group left running). */
export function endAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** `flowservice-recover ARGS` as a user runs it: in the program folder, with the CLI's environment. */
export function recoverCli(stack: TestStack, args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO, "bin/flowservice-recover.js"), ...args], {
      cwd: stack.programDir,
      env: pulumiEnv(stack.ws, env),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Polls `check` until it holds; returns the ms it took. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return Date.now() - started;
}
