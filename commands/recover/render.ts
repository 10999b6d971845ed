// flowservice-recover's report, for people (text) and machines (json). Never a secret: ids, names
// of resources, times and etags only.
import { DESCRIPTIONS } from "../../provider/core/registry";
import type { Report, ReportItem } from "./recover";

/** How the report names an item's object: "connection", "source connection", "dataflow"; "object" when its type is not known. */
const noun = (i: ReportItem) => DESCRIPTIONS.find((d) => d.kind === i.type)?.label.toLowerCase() ?? "object";
const collection = (i: ReportItem) => DESCRIPTIONS.find((d) => d.kind === i.type)?.collection ?? "{collection}";

const iso = (ms: number | undefined) => (ms === undefined ? "unknown" : new Date(ms).toISOString());

const KIND: Record<string, string> = { creating: "create", updating: "update", deleting: "delete", reading: "read", importing: "import" };

function describe(i: ReportItem, report: Report): string {
  switch (i.outcome) {
    case "interrupted":
      return i.kind === "creating"
        ? `interrupted: Flow Service may hold its ${noun(i)}, which \`pulumi up\` would create a second time`
        : i.kind === "updating"
          ? `interrupted: the update may have been applied, so the state may not show the ${noun(i)}'s version (\`pulumi up\` would meet a version conflict)`
          : "interrupted: the state may not show what Flow Service holds";
    case "recovered":
      return `${i.chosen ? "taken (--take)" : "recovered"}: ${noun(i)} ${i.connectionId} (created ${iso(i.createdAt)}), etag ${i.etag}`;
    case "not-created":
      return `not created: no ${noun(i)} of this client with its name, spec and readable fields was created since ${iso(report.notBefore)}; the next \`pulumi up\` creates it`;
    case "adopt":
      return `adopt of ${i.adoptId}: nothing was created; the next \`pulumi up\` adopts it again`;
    case "ambiguous":
      return `AMBIGUOUS: ${i.candidates?.length} ${noun(i)}s could be its orphan: ${(i.candidates ?? []).map((c) => `${c.id} (created ${iso(c.createdAt)})`).join(", ")}`;
    case "undecidable":
      return `UNDECIDED: ${i.reason}`;
    case "in-state":
      return `already in state as ${noun(i)} ${i.connectionId} (an up after the interruption created it): the pending create is dropped`;
    case "superseded":
      return (
        `DECIDE: in state as ${noun(i)} ${i.connectionId} (an up after the interruption created it again), and the interrupted run created ` +
        `${(i.candidates ?? []).map((c) => `${c.id} (created ${iso(c.createdAt)})`).join(", ")}: keep the one in state and delete the other, ` +
        `or --take ${i.resourceName}=<id> to keep the interrupted run's (the next \`pulumi up\` then deletes ${i.connectionId})`
      );
    case "refresh":
      return "refreshed from Flow Service (`pulumi refresh --target`): its live version enters the state; the next `pulumi up` re-sends what differs, secrets included";
    default:
      return "dropped (Pulumi drops interrupted reads and imports too)";
  }
}

export function renderText(report: Report, opts: { stack?: string } = {}): string {
  const lines: string[] = [];
  if (report.status === "clean") return `Stack ${report.stack}: no interrupted operation. Nothing to recover.\n`;
  lines.push(`Stack ${report.stack}: ${report.items.length} operation${report.items.length === 1 ? " was" : "s were"} interrupted.`);
  if (report.runStart) {
    lines.push(
      `The interrupted run began at or after ${iso(report.runStart.at)} (from ${report.runStart.source}); objects created since ${iso(report.notBefore)} ` +
        `(${Math.round((report.runStart.at - (report.notBefore ?? report.runStart.at)) / 1000)} s earlier, for clock skew) were considered.`,
    );
  }
  const width = Math.max(...report.items.map((i) => i.resourceName.length));
  for (const i of report.items)
    lines.push(`  ${i.resourceName.padEnd(width)}  ${(KIND[i.kind] ?? i.kind).padEnd(6)}  ${describe(i, report)}`);
  for (const n of report.notes) lines.push(`Note: ${n}.`);
  const stackArg = opts.stack ? ` --stack ${opts.stack}` : "";
  const count = (o: string) => report.items.filter((i) => i.outcome === o).length;
  switch (report.status) {
    case "pending": {
      const creates = report.items.some((i) => i.kind === "creating");
      lines.push(
        !report.items.every((i) => i.outcome === "interrupted")
          ? `Nothing was written (dry run). Run \`flowservice-recover --yes${stackArg}\` to write this into the stack's state.`
          : creates
            ? `Run \`flowservice-recover${stackArg}\` before \`pulumi up\`: an up now would create what the interrupted creates made a second time.`
            : `Run \`flowservice-recover --yes${stackArg}\` before \`pulumi up\`: it refreshes the interrupted ${report.items.length === 1 ? "resource" : "resources"} from Flow Service, ` +
              "so that the next up starts from their live versions (no create was interrupted: nothing can be created twice).",
      );
      break;
    }
    case "ambiguous": {
      const open = report.items.filter((i) => i.outcome === "ambiguous" || i.outcome === "undecidable" || i.outcome === "superseded");
      lines.push(
        `Nothing was written: ${open.length} resource${open.length === 1 ? " needs" : "s need"} a decision. Find which object is the resource ` +
          `(${[...new Set(open.map((i) => `GET /${collection(i)}/{id}`))].join(", ")}, or the Experience Platform UI), then run:`,
      );
      const takes = open.map((i) => `--take ${i.resourceName}=${i.candidates?.[0]?.id ?? "<id>"}`).join(" ");
      lines.push(`  flowservice-recover --yes${stackArg} ${takes}`);
      lines.push(
        `(each with the id you chose), and delete the objects no resource takes: ${[...new Set(open.map((i) => `DELETE /${collection(i)}/{id}`))].join(", ")}, or the Experience Platform UI.`,
      );
      break;
    }
    case "written":
      lines.push(
        `State written (pulumi stack import): ${count("recovered")} resource${count("recovered") === 1 ? "" : "s"} taken into the state, ` +
          `${count("not-created") + count("adopt") + count("in-state")} pending create${count("not-created") + count("adopt") + count("in-state") === 1 ? "" : "s"} dropped, ${count("refresh")} refreshed.`,
      );
      lines.push(
        report.refreshFailed
          ? `The refresh failed: run \`pulumi refresh\` yourself before \`pulumi up\`.\n${report.refreshFailed}`
          : "Next: `pulumi up` (it creates what was not created and sends nothing for what was recovered).",
      );
      break;
  }
  return lines.join("\n") + "\n";
}

export function renderJson(report: Report): string {
  return JSON.stringify(report, null, 2) + "\n";
}
