// Failures injected into the runs still to come (POST /__emulator/runs/failures): processing
// errors (CONNECTOR-2001-500, a failed run) and partial success (some records failed). Credential
// failures need no injection: they follow the source system's refusals (/__emulator/refuse-credentials).
import { randomUUID } from "node:crypto";
import { z } from "zod";

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

export class RunFailures {
  private items: InjectedFailure[] = [];

  add(input: z.output<typeof FailureInput>): InjectedFailure {
    const f: InjectedFailure = { ...input, id: randomUUID(), remaining: input.times === "always" ? null : input.times };
    this.items.push(f);
    return f;
  }

  list(): InjectedFailure[] {
    return this.items.map((f) => ({ ...f }));
  }

  clear(): number {
    const n = this.items.length;
    this.items = [];
    return n;
  }

  /** The first failure that applies to a run of this flow, counted as used. */
  take(flowId: string): InjectedFailure | undefined {
    const f = this.items.find((x) => x.flowId === undefined || x.flowId === flowId);
    if (!f) return undefined;
    if (f.remaining !== null) {
      f.remaining -= 1;
      if (f.remaining <= 0) this.items = this.items.filter((x) => x !== f);
    }
    return { ...f };
  }
}
