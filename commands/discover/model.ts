// From a sandbox snapshot to the program to write: which objects it declares (after --connector,
// --name, --flow), each one's arguments as its entity description reads the live object
// (`liveInputs`), references to the other declared objects as outputs, secret params as stack-config
// placeholders, and the objects it cannot express with the reason. Pure: no I/O.
import { isSecretParam, lookupAuthSpec } from "../../provider/core/catalog";
import { AnyDescription, liveInputs, secretHolder } from "../../provider/core/entity";
import { DESCRIPTIONS } from "../../provider/core/registry";
import type { z } from "zod";
import { assignIdentifiers, configKey } from "./names";
import { type Entry, type Filters, select, specIdOf, str } from "./select";
import { elementOf, membersOf } from "./shape";
import type { Snapshot } from "./sandbox";

export { type Filters, SelectionError } from "./select";

/** A reference to another declared resource: its id output. */
export class Ref {
  constructor(readonly ident: string) {}
}
/** A write-only secret: a stack-config placeholder the user fills in. */
export class Secret {
  constructor(readonly key: string) {}
}
/** The program's sandbox variable. */
export class SandboxVar {}
export const SANDBOX = new SandboxVar();

export type Value = null | boolean | number | string | Ref | Secret | SandboxVar | Value[] | { [key: string]: Value };

interface Placeholder {
  key: string;
  ident: string;
  kind: string;
  id: string;
  param: string;
}

export interface Resource {
  kind: string;
  id: string;
  ident: string;
  name: string;
  /** Arguments in the order the program writes them. */
  args: Record<string, Value>;
  /** Write-only secrets declared as placeholders (adoption re-sends them). */
  secrets: Placeholder[];
}

interface Skipped {
  kind: string;
  id: string;
  name: string;
  reason: string;
}

export interface Program {
  sandbox: string;
  resources: Resource[];
  placeholders: Placeholder[];
  skipped: Skipped[];
  /** References kept as literal ids (to objects the program does not declare), for the README. */
  literals: string[];
}

/** What GET shows in place of a secret (the emulator's `********`): never a value to write back. */
const MASK = /^\*{3,}$/;

/** The params held as secrets, and those to declare as placeholders (present live, or required by the catalogue). */
function secretsOf(e: Entry, snap: Snapshot): { keys: string[] } | { unknown: string } {
  const live = e.live as Record<string, unknown>;
  const shown = secretHolder(e.desc, live);
  const masked = Object.keys(shown).filter((k) => typeof shown[k] === "string" && MASK.test(shown[k] as string));
  if (e.desc.kind !== "Connection") {
    const keys = Object.keys(shown).filter((k) => masked.includes(k) || isSecretParam(specIdOf(e.live), undefined, k));
    return { keys: keys.sort() };
  }
  const specId = specIdOf(e.live) as string;
  const specName = str((live.auth as { specName?: unknown } | undefined)?.specName) ?? "";
  const catalog = lookupAuthSpec(specId, specName);
  const liveSpec = snap.specs.get(specId);
  let required: string[] = [];
  let declared: string[] = [];
  if (catalog) {
    declared = Object.keys(catalog.params).filter((k) => catalog.params[k].secret);
    required = declared.filter((k) => catalog.params[k].required);
  } else if (liveSpec?.has(specName)) {
    declared = [...(liveSpec.get(specName) as Set<string>)];
  } else {
    const why = liveSpec
      ? `auth spec "${specName}" is not one of connector ${specId}'s (its connection spec lists ${[...liveSpec.keys()].map((n) => `"${n}"`).join(", ")})`
      : `connector ${specId} is unknown: neither the provider's catalogue nor Flow Service's connection specs${snap.specError ? ` (which could not be read: ${snap.specError})` : ""} know it`;
    return { unknown: `${why}, so which of its params are secret cannot be told` };
  }
  const present = Object.keys(shown);
  const keys = [
    ...new Set([...present.filter((k) => declared.includes(k) || masked.includes(k) || isSecretParam(specId, specName, k)), ...required]),
  ];
  return { keys: keys.sort() };
}

/** The object at `path` in `root`, created (empty) where absent. */
function holderAt(root: Record<string, unknown>, path: readonly string[]): Record<string, unknown> {
  let at = root;
  for (const t of path) {
    if (at[t] === undefined) at[t] = {};
    at = at[t] as Record<string, unknown>;
  }
  return at;
}

/** Why the resource could not declare these inputs (its schema and its rules), or undefined. */
function refusal(e: Entry, inputs: Record<string, unknown>, secretKeys: string[], now: number): string | undefined {
  // Secrets stand in as strings: their values are the user's to give.
  const candidate = JSON.parse(JSON.stringify({ ...inputs, secretKeys })) as Record<string, unknown>;
  if (e.desc.secretParent && secretKeys.length > 0) {
    const parent = holderAt(candidate, e.desc.secretParent);
    for (const k of secretKeys) parent[k] = "secret";
  }
  const parsed = e.desc.inputs.safeParse(candidate);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".") || "(args)"} ${i.message}`);
  // A param Flow Service shows that the resource's reading left out (e.g. an object where a connection takes scalars).
  if (e.desc.secretParent) {
    const declared = secretHolder(e.desc, candidate);
    const where = e.desc.secretParent.join(".");
    for (const k of Object.keys(secretHolder(e.desc, e.live as Record<string, unknown>))
      .filter((k) => !(k in declared))
      .sort()) {
      problems.push(
        `${where}.${k} is shown by Flow Service in a form the resource does not take (a connection's params are strings, numbers or booleans)`,
      );
    }
  }
  for (const f of e.desc.validate?.(candidate, {}, now) ?? []) problems.push(`${f.property} ${f.reason}`);
  return problems.length > 0 ? `the ${e.desc.kind} resource cannot declare it as it is: ${problems.join("; ")}` : undefined;
}

/**
 * Members in a fixed order whatever order Flow Service lists them in: an object type's in its
 * declared order (auth: specName, then params), a map's by key. Arrays keep their order.
 */
function ordered(v: unknown, type: z.ZodType | undefined): Value {
  if (Array.isArray(v)) return v.map((x) => ordered(x, elementOf(type)));
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    const members = membersOf(type);
    const declared = members ? Object.keys(members).filter((k) => k in o) : [];
    const rest = Object.keys(o)
      .filter((k) => !declared.includes(k))
      .sort();
    return Object.fromEntries([...declared, ...rest].map((k) => [k, ordered(o[k], members?.[k])])) as Value;
  }
  return v as Value;
}

const OWN_ORDER = (desc: AnyDescription) =>
  desc.inputKeys.filter(
    (k) => !["name", "description", "sandboxName", "adoptId", "deleteOnDestroy", "secretKeys", "verifyCredentials"].includes(k),
  );

export function buildProgram(snap: Snapshot, filters: Filters = {}, now = Date.now()): Program {
  const skipped: Skipped[] = [];
  const entries = new Map<string, Entry>();
  for (const desc of DESCRIPTIONS) {
    for (const raw of [...(snap.objects.get(desc.kind) ?? [])].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
      const parsed = desc.live.safeParse(raw);
      if (parsed.success) entries.set(raw.id, { desc, live: parsed.data });
      else {
        const issue = parsed.error.issues[0];
        const reason = `Flow Service shows it in a shape the ${desc.kind} resource does not read (${issue.path.join(".")}: ${issue.message})`;
        skipped.push({ kind: desc.kind, id: raw.id, name: raw.name ?? "", reason });
      }
    }
  }
  const chosen = select(entries, filters);
  // Narrowed: an unreadable object is listed only when a chosen object depends on it.
  const narrowed = Object.values(filters).some((v) => v !== undefined);
  if (narrowed) skipped.splice(0, skipped.length, ...skipped.filter((s) => chosen.has(s.id)));

  // Expressible objects, in dependency order (kinds) then id order.
  const kept: Array<Entry & { inputs: Record<string, unknown>; secretKeys: string[] }> = [];
  for (const e of entries.values()) {
    if (!chosen.has(e.live.id)) continue;
    const name = e.live.name ?? "";
    if (e.desc.kind === "Connection" && !(e.live as Record<string, unknown>).auth) {
      const reason =
        "it has no auth (e.g. a Data Lake account): the Connection resource declares a connection through its credentials (auth.specName and auth.params)";
      skipped.push({ kind: e.desc.kind, id: e.live.id, name, reason });
      continue;
    }
    const secrets = secretsOf(e, snap);
    if ("unknown" in secrets) {
      skipped.push({ kind: e.desc.kind, id: e.live.id, name, reason: secrets.unknown });
      continue;
    }
    const inputs = liveInputs(e.desc, e.live, secrets.keys);
    const why = refusal(e, inputs, secrets.keys, now);
    if (why) skipped.push({ kind: e.desc.kind, id: e.live.id, name, reason: why });
    else kept.push({ ...e, inputs, secretKeys: secrets.keys });
  }

  const idents = assignIdentifiers(kept.map((e) => ({ id: e.live.id, kind: e.desc.kind, name: e.live.name ?? "" })));
  const used = new Set<string>([...idents.values()]);
  const literals: string[] = [];
  const skippedIds = new Map(skipped.map((s) => [s.id, s]));
  const ref = (owner: string, field: string, id: string): Value => {
    const ident = idents.get(id);
    if (ident) return new Ref(ident);
    const s = skippedIds.get(id);
    literals.push(
      `${owner}.${field} keeps the id ${id}: ${s ? `that ${s.kind} ("${s.name}") cannot be expressed (see below)` : "the sandbox's listings do not show that object"}`,
    );
    return id;
  };

  const placeholders: Placeholder[] = [];
  const resources: Resource[] = kept.map((e) => {
    const ident = idents.get(e.live.id) as string;
    const args: Record<string, Value> = { name: e.live.name ?? "" };
    if (e.live.description !== undefined) args.description = e.live.description;
    args.sandboxName = SANDBOX;
    const shape = membersOf(e.desc.inputs) ?? {};
    for (const k of OWN_ORDER(e.desc)) if (e.inputs[k] !== undefined) args[k] = ordered(e.inputs[k], shape[k]);
    if (typeof args.baseConnectionId === "string") args.baseConnectionId = ref(ident, "baseConnectionId", args.baseConnectionId);
    for (const field of ["sourceConnectionIds", "targetConnectionIds"]) {
      if (Array.isArray(args[field])) args[field] = (args[field] as string[]).map((id) => ref(ident, field, id));
    }
    const secrets: Placeholder[] = [];
    if (e.desc.secretParent && e.secretKeys.length > 0) {
      const holder = holderAt(args, e.desc.secretParent) as Record<string, Value>;
      for (const param of e.secretKeys) {
        const p = { key: configKey(ident, param, used), ident, kind: e.desc.kind, id: e.live.id, param };
        holder[param] = new Secret(p.key);
        secrets.push(p);
      }
      // Keep params in key order with the placeholders among them.
      const sortedHolder = Object.fromEntries(
        Object.keys(holder)
          .sort()
          .map((k) => [k, holder[k]]),
      );
      for (const k of Object.keys(holder)) delete holder[k];
      Object.assign(holder, sortedHolder);
    }
    placeholders.push(...secrets);
    return { kind: e.desc.kind, id: e.live.id, ident, name: e.live.name ?? "", args, secrets };
  });
  return { sandbox: snap.sandbox, resources, placeholders, skipped, literals };
}
