// One resource kind served by the plugin, over the SAME glue the dynamic resource uses (a
// pulumi.dynamic.ResourceProvider from provider/resources): every operation goes through it, so
// whatever changes there (verification, batched reads, recovery) reaches plugin users too. This
// file only adds what the gRPC protocol has and dynamic providers lack: secrets unwrapped on the
// way in and marked on the way out, a detailed diff naming each changed field, and import.
import type * as pulumi from "@pulumi/pulumi";
import type { SchemaResource } from "./schema";
import { changedLeaves, ChangeKind, formatPath, isPrefix, PropertyPath, unwrapSecrets, wrapSecrets } from "./wire";

type Props = Record<string, unknown>;

/** What the plugin needs to know of a resource kind beyond its glue. */
export interface PluginResourceKind extends SchemaResource {
  provider: pulumi.dynamic.ResourceProvider;
  /** Input paths whose change means a new object (the glue decides; these name them in the diff). */
  replacePaths: PropertyPath[];
  /** Paths the kind always holds as secret in inputs or outputs, beyond those the program marked. */
  secretPaths(value: Props): PropertyPath[];
  /** The program's args, with the paths it marked secret, as the glue's check expects them. */
  beforeCheck?(news: Props, marked: PropertyPath[]): Props;
  /** Check failures that do not apply to this resource's history (e.g. an imported connection's unreadable secrets). */
  keepFailure?(failure: { property: string; reason: string }, olds: Props, news: Props): boolean;
  /** After `pulumi import` read an object: what cannot be read back is left out, with notes for the user. */
  afterImport?(read: { props: Props; inputs: Props }): { props: Props; inputs: Props; notes: string[] };
}

export interface DetailedChange {
  path: string;
  kind: ChangeKind;
  replace: boolean;
}

interface DiffOutcome {
  changes: boolean;
  replaces: string[];
  changedKeys: string[];
  detailed: DetailedChange[];
  deleteBeforeReplace: boolean;
}

const plainOf = (v: Props | undefined) => unwrapSecrets(v ?? {}) as { value: Props; secrets: PropertyPath[] };
const isInternal = (key: string) => key.startsWith("__");
const inputPart = (v: Props): Props => Object.fromEntries(Object.entries(v).filter(([k]) => !isInternal(k)));
const outgoing = (kind: PluginResourceKind, v: Props, marked: PropertyPath[]) => wrapSecrets(v, [...marked, ...kind.secretPaths(v)]);

export async function checkResource(kind: PluginResourceKind, olds: Props | undefined, news: Props | undefined) {
  const o = plainOf(olds);
  const n = plainOf(news);
  const args = kind.beforeCheck ? kind.beforeCheck(n.value, n.secrets) : n.value;
  const r = await (kind.provider.check as NonNullable<pulumi.dynamic.ResourceProvider["check"]>)(o.value, args);
  const inputs = (r.inputs ?? {}) as Props;
  const failures = (r.failures ?? []).filter((f) => kind.keepFailure?.(f, o.value, inputs) ?? true);
  return { inputs: outgoing(kind, inputs, n.secrets), failures };
}

export async function diffResource(
  kind: PluginResourceKind,
  id: string,
  olds: Props | undefined,
  news: Props | undefined,
  oldInputs: Props | undefined,
): Promise<DiffOutcome> {
  const o = plainOf(olds).value;
  const n = plainOf(news).value;
  const r = await (kind.provider.diff as NonNullable<pulumi.dynamic.ResourceProvider["diff"]>)(id, o, n);
  const replaces = r.replaces ?? [];
  if (!r.changes) return { changes: false, replaces: [], changedKeys: [], detailed: [], deleteBeforeReplace: false };
  // What the program changed: its last inputs against its new ones; the applied outputs when the
  // inputs alone do not show it (state from before inputs were recorded).
  const newInputs = inputPart(n);
  let leaves = changedLeaves(inputPart(plainOf(oldInputs).value), newInputs);
  if (leaves.length === 0) leaves = changedLeaves(pick(o, Object.keys(newInputs)), newInputs);
  const detailed = leaves.map(({ path, kind: k }) => ({
    path: formatPath(path),
    kind: k,
    replace: replaces.length > 0 && kind.replacePaths.some((p) => isPrefix(p, path) || isPrefix(path, p)),
  }));
  const changedKeys = [...new Set(leaves.map((l) => String(l.path[0])))];
  return { changes: true, replaces, changedKeys, detailed, deleteBeforeReplace: r.deleteBeforeReplace ?? false };
}

function pick(v: Props, keys: string[]): Props {
  return Object.fromEntries(keys.filter((k) => k in v).map((k) => [k, v[k]]));
}

export async function createResource(kind: PluginResourceKind, news: Props | undefined): Promise<{ id: string; props: Props }> {
  const n = plainOf(news);
  const r = await (kind.provider.create as pulumi.dynamic.ResourceProvider["create"] & object)(n.value);
  return { id: r.id, props: outgoing(kind, (r.outs ?? {}) as Props, n.secrets) };
}

type ReadResult = { gone: true } | { gone: false; id: string; props: Props; inputs: Props; notes: string[] };

/**
 * Refresh (state given) and import (only an id). The glue's read takes stored outputs; an import
 * has none, so it reads the object as found and the kind leaves out what cannot be read back.
 */
export async function readResource(
  kind: PluginResourceKind,
  id: string,
  props: Props | undefined,
  inputs: Props | undefined,
): Promise<ReadResult> {
  const importing = !props || Object.keys(props).length === 0;
  const p = plainOf(props);
  const i = plainOf(inputs);
  const r = await (kind.provider.read as NonNullable<pulumi.dynamic.ResourceProvider["read"]>)(id, p.value);
  if (!r.id) return { gone: true };
  let outs = (r.props ?? {}) as Props;
  let newInputs = (r.inputs ?? i.value) as Props;
  let notes: string[] = [];
  if (importing && kind.afterImport) ({ props: outs, inputs: newInputs, notes } = kind.afterImport({ props: outs, inputs: newInputs }));
  return { gone: false, id: r.id, props: outgoing(kind, outs, p.secrets), inputs: outgoing(kind, newInputs, i.secrets), notes };
}

export async function updateResource(
  kind: PluginResourceKind,
  id: string,
  olds: Props | undefined,
  news: Props | undefined,
): Promise<Props> {
  const n = plainOf(news);
  const r = await (kind.provider.update as NonNullable<pulumi.dynamic.ResourceProvider["update"]>)(id, plainOf(olds).value, n.value);
  return outgoing(kind, (r.outs ?? {}) as Props, n.secrets);
}

export async function deleteResource(kind: PluginResourceKind, id: string, props: Props | undefined): Promise<void> {
  await (kind.provider.delete as NonNullable<pulumi.dynamic.ResourceProvider["delete"]>)(id, plainOf(props).value);
}

/** A failure after which the object exists or changed must still reach state (the glue attaches id and properties). */
export function partialFailure(
  kind: PluginResourceKind,
  e: unknown,
  news: Props | undefined,
): { id: string; props: Props; reasons: string[] } | undefined {
  const err = e as { id?: unknown; properties?: unknown; reasons?: unknown; message?: string };
  if (typeof err?.id !== "string" || !err.id || !err.properties || typeof err.properties !== "object") return undefined;
  const { __provider: _ignored, ...props } = err.properties as Props;
  const reasons = Array.isArray(err.reasons) ? err.reasons.map(String) : [String(err.message)];
  return { id: err.id, props: outgoing(kind, props, plainOf(news).secrets), reasons };
}
