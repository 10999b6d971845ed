// Samples /proc while a `pulumi` command runs: the peak resident memory (VmHWM, the kernel's own
// high-water mark, so a peak between two samples is not missed) and the CPU time of every process
// under the command, grouped by role. Only descendants of the command's pid are looked at, so
// other Pulumi runs on the same machine (tests running in parallel) are never counted.
import fs from "node:fs";

export type Role = "engine" | "languageHost" | "program" | "providerHost" | "other";

interface RoleUsage {
  /** Largest VmHWM of a process of this role, in bytes. */
  peakRssBytes: number;
  /** User + system CPU time of the role's processes, summed, in seconds. */
  cpuSeconds: number;
  processes: number;
}

export type ProcUsage = Record<Role, RoleUsage>;

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface Seen {
  role: Role;
  hwmBytes: number;
  cpuTicks: number;
}

function readStat(pid: number): { ppid: number; cpuTicks: number } | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may contain spaces: split after it.
    const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
    // rest[0] is field 3 (state); ppid is field 4, utime 14, stime 15.
    return { ppid: Number(rest[1]), cpuTicks: Number(rest[11]) + Number(rest[12]) };
  } catch {
    return undefined;
  }
}

function readHwm(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function roleOf(pid: number, rootPid: number): Role {
  if (pid === rootPid) return "engine";
  let cmd = "";
  try {
    cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    return "other";
  }
  // The dynamic-provider host, or the provider plugin (the plugin door).
  if (cmd.includes("cmd/dynamic-provider") || cmd.includes("pulumi-resource-flowservice")) return "providerHost";
  if (cmd.includes("pulumi-language-nodejs") || cmd.includes("pulumi-language-yaml")) return "languageHost";
  // The language host runs the program as `node …/@pulumi/pulumi/cmd/run …`.
  if (/cmd\/run(\/|\s|$)/.test(cmd) || cmd.includes("cmd/run/index.js")) return "program";
  return "other";
}

export class ProcSampler {
  private readonly seen = new Map<number, Seen>();
  private timer?: NodeJS.Timeout;
  private readonly available = fs.existsSync("/proc/self/status");

  constructor(
    private readonly rootPid: number,
    private readonly intervalMs = 100,
  ) {}

  start(): void {
    if (!this.available) return;
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  /** Takes one sample: call it once more just before the command exits if you can. */
  sample(): void {
    let pids: number[];
    try {
      pids = fs
        .readdirSync("/proc")
        .filter((d) => /^\d+$/.test(d))
        .map(Number);
    } catch {
      return;
    }
    const parent = new Map<number, number>();
    const cpu = new Map<number, number>();
    for (const pid of pids) {
      const s = readStat(pid);
      if (!s) continue;
      parent.set(pid, s.ppid);
      cpu.set(pid, s.cpuTicks);
    }
    const isDescendant = (pid: number): boolean => {
      for (let p: number | undefined = pid, depth = 0; p !== undefined && p > 1 && depth < 32; depth++) {
        if (p === this.rootPid) return true;
        p = parent.get(p);
      }
      return false;
    };
    for (const pid of parent.keys()) {
      if (!isDescendant(pid)) continue;
      let s = this.seen.get(pid);
      if (!s) {
        s = { role: roleOf(pid, this.rootPid), hwmBytes: 0, cpuTicks: 0 };
        this.seen.set(pid, s);
      } else if (s.role === "other") {
        // A process may exec (sh → node) after it was first seen.
        s.role = roleOf(pid, this.rootPid);
      }
      s.hwmBytes = Math.max(s.hwmBytes, readHwm(pid) ?? 0);
      s.cpuTicks = Math.max(s.cpuTicks, cpu.get(pid) ?? 0);
    }
  }

  stop(): ProcUsage {
    if (this.timer) clearInterval(this.timer);
    const usage = {} as ProcUsage;
    for (const r of ["engine", "languageHost", "program", "providerHost", "other"] as Role[]) {
      usage[r] = { peakRssBytes: 0, cpuSeconds: 0, processes: 0 };
    }
    for (const s of this.seen.values()) {
      const u = usage[s.role];
      u.peakRssBytes = Math.max(u.peakRssBytes, s.hwmBytes);
      u.cpuSeconds += s.cpuTicks / TICKS_PER_SECOND;
      u.processes += 1;
    }
    for (const u of Object.values(usage)) u.cpuSeconds = Math.round(u.cpuSeconds * 100) / 100;
    return usage;
  }
}

/** CPU seconds used so far by one process (the emulator, say), or undefined off Linux. */
export function cpuSecondsOf(pid: number): number | undefined {
  const s = readStat(pid);
  return s ? s.cpuTicks / TICKS_PER_SECOND : undefined;
}
