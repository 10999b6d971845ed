// Control routes for runs: the clock (GET /__emulator/clock, POST /__emulator/clock/advance),
// injected run failures (/__emulator/runs/failures) and every run as stored (GET /__emulator/runs).
import { z } from "zod";
import type { Reply } from "../data/context";
import { FailureInput } from "../data/runFailures";
import type { EmulatorState } from "./state";

const AdvanceBody = z
  .object({
    seconds: z.number().min(0).optional(),
    minutes: z.number().min(0).optional(),
    hours: z.number().min(0).optional(),
  })
  .refine((b) => b.seconds !== undefined || b.minutes !== undefined || b.hours !== undefined, "give seconds, minutes or hours");

function clockView(state: EmulatorState): Record<string, unknown> {
  const now = state.clock.now();
  return { now, nowIso: new Date(now).toISOString(), offsetMs: state.clock.offset };
}

/** Answers a runs control route, or undefined when `route` ("METHOD /path") is not one. */
export function handleRunControl(
  state: EmulatorState,
  route: string,
  parse: <T extends z.ZodType>(schema: T) => z.output<T>,
): Reply | undefined {
  switch (route) {
    case "GET /clock":
      return { status: 200, body: clockView(state) };
    case "POST /clock/advance": {
      const b = parse(AdvanceBody);
      const before = state.runs.all().length;
      state.runs.catchUp(); // runs due before the jump see the world as it was
      state.clock.advance(((b.hours ?? 0) * 3600 + (b.minutes ?? 0) * 60 + (b.seconds ?? 0)) * 1000);
      state.runs.catchUp();
      return { status: 200, body: { ...clockView(state), runsStarted: state.runs.all().length - before } };
    }
    case "GET /runs":
      state.runs.catchUp();
      return { status: 200, body: { items: state.runs.all() } };
    case "GET /runs/failures":
      return { status: 200, body: { items: state.runs.failures.list() } };
    case "POST /runs/failures":
      return { status: 200, body: state.runs.failures.add(parse(FailureInput)) };
    case "DELETE /runs/failures":
      return { status: 200, body: { ok: true, cleared: state.runs.failures.clear() } };
  }
  return undefined;
}
