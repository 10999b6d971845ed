// flowservice-health's output: text (a terminal, a CI log), markdown (a CI comment or a scheduled
// job's summary) and JSON (tools). Secrets never reach here: runs and tests carry none.
import type { FlowHealth, HealthReport } from "./health";

const CAUSE_WORDS: Record<string, string> = {
  credentials: "credentials",
  processing: "processing error",
  partialSuccess: "partial success",
  other: "failed",
  disabled: "disabled",
  "no-run": "no run yet",
  missing: "missing",
};

function flowLabel(f: FlowHealth): string {
  const name = f.resource ?? f.name ?? f.id;
  return `${name} (${f.id}${f.resource && f.name && f.name !== f.resource ? `, "${f.name}"` : ""}, sandbox ${f.sandbox})`;
}

function connectionLines(f: FlowHealth): string[] {
  return f.connections.map((c) => {
    const test =
      c.testPasses === true
        ? "its test passes now"
        : c.testPasses === false
          ? "its test fails now"
          : `its test could not run (${c.testError})`;
    return `connection to fix: ${c.name ? `${c.name} ` : ""}${c.id} — ${test}`;
  });
}

function retriggerLines(f: FlowHealth): string[] {
  return f.retriggered.map((r) =>
    r.newRunId ? `re-triggered run ${r.runId} → new run ${r.newRunId}` : `not re-triggered${r.runId ? ` ${r.runId}` : ""}: ${r.skipped}`,
  );
}

function detailLines(f: FlowHealth): string[] {
  const failed =
    f.failedRuns.length > 0
      ? [
          `failed or partial runs since the window start: ${f.failedRuns.length} (${[...new Set(f.failedRuns.map((r) => CAUSE_WORDS[r.cause]))].join(", ")})`,
        ]
      : [];
  return [...failed, ...connectionLines(f), ...retriggerLines(f)];
}

export function renderText(report: HealthReport): string {
  const unhealthy = report.flows.filter((f) => !f.healthy);
  const lines = [
    report.flows.length === 0
      ? "No dataflows to check."
      : unhealthy.length === 0
        ? `All ${report.flows.length} dataflows are healthy (runs since ${report.since}).`
        : `${unhealthy.length} of ${report.flows.length} dataflows are unhealthy (runs since ${report.since}):`,
  ];
  for (const f of report.flows) {
    const mark = f.healthy ? "ok  " : "FAIL";
    const cause = f.cause ? ` [${CAUSE_WORDS[f.cause]}]` : "";
    lines.push(
      `${mark} ${flowLabel(f)}${cause}: ${f.summary}${f.lastRun?.startedAt ? ` (last run ${f.lastRun.id} at ${f.lastRun.startedAt})` : ""}`,
    );
    for (const d of detailLines(f)) lines.push(`       ${d}`);
  }
  return `${lines.join("\n")}\n`;
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function renderMarkdown(report: HealthReport): string {
  const unhealthy = report.flows.filter((f) => !f.healthy);
  const head =
    unhealthy.length === 0
      ? `### Dataflow health: all ${report.flows.length} healthy`
      : `### Dataflow health: ${unhealthy.length} of ${report.flows.length} unhealthy`;
  const rows = report.flows.map((f) =>
    [
      f.healthy ? "✅" : "❌",
      `\`${cell(f.resource ?? f.name ?? f.id)}\``,
      f.cause ? CAUSE_WORDS[f.cause] : "",
      cell(f.summary),
      cell(f.lastRun ? `${f.lastRun.status}${f.lastRun.startedAt ? ` at ${f.lastRun.startedAt}` : ""}` : "none"),
      cell(detailLines(f).join("; ")),
    ].join(" | "),
  );
  return [
    head,
    "",
    `Runs since ${report.since}; a partial success is unhealthy above ${report.partialThreshold * 100}% failed records.`,
    "",
    "| | dataflow | cause | what happened | last run | to do |",
    "|---|---|---|---|---|---|",
    ...rows.map((r) => `| ${r} |`),
    "",
  ].join("\n");
}

export function renderJson(report: HealthReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
