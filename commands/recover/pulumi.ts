// The pulumi CLI, as flowservice-recover uses it: the user's own `pulumi` on PATH, run in their
// program folder with their environment (backend, passphrase), never in interactive mode.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { HistoryEntry, LockInfo } from "./window";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A pulumi command that failed: its command line (no values) and what it printed. */
export class PulumiCommandError extends Error {}

/** What recovery asks of Pulumi: an interface, so the orchestration can be tested without the CLI. */
export interface Pulumi {
  exportStack(stack?: string): Promise<string>;
  importStack(deploymentJson: string): Promise<CliResult>;
  /** `pulumi config --show-secrets --json`: key → value. */
  config(): Promise<Record<string, string>>;
  history(): Promise<HistoryEntry[]>;
  /** The fully qualified name of the stack (organization/project/stack). */
  stackName(): Promise<string>;
  /** Every stack of the backend: name, and whether it is this one. */
  stacks(): Promise<Array<{ name: string; current: boolean }>>;
  /** The stack's locks when the backend is a local folder (file://); [] otherwise. */
  locks(fqStack: string): Promise<LockInfo[]>;
  /** Removes one lock (a file backend's lock file): only a lock whose run is known to be gone. */
  removeLock(lock: LockInfo): Promise<void>;
  refresh(targets: readonly string[]): Promise<CliResult>;
}

export class PulumiCli implements Pulumi {
  constructor(private readonly opts: { cwd: string; stack?: string; env?: NodeJS.ProcessEnv; bin?: string }) {}

  private run(args: string[], stack: string | undefined = this.opts.stack): Promise<CliResult> {
    const full = [...args, ...(stack ? ["--stack", stack] : []), "--non-interactive", "--color", "never"];
    return new Promise((resolve, reject) => {
      const child = spawn(this.opts.bin ?? "pulumi", full, { cwd: this.opts.cwd, env: this.opts.env ?? process.env });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("error", (e) => reject(new PulumiCommandError(`cannot run pulumi: ${e.message} (is the pulumi CLI on PATH?)`)));
      child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }

  private async ok(args: string[], stack?: string): Promise<string> {
    const r = await this.run(args, stack);
    if (r.code !== 0)
      throw new PulumiCommandError(`pulumi ${args.slice(0, 2).join(" ")} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim()}`);
    return r.stdout;
  }

  exportStack(stack?: string): Promise<string> {
    return this.ok(["stack", "export"], stack ?? this.opts.stack);
  }

  async importStack(deploymentJson: string): Promise<CliResult> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowservice-recover-"));
    const file = path.join(dir, "deployment.json");
    try {
      fs.writeFileSync(file, deploymentJson, { mode: 0o600 });
      return await this.run(["stack", "import", "--file", file]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  async config(): Promise<Record<string, string>> {
    const raw = JSON.parse(await this.ok(["config", "--show-secrets", "--json"])) as Record<string, { value?: unknown }>;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw)) if (v && v.value !== undefined && v.value !== null) out[k] = String(v.value);
    return out;
  }

  async history(): Promise<HistoryEntry[]> {
    const parsed = JSON.parse((await this.ok(["stack", "history", "--json"])) || "[]");
    return Array.isArray(parsed) ? parsed : [];
  }

  async stackName(): Promise<string> {
    return (await this.ok(["stack", "--show-name", "--fully-qualify-stack-names"])).trim();
  }

  async stacks(): Promise<Array<{ name: string; current: boolean }>> {
    const parsed = JSON.parse((await this.ok(["stack", "ls", "--all", "--json"], "")) || "[]") as Array<{
      name: string;
      current?: boolean;
    }>;
    return parsed.map((s) => ({ name: s.name, current: s.current === true }));
  }

  async locks(fqStack: string): Promise<LockInfo[]> {
    const who = JSON.parse(await this.ok(["whoami", "--json", "--verbose"], "")) as { url?: string };
    if (!who.url?.startsWith("file://")) return [];
    const root = fileURLToPath(who.url.split("?")[0]);
    const dir = path.join(root, ".pulumi", "locks", ...fqStack.split("/"));
    if (!fs.existsSync(dir)) return [];
    const locks: LockInfo[] = [];
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith(".json"))) {
      try {
        const l = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as { pid?: number; hostname?: string; timestamp?: string };
        const t = Date.parse(l.timestamp ?? "");
        if (Number.isFinite(t)) locks.push({ timestamp: t, pid: Number(l.pid), hostname: String(l.hostname), file: path.join(dir, f) });
      } catch {
        // Not a lock Pulumi wrote: ignored (the CLI reports it if it matters).
      }
    }
    return locks;
  }

  async removeLock(lock: LockInfo): Promise<void> {
    if (!lock.file) throw new PulumiCommandError(`the lock of pid ${lock.pid} on ${lock.hostname} is not a file: run \`pulumi cancel\``);
    // Not `pulumi cancel`: on a file backend it removes every lock of the stack, a running update's too.
    fs.rmSync(lock.file, { force: true });
  }

  refresh(targets: readonly string[]): Promise<CliResult> {
    return this.run(["refresh", "--yes", "--skip-preview", ...targets.flatMap((t) => ["--target", t])]);
  }
}
