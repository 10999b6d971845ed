// The targets of the pipeline scenario: P pipelines, 4P resources. Requests are judged
// against what each command needs at the least ("the floor"), by method; times are reported
// against the trivial provider but not judged (no target was set for them).
import { fmtFlow } from "./benchFormat";
import { PipelineResult, REFRESH_READS_PER_REQUEST, RESOURCES_PER_PIPELINE, Target } from "./benchTypes";

const same = (a: Record<string, number>, b: Record<string, number>) => {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => (a[k] ?? 0) === (b[k] ?? 0));
};

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
    same(f, { POST: R, GET: R + P + 4 }),
  );
  check("up with no change makes no request", "up-nochange", (f) => Object.keys(f).length === 0);
  // Base connections come from the sandbox's listing; source, target and flow are read one GET each.
  const lists = Math.ceil(P / REFRESH_READS_PER_REQUEST) + 1;
  check(
    `refresh makes ≤ ${lists} list requests for the ${P} base connections + ${R - P} single GETs, ≤1 token`,
    "refresh",
    (f) => Object.keys(f).every((m) => m === "GET") && (f.GET ?? 0) <= R - P + lists,
  );
  check(`destroy sends exactly ${R} DELETEs, ≤1 token`, "destroy", (f) => same(f, { DELETE: R }));
  for (const op of Object.keys(p.trivial.ops) as Array<keyof typeof o>) {
    const x = p.trivial.ops[op];
    if (x && x.flowTotal + x.token > 0)
      t.push({ name: `${at}: the trivial provider makes no request (${op})`, ok: false, detail: `${fmtFlow(x.flow)}, ${x.token} token` });
  }
  return t;
}
