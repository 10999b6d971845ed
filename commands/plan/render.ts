// `flowservice-plan`'s three renderings of a plan (plan.ts): text for terminals, markdown for a
// pull-request comment, json for machines.
import { ACTIONS, type Action, type Plan, type PlanEntry, type Summary, type Unplanned } from "./plan";

const SYMBOL: Record<Action, string> = { create: "+", adopt: "+", update: "~", replace: "+-", delete: "-", unchanged: " " };

/** "update (no request: state only)", "delete (kept remotely)"…: the action as people read it. */
function actionLabel(c: PlanEntry): string {
  if (c.action === "update" && c.pending) return "update (patch decided at up)";
  if (c.action === "update" && c.ops && c.ops.length === 0) return "update (no request: state only)";
  if (c.action === "delete" && c.keptRemotely) return "delete (kept remotely)";
  if (c.action === "replace" && c.fromSandboxName !== undefined) return `replace (moved from sandbox ${c.fromSandboxName})`;
  return c.action;
}

/** A step that could not be planned, as an error line: the plan is incomplete without it. */
function unplannedLine(u: Unplanned): string {
  return `${u.resourceName} (${u.type}, ${u.op}) cannot be planned, so this plan is incomplete: ${u.reason}`;
}

/** "2 to create, 1 to update": never "no changes" while some steps could not be planned (`unplanned`). */
function summaryLine(s: Summary, unplanned = 0): string {
  const parts = (["create", "adopt", "update", "replace", "delete"] as const).filter((a) => s[a] > 0).map((a) => `${s[a]} to ${a}`);
  if (unplanned > 0) parts.unshift(`${unplanned} that cannot be planned (incomplete)`);
  const changes = parts.length > 0 ? parts.join(", ") : "no changes";
  return s.unchanged > 0 ? `${changes}, ${s.unchanged} unchanged` : changes;
}

/** The API collection of an entry: /connections, or a pipeline resource's. */
function collectionOf(c: PlanEntry): string {
  return `/${c.collection ?? "connections"}`;
}

function whatIsSent(c: PlanEntry): string | undefined {
  const col = collectionOf(c);
  switch (c.action) {
    case "create":
      return `POST ${col}`;
    case "update":
      if (c.pending) return `PATCH ${col}/${c.connectionId}`;
      if (c.ops && c.ops.length > 0) return `PATCH ${col}/${c.connectionId}${c.ifMatch ? ` (If-Match: ${c.ifMatch})` : ""}`;
      return c.actions && c.actions.length > 0 ? undefined : "no request";
    case "delete":
      return c.keptRemotely
        ? `no request (the ${c.resourceType ? "object" : "connection"} stays in Flow Service)`
        : `DELETE ${col}/${c.connectionId}`;
    case "adopt":
      return `GET ${col}/${c.connectionId}, then a PATCH if it differs from the program`;
    default:
      return undefined;
  }
}

/** The connections grouped by the sandbox each change touches, so a reviewer sees what reaches prod. */
function bySandbox(plan: Plan): Array<{ sandbox: string | undefined; connections: PlanEntry[]; summary: Summary }> {
  const groups = new Map<string | undefined, PlanEntry[]>();
  for (const c of plan.connections) groups.set(c.sandboxName, [...(groups.get(c.sandboxName) ?? []), c]);
  const keys = [...groups.keys()].sort((a, b) => (a === undefined ? 1 : b === undefined ? -1 : a.localeCompare(b)));
  return keys.map((sandbox) => {
    const connections = groups.get(sandbox) as PlanEntry[];
    const summary = Object.fromEntries(ACTIONS.map((a) => [a, connections.filter((c) => c.action === a).length])) as Summary;
    return { sandbox, connections, summary };
  });
}

/** How a group is titled: "sandbox prod", or why its sandbox is not known before `up`. */
function sandboxTitle(sandbox: string | undefined, code: (t: string) => string): string {
  return sandbox === undefined
    ? "sandbox not known before `up` (a value computed during `up`, or the stack's default)"
    : `sandbox ${code(sandbox)}`;
}

/** Everything `up` sends for an entry, one line per request: the PATCH or POST, then any action calls. */
function requestLines(c: PlanEntry): string[] {
  return [whatIsSent(c), ...(c.actions ?? [])].filter((l): l is string => l !== undefined);
}

export function renderText(plan: Plan): string {
  const lines: string[] = [];
  const where = plan.stack ? ` for stack ${plan.stack}` : "";
  lines.push(`Flow Service plan${where}: ${summaryLine(plan.summary, plan.unplanned.length)}`);
  for (const e of plan.errors) lines.push(`error: the preview failed, so this plan is incomplete: ${e}`);
  if (plan.interrupted) lines.push(`error: ${plan.interrupted}`);
  for (const u of plan.unplanned) lines.push(`error: ${unplannedLine(u)}`);
  for (const group of bySandbox(plan)) {
    const title = sandboxTitle(group.sandbox, (t) => t);
    lines.push("", `${title[0].toUpperCase()}${title.slice(1)}: ${summaryLine(group.summary)}`);
    for (const c of group.connections) renderTextEntry(c, lines);
  }
  return lines.join("\n") + "\n";
}

function renderTextEntry(c: PlanEntry, lines: string[]): void {
  lines.push("");
  const id = c.connectionId ? ` [${c.connectionId}]` : "";
  const name = c.name !== undefined ? ` ${JSON.stringify(c.name)}` : "";
  lines.push(`${SYMBOL[c.action].padEnd(2)} ${c.resourceName}: ${actionLabel(c)}${name}${id}`);
  const sent = whatIsSent(c);
  if (sent) lines.push(`     ${sent}`);
  for (const op of c.ops ?? []) lines.push(`       ${JSON.stringify(op)}`);
  if (c.body && c.action === "create") lines.push(`       ${JSON.stringify(c.body)}`);
  for (const a of c.actions ?? []) lines.push(`     ${a}`);
  if (c.test && c.action !== "replace") lines.push(`     then ${c.test}`);
  if (c.stateOnly) lines.push(`     changes in state only: ${c.stateOnly.join(", ")}`);
  for (const d of c.replaceDetails ?? []) lines.push(`     forced by ${d}`);
  for (const n of c.notes ?? []) lines.push(`     note: ${n}`);
  if (c.body && c.action === "replace") {
    lines.push(
      `     the new ${c.resourceType ? "object" : "connection"}'s POST ${collectionOf(c)} body:`,
      `       ${JSON.stringify(c.body)}`,
    );
  }
  if (c.test && c.action === "replace") lines.push(`     then ${c.test}`);
}

/** Marks the comment as this tool's, so CI can find and update it rather than add another. */
export const MARKDOWN_MARKER = "<!-- flowservice-plan -->";

/** A code fence longer than any backtick run in `text`, so a value cannot close it. */
function fence(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return "`".repeat(Math.max(3, longest + 1));
}

/** Text safe in a list item: no HTML of its own, one line. */
function inline(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Text safe inside a table cell or list item: no pipe, newline, backtick or HTML of its own. */
function cell(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/\r?\n/g, " ")
    .replace(/`/g, "'")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

export function renderMarkdown(plan: Plan): string {
  const out: string[] = [MARKDOWN_MARKER, `### Flow Service plan${plan.stack ? ` for \`${cell(plan.stack)}\`` : ""}`, ""];
  out.push(`**${summaryLine(plan.summary, plan.unplanned.length)}**`, "");
  for (const e of plan.errors) out.push(`> **Error:** the preview failed, so this plan is incomplete: ${cell(e)}`, "");
  if (plan.interrupted) out.push(`> **Error:** ${cell(plan.interrupted)}`, "");
  for (const u of plan.unplanned) out.push(`> **Error:** ${cell(unplannedLine(u))}`, "");
  if (plan.connections.length === 0) {
    if (plan.unplanned.length === 0) out.push("No Flow Service connection is touched by this change.");
    return out.join("\n") + "\n";
  }
  for (const group of bySandbox(plan)) {
    const title = sandboxTitle(group.sandbox, (t) => `\`${cell(t)}\``);
    out.push(`#### ${title[0].toUpperCase()}${title.slice(1)}: ${summaryLine(group.summary)}`, "");
    out.push("| Resource | Action | Connection | Sent to Flow Service |", "| --- | --- | --- | --- |");
    for (const c of group.connections) {
      const conn = [c.name !== undefined ? cell(c.name) : "", c.connectionId ? `\`${cell(c.connectionId)}\`` : ""]
        .filter(Boolean)
        .join("<br>");
      const sent = [
        ...(c.action === "replace"
          ? (c.replaceDetails ?? []).map((d) => `forced by ${d}`)
          : requestLines(c).length > 0
            ? requestLines(c)
            : [""]),
        ...(c.test ? [`then ${c.test}`] : []),
      ];
      out.push(`| \`${cell(c.resourceName)}\` | ${actionLabel(c)} | ${conn} | ${sent.map(cell).join("<br>")} |`);
    }
    out.push("");
  }
  for (const c of plan.connections) {
    const block = c.ops && c.ops.length > 0 ? c.ops : c.body;
    const extra = [...(c.stateOnly ? [`Changes in Pulumi's state only: ${c.stateOnly.join(", ")}.`] : []), ...(c.notes ?? [])];
    if (block === undefined && extra.length === 0) continue;
    const where = c.sandboxName !== undefined ? ` in sandbox \`${cell(c.sandboxName)}\`` : "";
    out.push("", `#### \`${cell(c.resourceName)}\`: ${actionLabel(c)}${where}`, "");
    if (block !== undefined) {
      // Ops one per line: a reviewer reads a patch op by op.
      const json =
        c.ops && c.ops.length > 0 ? `[\n${c.ops.map((op) => `  ${JSON.stringify(op)}`).join(",\n")}\n]` : JSON.stringify(block, null, 2);
      const f = fence(json);
      if (c.ops && c.ops.length > 0) out.push(`${inline(whatIsSent(c) ?? "")}:`, "", `${f}json`, json, f, "");
      // A create body is long and holds nothing surprising: folded.
      else
        out.push(
          `<details><summary>POST ${collectionOf(c)} body${c.action === "replace" ? ` (the new ${c.resourceType ? "object" : "connection"})` : ""}</summary>`,
          "",
          `${f}json`,
          json,
          f,
          "",
          "</details>",
          "",
        );
    }
    for (const n of extra) out.push(`- ${inline(n)}`);
  }
  return (
    out
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .trimEnd() + "\n"
  );
}

export function renderJson(plan: Plan): string {
  const connections = plan.connections.map((c) => {
    const o: Record<string, unknown> = { urn: c.urn, resourceName: c.resourceName, action: c.action };
    for (const k of [
      "type",
      "door",
      "resourceType",
      "id",
      "connectionId",
      "name",
      "sandboxName",
      "fromSandboxName",
      "ops",
      "ifMatch",
      "actions",
      "body",
      "replaceReasons",
      "replaceDetails",
      "keptRemotely",
      "stateOnly",
      "pending",
      "test",
      "notes",
    ] as const) {
      if (c[k] !== undefined) o[k] = c[k];
    }
    return o;
  });
  const out: Record<string, unknown> = { connections, summary: plan.summary };
  if (plan.stack) out.stack = plan.stack;
  if (plan.errors.length > 0) out.errors = plan.errors;
  if (plan.interrupted) out.interrupted = plan.interrupted;
  if (plan.unplanned.length > 0) out.unplanned = plan.unplanned;
  return JSON.stringify(out, null, 2) + "\n";
}
