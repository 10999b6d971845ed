// One description per Flow Service entity (source connection, target connection, dataflow…): the
// API path, the input schema, the document a PATCH edits, what forces a replacement, where secrets
// live, the create body, and how a live object reads as inputs. Everything else (check, diff, the
// patch, drift, refresh, conflicts, the client calls, the Pulumi glue, flowservice-plan) is
// generic over it: adding an entity is a description, its schemas and tests.
import { z } from "zod";
import type { LiveConnector } from "./catalog";
import type { CheckFailure } from "./unknown";
import { Json, JsonObject, UNVERIFIED } from "./docPlanner";
import type { PatchOp } from "./vocabulary";
import { FlowId, SandboxName } from "./vocabulary";

export { FlowId, SandboxName } from "./vocabulary";

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** A connection spec's or flow spec's id: Adobe defines them as UUIDs, so anything else is refused in preview. */
export const SpecId = z
  .string()
  .min(1, { message: "must name the spec id" })
  .regex(UUID, { message: "must be a spec id: a UUID such as ecadc60c-7455-4d87-84dc-2a0e293d997b (Adobe's connector table lists them)" });

/** `{ id, version? }` of a connection spec or flow spec. */
export const SpecRef = z
  .object({
    id: SpecId,
    version: z.string().optional(),
  })
  .strict(); // a misspelt member is named, not silently dropped

/** The inputs every entity has, beside its own. */
export const CommonInputs = z.object({
  name: z.string().min(1, { message: "must be a non-empty string (the display name)" }),
  description: z.string().optional(),
  /** The sandbox the object lives in; the stack's flowservice:sandboxName when absent. */
  sandboxName: SandboxName.optional(),
  adoptId: FlowId.optional(),
  deleteOnDestroy: z.boolean().optional(),
  /** Names (only) of the keys under `secretParent` held as secrets: write-only, never compared. */
  secretKeys: z.array(z.string()).default([]),
  /** Set by `check` when sandboxName came from the stack's flowservice:sandboxName, not the program. */
  __sandboxFromStack: z.boolean().optional(),
  /** A version number per secret, bumped when its value changes (see planner.secretVersions). */
  __secretVersions: z.record(z.string(), z.number()).optional(),
});
export type CommonInputs = z.infer<typeof CommonInputs>;

/** The input members the engine may send: the schema's own, less the provider's `__` stamps. */
export function inputKeysOf(schema: z.ZodObject): readonly string[] {
  return Object.keys(schema.shape).filter((k) => !k.startsWith("__"));
}

/** What Flow Service stamps on every object it returns (GET items). Unknown members are kept. */
export const LiveStamps = z
  .object({
    id: z.string(),
    etag: z.string(),
    name: z.string().optional(),
    description: z.string().optional(),
    state: z.string().optional(),
    createdAt: z.number().optional(),
    updatedAt: z.number().optional(),
    createdBy: z.string().optional(),
    updatedBy: z.string().optional(),
    createdClient: z.string().optional(),
    updatedClient: z.string().optional(),
    sandboxName: z.string().optional(),
  })
  .passthrough();
export type LiveObject = z.infer<typeof LiveStamps>;

/** What the provider adds to the inputs in its outputs, for every resource: Flow Service's own stamps as read, and three of its own. */
const { etag, state, createdAt, updatedAt, updatedBy, sandboxName } = LiveStamps.shape;
export const OutputStamps = z.object({
  etag,
  adopted: z.boolean(),
  state,
  createdAt,
  updatedAt,
  updatedBy,
  /** The sandbox the object lives in (the declared one, or the stack's when it was created). */
  sandboxName,
  /** The org and the endpoint host it was created under (core/origin.ts); absent in state from earlier releases. */
  orgId: z.string().optional(),
  endpointHost: z.string().optional(),
});
type Stamps = z.infer<typeof OutputStamps>;
export type EntityOutputs<I extends CommonInputs = CommonInputs> = I & Stamps;

/** An input reached through an action endpoint rather than a PATCH (a flow's `enabled`). */
interface ActionField<I> {
  field: string;
  /** Its value in the inputs (defaults applied); `fromLive` gives the live object's. */
  desired(i: I): Json;
  /** The `op` of POST /{collection}/{id}/action that brings the object to `value`. */
  op(value: Json): string;
  /** The object's `state` once that op is applied. */
  stateAfter(value: Json): string;
}

export interface EntityDescription<I extends CommonInputs = CommonInputs> {
  /** The resource type: `flowservice:<kind>` (dynamic) and `flowservice:index:<kind>`. */
  kind: string;
  /** How messages name one: "Source connection". */
  label: string;
  /** The API collection: "sourceConnections" → POST /sourceConnections, PATCH /sourceConnections/{id}. */
  collection: string;
  /** How messages name several ("connections"); "objects" when absent. */
  plural?: string;
  /** The output that repeats the object's id (a Connection's `connectionId`); none when absent. */
  idOutput?: string;
  inputs: z.ZodType<I>;
  /** The outputs' schema, when more than the inputs and OutputStamps (a Connection's connectionId, verification). */
  outputs?: z.ZodType;
  /** The input members the engine may send (anything else is an output placeholder). */
  inputKeys: readonly string[];
  /** One object as GET returns it (validated before use). */
  live: z.ZodType<LiveObject>;
  /** The document a PATCH edits: ops' paths point into it. Only what Flow Service lets a PATCH change. */
  document(i: I): JsonObject;
  /** Members of the document replaced whole (see docPlanner.planDocPatch). */
  atomic?: readonly string[];
  /** Where `secretKeys` live in the inputs and the document, e.g. ["params"]; none when absent. */
  secretParent?: readonly string[];
  /** What Flow Service cannot PATCH, as dotted paths into the inputs: a change replaces the object. */
  replaceOn: readonly string[];
  /**
   * The PATCH between two documents, when not planDocPatch over them (a Connection's fixed op
   * order): what diff shows, update sends and an adoption sends (checkDiff.planEntityPatch).
   */
  planPatch?(old: JsonObject, next: JsonObject): PatchOp[];
  /**
   * Credentials are tested after each write of them, and a refused write undone
   * (resources/verify.ts): a Connection, whose auth params are an account's credentials.
   */
  verifiesCredentials?: boolean;
  /** Outputs the provider adds that stand until the next write rewrites them (a Connection's verification). */
  carriedOutputs?: readonly string[];
  /** Inputs beside deleteOnDestroy and secretKeys that only the state holds: a change is an update sending nothing. */
  stateInputs?: readonly string[];
  createBody(i: I): JsonObject;
  /** The entity's own inputs as a live object shows them (common members are handled generically). */
  fromLive(live: LiveObject): Record<string, unknown>;
  actions?: readonly ActionField<I>[];
  /**
   * Rules only the live service can decide, run at `up` before any write (api/specs.ts): failures
   * refuse the create, adoption or update. `spec` reads a connector's live spec (once per run).
   */
  liveCheck?(i: I, spec: (connectionSpecId: string) => Promise<LiveConnector>): Promise<CheckFailure[]>;
  /** Rules beyond the schema, on raw inputs that may hold unknown values (skip those). */
  validate?(raw: Record<string, unknown>, olds: Record<string, unknown>, now: number): CheckFailure[];
  /** List filters (besides name and createdAt) that narrow the search after a lost create reply. */
  searchFilters(body: JsonObject): string[];
  /**
   * Flow Service documents only equality filters for this collection: the search sends no
   * `createdAt>=`, and a filter refused with 400 widens it (fewer filters) instead of failing.
   */
  equalityFiltersOnly?: boolean;
  /** After a PATCH answered 2xx without a readable etag: how to reconcile (a refresh, then an up). */
  lostVersionHint?(id: string): string;
  /** Whether a listed object could be the one `body` created. */
  sameCreate(candidate: LiveObject, body: JsonObject): boolean;
  /** What a 1418 (still in use) on delete tells the user to do. */
  inUseHint: string;
  /**
   * Outputs that are no inputs, read by refresh beside the object (a dataflow's `lastRun`): name →
   * schema. resources/readOutputs.ts reads each (carriedOutputs keeps them through an update).
   */
  readOutputs?: { readonly lastRun?: z.ZodType };
}

// biome-ignore lint/suspicious/noExplicitAny: any description, whatever its input type (an existential type)
export type AnyDescription = EntityDescription<any>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The object under `parent` (e.g. params), or {}. */
export function secretHolder(desc: AnyDescription, i: Record<string, unknown>): Record<string, unknown> {
  let v: unknown = i;
  for (const t of desc.secretParent ?? []) v = isObject(v) ? v[t] : undefined;
  return isObject(v) ? v : {};
}

/** The secret values of one resource: redacted from any error text an API reply echoes. */
export function secretValuesOf(desc: AnyDescription, i: CommonInputs): string[] {
  const holder = secretHolder(desc, i as Record<string, unknown>);
  return (desc.secretParent ? i.secretKeys : [])
    .map((k) => holder[k])
    .filter((v) => v !== undefined && v !== null)
    .map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
}

/** `value` with `keys` of the object under `parent` replaced (or dropped when `to` is undefined). */
function withSecrets(
  parent: readonly string[] | undefined,
  value: Record<string, unknown>,
  keys: readonly string[],
  to: (present: boolean) => unknown,
): Record<string, unknown> {
  if (!parent || parent.length === 0 || keys.length === 0) return value;
  const copy = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  let holder: unknown = copy;
  for (const t of parent) holder = isObject(holder) ? holder[t] : undefined;
  if (!isObject(holder)) return copy;
  for (const k of keys) {
    const v = to(k in holder);
    if (v === undefined) delete holder[k];
    else holder[k] = v;
  }
  return copy;
}

/** An absent member, `{}` and `[]` say the same: nothing declared (Flow Service shows defaults as empty). */
export function isEmptyValue(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
}

/** The inputs a live object declares, secrets left out (they cannot be read back). */
export function liveInputs(desc: AnyDescription, live: LiveObject, secretKeys: readonly string[]): Record<string, unknown> {
  const own = Object.fromEntries(Object.entries(desc.fromLive(live)).filter(([, v]) => !isEmptyValue(v)));
  const declared = { name: live.name ?? "", ...(live.description !== undefined ? { description: live.description } : {}), ...own };
  return withSecrets(desc.secretParent, declared, secretKeys, () => undefined);
}

/**
 * A live object as a document to plan from: a secret that is present counts as UNVERIFIED (it
 * equals nothing, so the planner sends the program's value rather than trust it).
 */
export function liveDocument(desc: AnyDescription, live: LiveObject, secretKeys: readonly string[]): JsonObject {
  const declared = {
    name: live.name ?? "",
    ...(live.description !== undefined ? { description: live.description } : {}),
    ...desc.fromLive(live),
  };
  const masked = withSecrets(desc.secretParent, declared, secretKeys, (present) => (present ? UNVERIFIED : undefined));
  return desc.document(masked as never);
}

/**
 * Every field a person can compare between state and Flow Service, flattened to dotted names
 * ("scheduleParams.interval", "params.path"); secrets excluded. What drift and conflicts report.
 */
export function readableFields(desc: AnyDescription, i: Record<string, unknown>, secretKeys: readonly string[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const secretPrefix = desc.secretParent?.join(".");
  const flatten = (v: unknown, name: string): void => {
    if (isObject(v) && Object.keys(v).length > 0) {
      for (const k of Object.keys(v).sort()) flatten(v[k], name ? `${name}.${k}` : k);
    } else if (!isEmptyValue(v)) {
      if (secretPrefix !== undefined && secretKeys.some((k) => name === `${secretPrefix}.${k}` || name.startsWith(`${secretPrefix}.${k}.`)))
        return;
      out.set(name, v);
    }
  };
  flatten(desc.document(i as never), "");
  for (const label of desc.replaceOn) {
    if (![...out.keys()].some((k) => k === label || k.startsWith(`${label}.`))) flatten(getPath(i, label), label);
  }
  for (const a of desc.actions ?? []) out.set(a.field, a.desired(i as never));
  return out;
}

/** The value at a dotted path of the inputs ("params.dataSetId"). */
export function getPath(i: unknown, dotted: string): unknown {
  let v: unknown = i;
  for (const t of dotted.split(".")) v = isObject(v) ? v[t] : undefined;
  return v;
}

/**
 * Whether a live value shows what state declares: every member state declares is equal, and
 * members Flow Service adds (a spec's `version`, defaults) are ignored. Used where the program
 * declares part of an object it cannot patch (specs, `data`).
 */
export function declaredMatch(stored: unknown, live: unknown): boolean {
  if (stored === undefined) return true;
  if (isObject(stored) && isObject(live)) {
    return Object.entries(stored).every(([k, v]) => v === undefined || declaredMatch(v, live[k]));
  }
  if (Array.isArray(stored) && Array.isArray(live))
    return stored.length === live.length && stored.every((v, i) => declaredMatch(v, live[i]));
  return stored === live;
}
