// Every entity table (connections, sourceConnections, targetConnections, flows), scoped by IMS org
// + sandbox, with optional persistence of all of them to one --state file.
//
// Every write builds the next map, writes it to disk (temp file + rename, synchronously), and only
// then swaps it in: a write that could not be persisted is not acknowledged, and the file always
// reflects the writes in the order they were applied (no await between check and write).
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import {
  ConnectionSchema,
  DataConnectionSchema,
  FlagsSchema,
  FlowSchema,
  type Connection,
  type DataConnection,
  type Flags,
  type Flow,
  type Stamp,
} from "./records";

/** A stored entity with its creation order (the tie-breaker between equal sort keys). */
export interface Row<R> {
  record: R;
  seq: number;
}
/** A connection row also carries the emulator's flags (conditions outside the connection). */
export interface ConnectionRow extends Row<Connection> {
  flags: Flags;
}

interface TableTypes {
  connections: ConnectionRow;
  sourceConnections: Row<DataConnection>;
  targetConnections: Row<DataConnection>;
  flows: Row<Flow>;
}
export type TableName = keyof TableTypes;
type Maps = { [K in TableName]: Map<string, TableTypes[K]> };

const STATE_KIND = "flow-emulator-state";
const rowsOf = <T extends z.ZodType>(record: T) => z.array(z.object({ record, seq: z.number().int() })).default([]);
// formatVersion 1 had connections only; 2 adds the other tables. Connections keep their v1 shape.
const StateFileSchema = z.object({
  kind: z.literal(STATE_KIND),
  formatVersion: z.union([z.literal(1), z.literal(2)]),
  nextSeq: z.number().int(),
  connections: z.array(z.object({ connection: ConnectionSchema, flags: FlagsSchema, seq: z.number().int() })),
  sourceConnections: rowsOf(DataConnectionSchema),
  targetConnections: rowsOf(DataConnectionSchema),
  flows: rowsOf(FlowSchema),
});

export class StateFileError extends Error {}

/** One table: reads, and writes that go through the store's commit (and so to the state file). */
export class Table<E extends Row<Stamp>> {
  constructor(
    private readonly read: () => Map<string, E>,
    private readonly write: (mutate: (m: Map<string, E>) => void, consumeSeq: boolean) => void,
  ) {}

  get(id: string): E | undefined {
    return this.read().get(id);
  }

  /** The entity only if it belongs to this org and sandbox (others answer 404, like the service). */
  find(orgId: string, sandboxName: string, id: string): E | undefined {
    const e = this.read().get(id);
    return e && e.record.imsOrgId === orgId && e.record.sandboxName === sandboxName ? e : undefined;
  }

  list(orgId: string, sandboxName: string): E[] {
    return this.all().filter((e) => e.record.imsOrgId === orgId && e.record.sandboxName === sandboxName);
  }

  all(): E[] {
    return [...this.read().values()];
  }

  /** Stores a new entity; its seq is assigned here. */
  insert(entry: Omit<E, "seq">): E {
    this.write((m) => m.set(entry.record.id, { ...entry, seq: -1 } as E), true); // seq set by the store
    return this.get(entry.record.id) as E;
  }

  /** Replaces an entity (entries are never mutated in place, so a failed write leaves no trace). */
  replace(entry: E): void {
    this.write((m) => m.set(entry.record.id, entry), false);
  }

  delete(id: string): void {
    this.write((m) => m.delete(id), false);
  }
}

export class Store {
  private maps: Maps = emptyMaps();
  private nextSeq = 1;
  readonly connections = this.table("connections");
  readonly sourceConnections = this.table("sourceConnections");
  readonly targetConnections = this.table("targetConnections");
  readonly flows = this.table("flows");

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
    const d = parsed.data;
    const byId = <E extends Row<Stamp>>(rows: E[]) => new Map(rows.map((r) => [r.record.id, r]));
    this.maps = {
      connections: byId(d.connections.map((c) => ({ record: c.connection, flags: c.flags, seq: c.seq }))),
      sourceConnections: byId(d.sourceConnections),
      targetConnections: byId(d.targetConnections),
      flows: byId(d.flows),
    };
    this.nextSeq = d.nextSeq;
  }

  clear(): void {
    this.commit(() => emptyMaps(), 1);
  }

  private table<K extends TableName>(name: K): Table<TableTypes[K]> {
    return new Table<TableTypes[K]>(
      () => this.maps[name],
      (mutate, consumeSeq) => {
        const seq = this.nextSeq;
        this.commit(
          (maps) => {
            const next = new Map(maps[name]);
            mutate(next);
            // An inserted row carries seq -1 until here, so a failed write assigns nothing.
            for (const [id, row] of next) if (row.seq === -1) next.set(id, { ...row, seq });
            return { ...maps, [name]: next };
          },
          consumeSeq ? seq + 1 : seq,
        );
      },
    );
  }

  private commit(build: (current: Maps) => Maps, nextSeq: number): void {
    const next = build(this.maps);
    if (this.file) this.persist(next, nextSeq);
    this.maps = next;
    this.nextSeq = nextSeq;
  }

  private persist(maps: Maps, nextSeq: number): void {
    const file = this.file as string;
    const rows = <E>(m: Map<string, E>) => [...m.values()];
    const body = JSON.stringify(
      {
        kind: STATE_KIND,
        formatVersion: 2,
        nextSeq,
        connections: rows(maps.connections).map((r) => ({ connection: r.record, flags: r.flags, seq: r.seq })),
        sourceConnections: rows(maps.sourceConnections),
        targetConnections: rows(maps.targetConnections),
        flows: rows(maps.flows),
      },
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

function emptyMaps(): Maps {
  return { connections: new Map(), sourceConnections: new Map(), targetConnections: new Map(), flows: new Map() };
}
