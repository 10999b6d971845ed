// The outputs a description reads beside the object on refresh (EntityDescription.readOutputs):
// a dataflow's lastRun, from its lastRunDetails and the session's batched run reads.
import type { FlowSession } from "../api/session";
import type { AnyDescription, EntityOutputs, LiveObject } from "../core/entity";
import { plainJson } from "../core/vocabulary";
import { lastRunOf } from "../core/runs";

/** `outs` with each read output as Flow Service shows it now (absent when there is none). */
export async function withReadOutputs(s: FlowSession, desc: AnyDescription, live: LiveObject, outs: EntityOutputs): Promise<EntityOutputs> {
  if (!desc.readOutputs?.lastRun) return outs;
  const { lastRun: _previous, ...rest } = outs as EntityOutputs & { lastRun?: unknown };
  const details = (live as { lastRunDetails?: { id?: unknown } }).lastRunDetails;
  if (typeof details?.id !== "string") return rest as EntityOutputs;
  const run = await s.runs.run(details.id, { sandbox: live.sandboxName ?? outs.sandboxName });
  return run ? plainJson({ ...rest, lastRun: lastRunOf(run) } as EntityOutputs) : (rest as EntityOutputs);
}
