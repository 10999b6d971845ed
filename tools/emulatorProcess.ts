// Starts the emulator as its own process (`bin/flow-emulator.js`), the way a user does, and
// reads the address from its first line of output.
import { ChildProcess, spawn } from "child_process";
import path from "path";
import { REPO } from "./pulumiCli";

export interface EmulatorProcess {
  url: string;
  port: number;
  process: ChildProcess;
  /** Everything the emulator wrote to stderr (for diagnostics). */
  stderr(): string;
  stop(): Promise<void>;
}

export function startEmulatorProcess(args: string[] = []): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, [path.join(REPO, "bin/flow-emulator.js"), "--port", "0", ...args], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => fail(new Error(`the emulator did not start within 15 s\n${err}`)), 15_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(e);
    };
    child.on("exit", (code) => fail(new Error(`the emulator exited with code ${code} before listening\n${err}`)));
    child.stdout.on("data", (d) => {
      out += d;
      const line = out.split("\n")[0];
      if (!out.includes("\n")) return;
      const m = /^listening (http:\/\/[^:]+:(\d+))$/.exec(line.trim());
      if (!m) return fail(new Error(`unexpected first line from the emulator: ${JSON.stringify(line)}`));
      clearTimeout(timer);
      child.removeAllListeners("exit");
      child.stdout.removeAllListeners("data");
      child.stdout.resume();
      resolve({
        url: m[1],
        port: Number(m[2]),
        process: child,
        stderr: () => err,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
      });
    });
  });
}
