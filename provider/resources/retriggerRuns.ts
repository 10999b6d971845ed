// Connection `retriggerFailedRuns`: once a credential write has passed its test (verify.ts), the
// runs of the dataflows reading through the connection that failed on credentials are re-triggered
// (api/retrigger.ts), and the outputs say which. The write stands whatever happens here: a failure
// of this step is recorded in `retriggeredRuns.error`, never thrown (the state must keep the new etag).
import type { CallOptions } from "../api/client";
import { retriggerThrough } from "../api/retrigger";
import type { FlowSession } from "../api/session";
import { plainJson as plain } from "../core/vocabulary";
import type { ConnectionInputs, ConnectionOutputs, PatchOp } from "../core/schemas";
import { writesCredentials } from "../core/verification";

/** The resource's choice, else the stack's (flowservice:retriggerFailedRuns, default false). */
function retriggerOn(s: FlowSession, inputs: Pick<ConnectionInputs, "retriggerFailedRuns">): boolean {
  return inputs.retriggerFailedRuns ?? s.config.retriggerFailedRuns;
}

export async function retriggerAfterWrite(
  s: FlowSession,
  inputs: ConnectionInputs,
  ops: readonly PatchOp[],
  outs: ConnectionOutputs,
  call: CallOptions,
): Promise<ConnectionOutputs> {
  if (!writesCredentials(ops)) return outs;
  if (outs.verification !== "passed" || !retriggerOn(s, inputs)) {
    // The record is of the last credential write: this one re-triggered nothing.
    const { retriggeredRuns: _previous, ...rest } = outs;
    return rest as ConnectionOutputs;
  }
  try {
    return plain({ ...outs, retriggeredRuns: await retriggerThrough(s.client, outs.connectionId, call) });
  } catch (e) {
    const error = `re-triggering the failed runs did not finish: ${(e as Error).message}. Run flowservice-health --retrigger to finish it.`;
    return plain({ ...outs, retriggeredRuns: { at: new Date().toISOString(), runs: [], skipped: [], error } });
  }
}
