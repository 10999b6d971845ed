// `flowservice-plan`: reads `pulumi preview --json` (a file, or stdin), prints what `up` will send
// to Flow Service. The I/O around render.ts; exit codes for CI: 0 nothing changes, 2 something
// will, 1 error.
import fs from "node:fs";
import { interruptedWarning, parseStackExport, StackExportError } from "../recover/export";
import { buildPlan, hasChanges, type Plan } from "./plan";
import { parsePreview, PlanInputError } from "./preview";
import { renderJson, renderMarkdown, renderText } from "./render";
import * as cli from "../cli";

export { UsageError } from "../cli";

export const EXIT_NO_CHANGES = 0;
export { EXIT_ERROR } from "../cli";
export const EXIT_CHANGES = 2;

export type Format = "text" | "markdown" | "json";
const FORMATS: readonly Format[] = ["text", "markdown", "json"];

export const HELP = `Usage: flowservice-plan [FILE | -] [--format text|markdown|json] [--stack-export FILE]

Shows, for each Flow Service resource in the output of \`pulumi preview --json\` (Connection,
SourceConnection, TargetConnection and Dataflow, declared through the dynamic resources,
pulumi-nodejs:dynamic/flowservice:*, or the provider plugin, flowservice:index:*), what
\`pulumi up\` will do and send: create, adopt, update (with the exact JSON Patch ops, and a
dataflow's ENABLE/DISABLE action calls), replace (with the property that forces it), delete,
unchanged. Secret values are never shown: they read [secret].

  FILE             the saved output of \`pulumi preview --json\`; stdin when absent or "-"
  -f, --format FORMAT
                   text (default, for terminals), markdown (a pull-request comment) or json
  --stack-export FILE
                   the saved output of \`pulumi stack export\`: operations an interrupted run left
                   pending (which the preview does not show) make the plan an error (exit 1),
                   since \`up\` would create their connections a second time
  -h, --help       this help

Unchanged resources are listed only if the preview ran with --show-sames.
The preview needs no credentials and sends no request; \`pulumi preview --refresh --json\`
also reads Flow Service first, to include drift (that needs credentials).

Exit status: 0 when no resource changes, 2 when some will, 1 on error (unreadable input,
not preview JSON, a failed preview, a step of a flowservice type it cannot plan, pending
operations in --stack-export, a bad option).
Example:  pulumi preview --json > preview.json; flowservice-plan preview.json --format markdown
`;

interface Options {
  format: Format;
  /** undefined or "-": stdin. */
  file?: string;
  /** The output of `pulumi stack export`, checked for pending operations. */
  stackExport?: string;
  help: boolean;
}

const OPTIONS = {
  ...cli.FORMAT_OPTION,
  ...cli.HELP_OPTION,
  "stack-export": { type: "string" },
} as const;

export function parseArgs(argv: readonly string[]): Options {
  const parsed = cli.parseOptions(
    { args: [...argv], allowPositionals: true, options: OPTIONS },
    { format: "a value: text, markdown or json", "stack-export": "a file: the saved output of `pulumi stack export`" },
  );
  const { values, positionals } = parsed;
  const format = cli.formatOf(values.format, FORMATS);
  if (positionals.length > 1) throw new cli.UsageError(`one input at a time, got ${positionals.length}: ${positionals.join(" ")}`);
  const stackExport = values["stack-export"];
  return {
    format,
    file: positionals[0],
    help: values.help ?? false,
    ...(stackExport !== undefined ? { stackExport } : {}),
  };
}

export interface Io extends cli.Io {
  readFile: (path: string) => string;
  readStdin: () => Promise<string>;
}

/** The whole command, with its I/O passed in: returns the exit code. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const started = cli.startCommand("flowservice-plan", io, () => parseArgs(argv), HELP, EXIT_NO_CHANGES);
  if ("exit" in started) return started.exit;
  const opts = started.opts;
  let text: string;
  const source = opts.file === undefined || opts.file === "-" ? "stdin" : opts.file;
  try {
    text = source === "stdin" ? await io.readStdin() : io.readFile(source);
  } catch (e) {
    io.stderr(`flowservice-plan: cannot read ${source}: ${(e as Error).message}\n`);
    return cli.EXIT_ERROR;
  }
  let plan: Plan;
  try {
    plan = buildPlan(parsePreview(text));
  } catch (e) {
    if (!(e instanceof PlanInputError)) throw e;
    io.stderr(`flowservice-plan: ${source}: ${e.message}\n`);
    return cli.EXIT_ERROR;
  }
  if (opts.stackExport !== undefined) {
    try {
      plan.interrupted = interruptedWarning(parseStackExport(io.readFile(opts.stackExport), opts.stackExport));
    } catch (e) {
      io.stderr(`flowservice-plan: ${e instanceof StackExportError ? "" : `cannot read ${opts.stackExport}: `}${(e as Error).message}\n`);
      return cli.EXIT_ERROR;
    }
  }
  const render = opts.format === "markdown" ? renderMarkdown : opts.format === "json" ? renderJson : renderText;
  // A failed preview still renders what it has (CI posts it), flagged as incomplete, and exits 1.
  io.stdout(render(plan));
  if (plan.errors.length > 0) {
    io.stderr(`flowservice-plan: the preview failed, the plan is incomplete:\n${plan.errors.map((e) => `  ${e}`).join("\n")}\n`);
    return cli.EXIT_ERROR;
  }
  if (plan.unplanned.length > 0) {
    const list = plan.unplanned.map((u) => `  ${u.resourceName} (${u.type}, ${u.op}): ${u.reason}`).join("\n");
    io.stderr(
      `flowservice-plan: ${plan.unplanned.length} Flow Service resource step${plan.unplanned.length === 1 ? "" : "s"} cannot be planned, so the plan is incomplete (what \`up\` sends for ${plan.unplanned.length === 1 ? "it" : "them"} is not shown):\n${list}\n` +
        "Upgrade flowservice-plan to the version of the provider the program uses, or review `pulumi preview --diff` for these resources.\n",
    );
    return cli.EXIT_ERROR;
  }
  if (plan.interrupted) {
    io.stderr(`flowservice-plan: ${plan.interrupted}\n`);
    return cli.EXIT_ERROR;
  }
  return hasChanges(plan) ? EXIT_CHANGES : EXIT_NO_CHANGES;
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on("data", (c: Buffer) => chunks.push(c));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

/** Entry point of bin/flowservice-plan.js. */
export function main(argv: readonly string[]): Promise<void> {
  return cli.runMain("flowservice-plan", (io) => run(argv, { ...io, readFile: (p) => fs.readFileSync(p, "utf8"), readStdin }));
}
