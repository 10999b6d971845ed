// What source and target connections share: the same body (name, description, baseConnectionId,
// connectionSpec, data, params), the same PATCH document, the same reading of a live object.
//
// Patchable (the document): name and description (like every Flow Service object) and params, per
// key: Adobe's tutorials PATCH a source connection's `/params/filters`
// (sources/tutorials/api/filter.md, "Update your source connection with filtering conditions").
// Replaced: connectionSpec (the connector), baseConnectionId (the account) and data (format,
// schema): no Adobe document patches them, and update-dataflows.md warns that a dataflow does not
// follow changes of its source and target connections ("create a new pair of source and target
// connections, as well as a new dataflow"). A replacement gives a new id, so the dataflow that
// references it is replaced too (see dataflow.ts).
import { z } from "zod";
import type { CheckFailure } from "../unknown";
import { JsonObject, jsonEqual } from "../docPlanner";
import { CommonInputs, inputKeysOf, declaredMatch, EntityDescription, FlowId, LiveObject, LiveStamps, SpecRef } from "../entity";

export const Params = z.record(z.string(), z.json());

export const ConnectionLikeInputs = CommonInputs.extend({
  baseConnectionId: FlowId.optional(),
  connectionSpec: SpecRef,
  data: z.record(z.string(), z.unknown()).optional(),
  params: Params.optional(),
});
export type ConnectionLikeInputs = z.infer<typeof ConnectionLikeInputs>;

const LiveConnectionLike = LiveStamps.extend({
  baseConnectionId: z.string().optional(),
  connectionSpec: z.object({ id: z.string(), version: z.string().optional() }).passthrough(),
  data: z.record(z.string(), z.unknown()).optional(),
  params: z.record(z.string(), z.unknown()).optional(),
});
type LiveConnectionLike = z.infer<typeof LiveConnectionLike>;

/** Members present only: Flow Service bodies carry no `undefined`. */
function defined(o: Record<string, unknown>): JsonObject {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as JsonObject;
}

interface ConnectionLikeOptions<I extends ConnectionLikeInputs> {
  kind: string;
  label: string;
  collection: string;
  inputs: z.ZodObject & z.ZodType<I>;
  inUseHint: string;
  /** Params whose change replaces the object (beside connectionSpec, baseConnectionId and data). */
  replaceParams?: readonly string[];
  validate?(raw: Record<string, unknown>): CheckFailure[];
}

export function connectionLike<I extends ConnectionLikeInputs>(o: ConnectionLikeOptions<I>): EntityDescription<I> {
  return {
    kind: o.kind,
    label: o.label,
    collection: o.collection,
    inputs: o.inputs,
    inputKeys: inputKeysOf(o.inputs),
    live: LiveConnectionLike,
    // No params and `{}` are the same.
    document: (i) =>
      defined({ name: i.name, description: i.description, params: i.params && Object.keys(i.params).length > 0 ? i.params : undefined }),
    secretParent: ["params"],
    replaceOn: ["connectionSpec", "baseConnectionId", "data", ...(o.replaceParams ?? []).map((p) => `params.${p}`)],
    createBody: (i) =>
      defined({
        name: i.name,
        description: i.description,
        baseConnectionId: i.baseConnectionId,
        connectionSpec: defined(i.connectionSpec),
        data: i.data as JsonObject | undefined,
        params: i.params,
      }),
    fromLive: (live: LiveObject) => {
      const l = live as LiveConnectionLike;
      return defined({
        baseConnectionId: l.baseConnectionId,
        connectionSpec: defined({ id: l.connectionSpec.id, version: l.connectionSpec.version }),
        data: l.data,
        params: l.params,
      });
    },
    validate: o.validate ? (raw) => o.validate!(raw) : undefined,
    searchFilters: (body) => [`connectionSpec.id==${(body.connectionSpec as { id: string }).id}`],
    sameCreate: (candidate, body) => {
      const c = candidate as LiveConnectionLike;
      // `data` too: a replacement's old object (same name, created minutes ago) is never taken for the new one.
      return (
        c.name === body.name &&
        c.connectionSpec?.id === (body.connectionSpec as { id: string }).id &&
        (c.baseConnectionId === undefined || c.baseConnectionId === body.baseConnectionId) &&
        declaredMatch(body.data, c.data) &&
        (o.replaceParams ?? []).every((k) => jsonEqual(c.params?.[k], (body.params as Record<string, unknown> | undefined)?.[k]))
      );
    },
    inUseHint: o.inUseHint,
  };
}
