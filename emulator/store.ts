// Connections, scoped by IMS org + sandbox, with optional persistence to a --state file.
//
// Every write builds the next map, writes it to disk (temp file + rename, synchronously), and only
// then swaps it in: a write that could not be persisted is not acknowledged, and the file always
// reflects the writes in the order they were applied (no await between check and write).
import { createHash, randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";

export const CONNECTION_STATES = ["enabled", "disabled", "initializing", "draft"] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];
/** States in which a connection may be updated or deleted (FLOW-1416 otherwise). */
export const MUTABLE_STATES: readonly ConnectionState[] = ["enabled", "disabled", "initializing"];

const ConnectionSchema = z.object({
  id: z.string(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  createdBy: z.string(),
  updatedBy: z.string(),
  createdClient: z.string(),
  updatedClient: z.string(),
  sandboxId: z.string(),
  sandboxName: z.string(),
  imsOrgId: z.string(),
  name: z.string(),
  description: z.string().optional(),
  connectionSpec: z.object({ id: z.string(), version: z.string() }),
  state: z.enum(CONNECTION_STATES),
  /** Absent for a connector without auth specs (the Data Lake). */
  auth: z.object({ specName: z.string(), params: z.record(z.string(), z.unknown()) }).optional(),
  version: z.string(),
  etag: z.string(),
});
export type Connection = z.infer<typeof ConnectionSchema>;

const FlagsSchema = z.object({ usedByFlows: z.boolean(), testResult: z.boolean() });
export type Flags = z.infer<typeof FlagsSchema>;

const EntrySchema = z.object({
  connection: ConnectionSchema,
  flags: FlagsSchema,
  /** Creation order; breaks ties between equal sort keys (many connections share a millisecond). */
  seq: z.number().int(),
});
export type Entry = z.infer<typeof EntrySchema>;

const STATE_KIND = "flow-emulator-state";
const StateFileSchema = z.object({
  kind: z.literal(STATE_KIND),
  formatVersion: z.literal(1),
  nextSeq: z.number().int(),
  connections: z.array(EntrySchema),
});

export class StateFileError extends Error {}

/** A fresh etag in the shape Flow Service uses (a Cosmos DB etag), literal double quotes included. */
export function newEtag(previous?: string): string {
  for (;;) {
    const seconds = Math.floor(Date.now() / 1000).toString(16).padStart(8, "0");
    const etag = `"${randomBytes(4).toString("hex")}-0000-0200-0000-${seconds}0000"`;
    if (etag !== previous) return etag;
  }
}

/** A stable, uuid-shaped sandbox id for an org's sandbox name (same across restarts). */
export function sandboxIdFor(orgId: string, sandboxName: string): string {
  const h = createHash("sha256").update(`sandbox:${orgId}:${sandboxName}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export class ConnectionStore {
  private entries = new Map<string, Entry>();
  private nextSeq = 1;

  constructor(private readonly file?: string) {}

  /** Loads the state file. Missing (or blank) file = empty store; anything unreadable throws, and the file is left as it is. */
  load(): void {
    if (!this.file) return;
    const dir = path.dirname(path.resolve(this.file));
    try {
      fs.accessSync(dir, fs.constants.W_OK);
    } catch {
      throw new StateFileError(`state file ${this.file}: its directory ${dir} does not exist or is not writable`);
    }
    let text: string;
    try {
      text = fs.readFileSync(this.file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
      throw new StateFileError(`state file ${this.file} cannot be read: ${(e as Error).message}`);
    }
    if (text.trim() === "") return; // e.g. a fresh `mktemp`: nothing to lose
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new StateFileError(
        `state file ${this.file} is not valid JSON (${(e as Error).message}). It was left untouched: fix it, move it away, or point --state at another file.`,
      );
    }
    const parsed = StateFileSchema.safeParse(data);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new StateFileError(
        `state file ${this.file} is not flow-emulator state (${first.path.join(".") || "(root)"}: ${first.message}). It was left untouched: fix it, move it away, or point --state at another file.`,
      );
    }
    this.entries = new Map(parsed.data.connections.map((e) => [e.connection.id, e]));
    this.nextSeq = parsed.data.nextSeq;
  }

  get(id: string): Entry | undefined {
    return this.entries.get(id);
  }

  /** The connection only if it belongs to this org and sandbox (others answer 404, like the service). */
  find(orgId: string, sandboxName: string, id: string): Entry | undefined {
    const e = this.entries.get(id);
    return e && e.connection.imsOrgId === orgId && e.connection.sandboxName === sandboxName ? e : undefined;
  }

  list(orgId: string, sandboxName: string): Entry[] {
    return [...this.entries.values()].filter(
      (e) => e.connection.imsOrgId === orgId && e.connection.sandboxName === sandboxName,
    );
  }

  all(): Entry[] {
    return [...this.entries.values()];
  }

  insert(connection: Connection): Entry {
    const entry: Entry = { connection, flags: { usedByFlows: false, testResult: true }, seq: this.nextSeq };
    this.commit((m) => m.set(connection.id, entry), this.nextSeq + 1);
    return entry;
  }

  /** Replaces an entry (entries are never mutated in place, so a failed write leaves no trace). */
  replace(entry: Entry): void {
    this.commit((m) => m.set(entry.connection.id, entry));
  }

  delete(id: string): void {
    this.commit((m) => m.delete(id));
  }

  clear(): void {
    this.commit((m) => m.clear(), 1);
  }

  private commit(mutate: (next: Map<string, Entry>) => void, nextSeq = this.nextSeq): void {
    const next = new Map(this.entries);
    mutate(next);
    if (this.file) this.persist(next, nextSeq);
    this.entries = next;
    this.nextSeq = nextSeq;
  }

  private persist(entries: Map<string, Entry>, nextSeq: number): void {
    const file = this.file as string;
    const body = JSON.stringify(
      { kind: STATE_KIND, formatVersion: 1, nextSeq, connections: [...entries.values()] },
      null,
      2,
    );
    const tmp = `${file}.${process.pid}.tmp`;
    const fd = fs.openSync(tmp, "w", 0o600);
    try {
      fs.writeSync(fd, body);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file); // atomic: readers see the old file or the new one, never half of one
  }
}
