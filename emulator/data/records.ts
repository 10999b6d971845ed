// The stored shape of every entity (zod schemas; the types are inferred from them). Every entity
// carries the same stamp: id, who and when, org and sandbox, and the etag (= version).
import { z } from "zod";

export const CONNECTION_STATES = ["enabled", "disabled", "initializing", "draft"] as const;
type ConnectionState = (typeof CONNECTION_STATES)[number];
/** States in which a connection may be updated or deleted (FLOW-1416 otherwise). */
export const MUTABLE_STATES: readonly ConnectionState[] = ["enabled", "disabled", "initializing"];

const FLOW_STATES = ["enabled", "disabled"] as const;

const SpecRef = z.object({ id: z.string(), version: z.string() });
const Json = z.record(z.string(), z.unknown());

const Stamp = z.object({
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
  version: z.string(),
  etag: z.string(),
});
export type Stamp = z.infer<typeof Stamp>;

export const ConnectionSchema = Stamp.extend({
  name: z.string(),
  description: z.string().optional(),
  connectionSpec: SpecRef,
  state: z.enum(CONNECTION_STATES),
  /** Absent for a connector without auth specs (the Data Lake). */
  auth: z.object({ specName: z.string(), params: Json }).optional(),
});
export type Connection = z.infer<typeof ConnectionSchema>;

/** Source and target connections share one shape; a target's name is optional. */
export const DataConnectionSchema = Stamp.extend({
  name: z.string().optional(),
  description: z.string().optional(),
  baseConnectionId: z.string().optional(),
  connectionSpec: SpecRef,
  state: z.literal("enabled"),
  data: Json,
  params: Json.optional(),
});
export type DataConnection = z.infer<typeof DataConnectionSchema>;

export const FlowSchema = Stamp.extend({
  name: z.string(),
  description: z.string().optional(),
  flowSpec: SpecRef,
  state: z.enum(FLOW_STATES),
  sourceConnectionIds: z.array(z.string()),
  targetConnectionIds: z.array(z.string()),
  transformations: z.array(z.object({ name: z.string(), params: Json })),
  scheduleParams: Json,
  lastOperation: z.object({ started: z.number().int(), updated: z.number().int(), operation: z.string() }),
});
export type Flow = z.infer<typeof FlowSchema>;

export const FlagsSchema = z.object({ usedByFlows: z.boolean(), testResult: z.boolean() });
export type Flags = z.infer<typeof FlagsSchema>;

export const DEFAULT_FLAGS: Flags = { usedByFlows: false, testResult: true };

/** A record's name and description, each only when it has one (Flow Service omits an absent member). */
export function named<R extends { name?: string; description?: string }>(r: R): Pick<R, "name" | "description"> {
  const out = { ...(r.name !== undefined ? { name: r.name } : {}), ...(r.description !== undefined ? { description: r.description } : {}) };
  return out as Pick<R, "name" | "description">;
}
