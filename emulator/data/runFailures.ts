// Failures injected into the runs still to come (POST /__emulator/runs/failures): processing
// errors (CONNECTOR-2001-500, a failed run) and partial success (some records failed). Credential
// failures need no injection: they follow the source system's refusals (/__emulator/refuse-credentials).
import { z } from "zod";
import { counted, Rules } from "./rules";

export const FailureInput = z.object({
  /** Only runs of this flow; absent = any flow. */
  flowId: z.string().min(1).optional(),
  kind: z.enum(["processing", "partialSuccess"]),
  /** partialSuccess: how many of the run's 1000 records fail (default 100). */
  failedRecords: z.number().int().min(1).max(1000).optional(),
  /** The text of the error's extensions.errorDetail. */
  detail: z.string().min(1).optional(),
  /** How many runs it applies to; "always" = every run until cleared. */
  times: z.union([z.number().int().positive(), z.literal("always")]).default("always"),
});

export type InjectedFailure = z.output<typeof FailureInput> & { id: string; remaining: number | null };

export class RunFailures extends Rules<InjectedFailure, InjectedFailure> {
  constructor() {
    super((f) => ({ ...f }));
  }

  add(input: z.output<typeof FailureInput>): InjectedFailure {
    return this.keep({ ...input, ...counted(input.times) });
  }

  /** The first failure that applies to a run of this flow, counted as used. */
  take(flowId: string): InjectedFailure | undefined {
    return this.takeFirst((f) => f.flowId === undefined || f.flowId === flowId);
  }
}
