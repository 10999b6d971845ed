// Which objects the program declares: those --connector, --name and --flow choose, and everything
// they depend on (a flow's source and target connections, their base connections), so that every
// reference in the program is an output.
import type { AnyDescription, LiveObject } from "../../provider/core/entity";

export interface Filters {
  /** A connection spec id: its connections, the dataflows through them, and what those depend on. */
  connector?: string;
  /** A glob on display names (`*`, `?`), case-sensitive. */
  name?: string;
  /** One dataflow and what it depends on. */
  flow?: string;
}

export class SelectionError extends Error {}

export interface Entry {
  desc: AnyDescription;
  live: LiveObject;
}

export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
export const specIdOf = (live: LiveObject) => str((live as { connectionSpec?: { id?: unknown } }).connectionSpec?.id);
const idsOf = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** The objects an object refers to: a source/target connection's base connection, a flow's connections. */
function dependencies(e: Entry): string[] {
  const l = e.live as Record<string, unknown>;
  if (e.desc.kind === "Dataflow") return [...idsOf(l.sourceConnectionIds), ...idsOf(l.targetConnectionIds)];
  const base = str(l.baseConnectionId);
  return base ? [base] : [];
}

function globRegex(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "s",
  );
}

export function select(entries: Map<string, Entry>, f: Filters): Set<string> {
  const all = [...entries.values()];
  if (f.flow !== undefined) {
    const flow = entries.get(f.flow);
    if (flow?.desc.kind !== "Dataflow") throw new SelectionError(`--flow ${f.flow}: the sandbox has no dataflow with this id`);
  }
  const name = f.name !== undefined ? globRegex(f.name) : undefined;
  // An object "uses" a connector when it, or something it depends on, is of that connector.
  const usesConnector = (e: Entry, depth = 0): boolean =>
    specIdOf(e.live) === f.connector ||
    (depth < 3 && dependencies(e).some((d) => entries.has(d) && usesConnector(entries.get(d) as Entry, depth + 1)));
  const seeds = all.filter(
    (e) =>
      (f.flow === undefined || e.live.id === f.flow) &&
      (name === undefined || name.test(e.live.name ?? "")) &&
      (f.connector === undefined || usesConnector(e)),
  );
  const chosen = new Set<string>();
  const add = (id: string) => {
    if (chosen.has(id)) return;
    chosen.add(id);
    const e = entries.get(id);
    if (e) for (const d of dependencies(e)) add(d);
  };
  for (const s of seeds) add(s.live.id);
  return chosen;
}
