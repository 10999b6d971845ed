// Running a command in a test and reading what it printed: npm, pip and pulumi in a fresh folder,
// and the package's own commands (bin/*.js) as a user runs them.
import { spawn } from "node:child_process";
import path from "node:path";
import type { RunResult } from "../../tools/pulumiCli";
import { REPO } from "../../tools/pulumiCli";

/** Runs a command, with `stdin` as its input if given; never rejects on a non-zero exit. */
export function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env, stdin?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: [stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d) => (stdout += d));
    child.stderr?.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    if (child.stdin) {
      // A command that exits without reading its input (node --version) closes the pipe first: not a failure.
      child.stdin.on("error", () => undefined);
      child.stdin.end(stdin);
    }
  });
}

/** Runs a command that must succeed: a non-zero exit throws with its output. */
export async function ok(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
  stdin?: string,
): Promise<RunResult> {
  const r = await run(cmd, args, cwd, env, stdin);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** One of the package's commands (`flowservice-plan` …), run by this Node from the built bin script. */
export function runBin(
  command: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: string } = {},
): Promise<RunResult> {
  return run(process.execPath, [path.join(REPO, "bin", `${command}.js`), ...args], opts.cwd ?? REPO, opts.env, opts.stdin);
}
