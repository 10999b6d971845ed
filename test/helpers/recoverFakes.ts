// Stand-ins for what flowservice-recover talks to (the pulumi CLI, Flow Service), for the unit tests
// of its orchestration; the e2e test (test/e2e/interrupted.test.ts) runs it against the real ones.
import fs from "node:fs";
import path from "node:path";
import type { CliResult, Pulumi } from "../../commands/recover/pulumi";
import type { RecoverDeps } from "../../commands/recover/recover";
import type { HistoryEntry, LockInfo } from "../../commands/recover/window";
import { getPath, type LiveObject } from "../../provider/core/entity";
import type { FlowConnection } from "../../provider/core/schemas";

export const FIXTURE_EXPORT = fs.readFileSync(path.join(__dirname, "../unit/fixtures/export-interrupted.json"), "utf8");
export const SALESFORCE = "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5";
export const CLIENT = "flowservice-demo-client";
/** The start of the run captured in the fixture. */
export const T0 = Date.parse("2026-12-01T09:19:32Z");

/** A live connection as Flow Service lists it: by default the orphan of the fixture's resource c{i}. */
export function live(i: number, over: Partial<FlowConnection> = {}): FlowConnection {
  return {
    id: `00000000-0000-4000-8000-00000000000${i}`,
    name: `Orphan #${i}`,
    connectionSpec: { id: SALESFORCE, version: "1.0" },
    auth: { specName: "Basic Authentication", params: { username: `u${i}`, password: "********", securityToken: "********" } },
    etag: `"etag-${i}"`,
    createdAt: T0 + 5000,
    createdClient: CLIENT,
    sandboxName: "prod",
    ...over,
  };
}

const ok = (stdout = ""): CliResult => ({ code: 0, stdout, stderr: "" });

/** The pulumi CLI over an in-memory backend: stacks by name, each an export text. */
export class FakePulumi implements Pulumi {
  readonly calls: string[] = [];
  imported?: any;
  locked: LockInfo[] = [];
  /** By default a completed update ended shortly before the interrupted run (the fixture's) began. */
  history_: HistoryEntry[] = [
    { kind: "update", result: "succeeded", startTime: "2026-12-01T09:18:00.000Z", endTime: "2026-12-01T09:19:00.000Z" },
  ];
  importResult: CliResult = ok();
  constructor(
    public stacksByName: Record<string, string> = { "organization/orph/dev": FIXTURE_EXPORT },
    readonly current = "organization/orph/dev",
  ) {}

  async exportStack(stack?: string): Promise<string> {
    this.calls.push(`export ${stack ?? this.current}`);
    const text = this.stacksByName[stack ?? this.current];
    if (text === undefined) throw new Error(`no stack ${stack}`);
    return text;
  }
  async importStack(json: string): Promise<CliResult> {
    this.calls.push("import");
    if (this.importResult.code === 0) {
      this.imported = JSON.parse(json);
      this.stacksByName[this.current] = json;
    }
    return this.importResult;
  }
  async config(): Promise<Record<string, string>> {
    this.calls.push("config");
    return {
      "flowservice:clientId": CLIENT,
      "flowservice:clientSecret": "s3cret-value",
      "flowservice:orgId": "ORG@AdobeOrg",
      "flowservice:endpoint": "http://flow.invalid",
    };
  }
  async history(): Promise<HistoryEntry[]> {
    return this.history_;
  }
  async stackName(): Promise<string> {
    return this.current;
  }
  async stacks(): Promise<Array<{ name: string; current: boolean }>> {
    return Object.keys(this.stacksByName).map((fq) => ({
      name: fq.startsWith("organization/orph/") ? fq.split("/")[2] : fq,
      current: fq === this.current,
    }));
  }
  async locks(): Promise<LockInfo[]> {
    return this.locked;
  }
  async removeLock(lock: LockInfo): Promise<void> {
    this.calls.push(`remove lock of pid ${lock.pid}`);
    this.locked = this.locked.filter((l) => l !== lock);
  }
  async refresh(targets: readonly string[]): Promise<CliResult> {
    this.calls.push(`refresh ${targets.join(" ")}`);
    return ok();
  }
}

/** Flow Service's lists and reads, by collection, with the equality and range filters the search sends. */
export class FakeFlow {
  readonly requests: string[] = [];
  readonly collections: Record<string, LiveObject[]>;
  constructor(
    public connections: LiveObject[] = [],
    others: Record<string, LiveObject[]> = {},
  ) {
    this.collections = { ...others, connections: this.connections };
  }
  readonly clientId = CLIENT;
  async list<T extends LiveObject>(
    collection: string,
    _schema: unknown,
    filters: readonly string[],
    o: { sandbox?: string } = {},
  ): Promise<T[]> {
    this.requests.push(`list ${collection === "connections" ? "" : `${collection} `}${filters.join("&")} in ${o.sandbox}`);
    const holds = (c: LiveObject, f: string) => {
      const range = /^([\w.]+)>=(.*)$/.exec(f);
      if (range) return Number(getPath(c, range[1])) >= Number(range[2]);
      const [field, value] = f.split("==");
      return String(getPath(c, field)) === value;
    };
    const all = collection === "connections" ? this.connections : (this.collections[collection] ?? []);
    return all.filter((c) => filters.every((f) => holds(c, f))) as T[];
  }
  async get<T extends LiveObject>(collection: string, _schema: unknown, id: string): Promise<T | undefined> {
    this.requests.push(`get ${collection === "connections" ? "" : `${collection}/`}${id}`);
    const all = collection === "connections" ? this.connections : (this.collections[collection] ?? []);
    return all.find((c) => c.id === id) as T | undefined;
  }
}

export function fakeDeps(
  pulumi: FakePulumi,
  flow: FakeFlow,
  over: Partial<RecoverDeps> = {},
): RecoverDeps & { slept: number[]; progressed: string[] } {
  const slept: number[] = [];
  const progressed: string[] = [];
  return {
    pulumi,
    connect: () => flow,
    env: {},
    now: () => T0 + 3_600_000,
    sleep: async (ms) => void slept.push(ms),
    hostname: "ci-runner",
    alive: () => false,
    progress: (l) => void progressed.push(l),
    slept,
    progressed,
    ...over,
  };
}
