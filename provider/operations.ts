// Create, read, update and delete of one connection: plain async functions over the API client.
// The Pulumi glue (dynamicProvider.ts) only adapts these to the engine's calls.
import { FlowServiceClient } from "./client";
import { ApiError, ConflictError, FlowServiceProviderError } from "./errors";
import { planPatch } from "./planner";
import { ConnectionInputs, ConnectionOutputs } from "./schemas";
import { buildOutputs, desiredFromInputs, desiredFromLive, describeConflict, refreshedState } from "./state";

export interface Context {
  client: FlowServiceClient;
  sandboxName: string;
}

/** The secret values of a resource: redacted from any error text an API reply echoes. */
export function secretValues(i: Pick<ConnectionInputs, "auth" | "secretKeys">): string[] {
  return i.secretKeys.map((k) => i.auth.params[k]).filter((v) => v !== undefined).map(String);
}

export async function createConnection(ctx: Context, inputs: ConnectionInputs): Promise<{ id: string; outs: ConnectionOutputs }> {
  if (inputs.adoptId) return adoptConnection(ctx, inputs, inputs.adoptId);
  const write = await ctx.client.createConnection(
    {
      name: inputs.name,
      description: inputs.description,
      connectionSpec: inputs.connectionSpec,
      auth: inputs.auth,
    },
    secretValues(inputs),
  );
  // The connection exists from here on: a failed read of its metadata must not lose it.
  const live = await ctx.client.getConnection(write.id).catch(() => undefined);
  return { id: write.id, outs: buildOutputs(inputs, write, { live, adopted: false }) };
}

async function adoptConnection(ctx: Context, inputs: ConnectionInputs, id: string): Promise<{ id: string; outs: ConnectionOutputs }> {
  const live = await ctx.client.getConnection(id);
  if (!live) {
    throw new FlowServiceProviderError(
      "NOT_FOUND",
      `adoptId ${id}: no such connection in sandbox "${ctx.sandboxName}". Check the id (GET /connections/${id}) and flowservice:sandboxName.`,
    );
  }
  if (live.connectionSpec.id !== inputs.connectionSpec.id || live.auth?.specName !== inputs.auth.specName) {
    throw new FlowServiceProviderError(
      "VALIDATION",
      `adoptId ${id}: the connection uses connector ${live.connectionSpec.id} with auth spec "${live.auth?.specName}", ` +
        `but the program declares ${inputs.connectionSpec.id} with "${inputs.auth.specName}". A connection's connector cannot change: ` +
        `declare the connection as it is, or drop adoptId to create a new one.`,
    );
  }
  const ops = planPatch(desiredFromLive(live, inputs.secretKeys), desiredFromInputs(inputs));
  let etag = live.etag;
  if (ops.length > 0) {
    etag = (await ctx.client.patchConnection(id, ops, live.etag, secretValues(inputs), inputs.secretKeys)).etag;
  }
  return { id, outs: buildOutputs(inputs, { id, etag }, { live, adopted: true }) };
}

export type ReadOutcome =
  | { gone: true }
  | { gone: false; outs: ConnectionOutputs; inputs?: ConnectionInputs; drift: string[] };

export async function readConnection(ctx: Context, id: string, outs: ConnectionOutputs): Promise<ReadOutcome> {
  const live = await ctx.client.getConnection(id);
  if (!live) return { gone: true };
  const r = refreshedState(outs, live);
  return { gone: false, outs: r.outputs, inputs: r.inputs, drift: r.drift.map((d) => d.field) };
}

export async function updateConnection(ctx: Context, id: string, olds: ConnectionOutputs, news: ConnectionInputs): Promise<ConnectionOutputs> {
  const ops = planPatch(desiredFromInputs(olds), desiredFromInputs(news));
  if (ops.length === 0) {
    return buildOutputs(news, { id, etag: olds.etag }, { previous: olds, adopted: olds.adopted });
  }
  try {
    const write = await ctx.client.patchConnection(id, ops, olds.etag, secretValues(news), news.secretKeys);
    return buildOutputs(news, write, { previous: olds, adopted: olds.adopted });
  } catch (e) {
    if (e instanceof ApiError && e.status === 412) {
      const live = await ctx.client.getConnection(id).catch(() => undefined);
      throw new ConflictError(describeConflict(id, olds, live), id, olds.etag, live?.etag);
    }
    throw e;
  }
}

export async function deleteConnection(ctx: Context, id: string, outs: ConnectionOutputs): Promise<"deleted" | "absent" | "retained"> {
  // An adopted connection existed before the stack: it outlives it unless the program says otherwise.
  const deleteIt = outs.deleteOnDestroy ?? !outs.adopted;
  if (!deleteIt) return "retained";
  try {
    return await ctx.client.deleteConnection(id);
  } catch (e) {
    if (e instanceof ApiError && e.code === "IN_USE") {
      throw new FlowServiceProviderError(
        "IN_USE",
        `${e.message}. Connection ${id} ("${outs.name}") is used by dataflows: delete or reassign those dataflows first, ` +
          `or keep the connection by setting deleteOnDestroy: false (or the retainOnDelete resource option).`,
      );
    }
    throw e;
  }
}
