// The targets of the pipeline scenario: P pipelines, 4P resources. Requests are judged
// against what each command needs at the least ("the floor"), by method; times are reported
// against the trivial provider but not judged (no target was set for them).
import { fmtFlow } from "./benchFormat";
import { PipelineResult, pipelineRefreshFloor, RESOURCES_PER_PIPELINE, Target } from "./benchTypes";

/** The same requests by method (a method absent counts as 0). */
export const sameFlow = (a: Record<string, number>, b: Record<string, number>) =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])].every((k) => (a[k] ?? 0) === (b[k] ?? 0));

export function pipelineTargets(p: PipelineResult): Target[] {
  const t: Target[] = [];
  const P = p.pipelines;
  const R = P * RESOURCES_PER_PIPELINE;
  const at = `pipelines=${P} (${R} resources)`;
  const o = p.ours.ops;
  const check = (label: string, op: keyof typeof o, ok: (flow: Record<string, number>) => boolean) => {
    const x = o[op];
    if (x) t.push({ name: `${at}: ${label}`, ok: ok(x.flow) && x.token <= 1, detail: `${fmtFlow(x.flow)}, ${x.token} token` });
  };
  // One POST per object; each object read back once for its stamps; the base connection's credentials tested once;
  // one listing per collection (the duplicate check, api/duplicates.ts).
  check(`up creating all sends ${R} POSTs + ${R} read-backs + ${P} credential tests + 4 listings (GET), ≤1 token`, "create", (f) =>
    sameFlow(f, { POST: R, GET: R + P + 4 }),
  );
  check("up with no change makes no request", "up-nochange", (f) => Object.keys(f).length === 0);
  // Every collection comes from the sandbox's listings (connections, source and target
  // connections, flows): ⌈P/50⌉+1 requests each at most, whatever P.
  const floor = pipelineRefreshFloor(P);
  check(
    `refresh reads the 4 collections from listings: ≤ 4 × (⌈${P}/50⌉+1) = ${floor} GETs, ≤1 token`,
    "refresh",
    (f) => Object.keys(f).every((m) => m === "GET") && (f.GET ?? 0) <= floor,
  );
  check(`destroy sends exactly ${R} DELETEs, ≤1 token`, "destroy", (f) => sameFlow(f, { DELETE: R }));
  for (const op of Object.keys(p.trivial.ops) as Array<keyof typeof o>) {
    const x = p.trivial.ops[op];
    if (x && x.flowTotal + x.token > 0)
      t.push({ name: `${at}: the trivial provider makes no request (${op})`, ok: false, detail: `${fmtFlow(x.flow)}, ${x.token} token` });
  }
  return t;
}
