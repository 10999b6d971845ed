// `flowservice-health`: the command line and exit codes around health.ts.
import { FlowSession } from "../../provider/api/session";
import { resolveConfig } from "../../provider/core/config";
import { FlowServiceProviderError } from "../../provider/core/errors";
import { resourceType } from "../../provider/core/registry";
import type { ProviderConfig } from "../../provider/core/schemas";
import { StackExportError, parseStackExport, resourceNameOf } from "../recover/export";
import { PulumiCli, PulumiCommandError } from "../recover/pulumi";
import { type FlowHealth, type FlowRef, type HealthOptions, sandboxHealth, summarize } from "./health";
import { renderJson, renderMarkdown, renderText } from "./render";
import * as cli from "../cli";

export { UsageError } from "../cli";

export const EXIT_OK = 0;
export { EXIT_ERROR } from "../cli";
const EXIT_UNHEALTHY = 2;

export const HELP = `Usage: flowservice-health [--stack NAME | --sandbox NAME] [options]

The health of dataflows from their runs: each flow's last run, and the runs that failed (or partly
failed) since a time, with their cause. A failure on the source's credentials is named as such,
with the connection to fix (flow → source connection → base connection) and whether its test
passes now. Run in the program's folder, with the environment \`pulumi\` needs.

  -s, --stack NAME     the dataflows of this stack (default: the selected stack), read from
                       \`pulumi stack export\`
  --sandbox NAME       every dataflow of this sandbox instead
  --since TIME         the window's start: RFC 3339, epoch ms, or a duration back from now
                       (30m, 24h, 7d); default 24h
  --retrigger          re-trigger (POST /runs/{id}/action?op=re-trigger) the runs that failed on
                       credentials since the flow's last run that did not fail, when every
                       connection named passes its test now; never for a disabled flow
  --partial-threshold PERCENT
                       a partial success is unhealthy above this share of failed records
                       (default 5)
  -f, --format text|markdown|json
  -h, --help           this help

Credentials: the stack's config (\`pulumi config --show-secrets --json\`: flowservice:clientId,
clientSecret or accessToken, orgId, sandboxName, endpoint, imsEndpoint), else the AEP_* variables
(with --sandbox, the AEP_* variables alone when there is no stack).
Exit status: 0 every dataflow is healthy; 2 a dataflow is unhealthy (listed); 1 error.
`;

export type Format = "text" | "markdown" | "json";

export interface CliOptions {
  stack?: string;
  sandbox?: string;
  since: number;
  retrigger: boolean;
  partialThreshold: number;
  format: Format;
  help: boolean;
}

const OPTIONS = {
  stack: { type: "string", short: "s" },
  sandbox: { type: "string" },
  since: { type: "string" },
  retrigger: { type: "boolean" },
  "partial-threshold": { type: "string" },
  ...cli.FORMAT_OPTION,
  ...cli.HELP_OPTION,
} as const;

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** RFC 3339, epoch ms, or a duration back from `now` ("24h"). */
function parseSince(text: string, now: number): number | undefined {
  const d = /^(\d+)([mhd])$/.exec(text);
  if (d) return now - Number(d[1]) * UNIT_MS[d[2]];
  const t = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  return Number.isFinite(t) ? t : undefined;
}

export function parseArgs(argv: readonly string[], now: number): CliOptions {
  const parsed = cli.parseOptions({ args: [...argv], allowPositionals: false, options: OPTIONS });
  const v = parsed.values;
  const format = cli.formatOf<Format>(v.format, ["text", "markdown", "json"]);
  if (v.stack !== undefined && v.sandbox !== undefined) throw new cli.UsageError("give --stack or --sandbox, not both");
  const since = parseSince(v.since ?? "24h", now);
  if (since === undefined)
    throw new cli.UsageError(`--since "${v.since}" is not a time: use 24h, 7d, RFC 3339 (2024-05-01T10:00:00Z) or epoch ms`);
  const threshold = Number(v["partial-threshold"] ?? "5");
  if (!Number.isFinite(threshold) || threshold < 0 || threshold > 100) {
    throw new cli.UsageError(`--partial-threshold "${v["partial-threshold"]}" must be a percentage from 0 to 100`);
  }
  return {
    stack: cli.stackOf(v.stack),
    sandbox: v.sandbox === undefined ? undefined : cli.sandboxOf(v.sandbox),
    since,
    retrigger: v.retrigger ?? false,
    partialThreshold: threshold / 100,
    format,
    help: v.help ?? false,
  };
}

interface HealthDeps {
  pulumi: { exportStack(stack?: string): Promise<string>; config(): Promise<Record<string, string>> };
  connect: (config: ProviderConfig) => Parameters<typeof sandboxHealth>[0];
  env: Record<string, string | undefined>;
}

/** The stack's dataflows (either door), and its connections' resource names by id. */
function stackFlows(exportText: string, defaultSandbox: string): { refs: FlowRef[]; names: Map<string, string> } {
  const exp = parseStackExport(exportText);
  const refs: FlowRef[] = [];
  const names = new Map<string, string>();
  for (const r of exp.deployment.resources ?? []) {
    const kind = resourceType(r.type)?.kind;
    if (!r.id || !kind) continue;
    if (kind === "Connection") names.set(r.id, resourceNameOf(r.urn));
    if (kind === "Dataflow") {
      const sandbox = typeof r.outputs?.sandboxName === "string" ? r.outputs.sandboxName : defaultSandbox;
      refs.push({ id: r.id, resource: resourceNameOf(r.urn), sandbox });
    }
  }
  return { refs, names };
}

export async function run(
  argv: readonly string[],
  io: cli.Io,
  makeDeps: (opts: CliOptions) => HealthDeps,
  now = Date.now(),
): Promise<number> {
  const started = cli.startCommand("flowservice-health", io, () => parseArgs(argv, now), HELP, EXIT_OK);
  if ("exit" in started) return started.exit;
  const opts = started.opts;
  const deps = makeDeps(opts);
  try {
    let cfg: Record<string, string> = {};
    try {
      cfg = await deps.pulumi.config();
    } catch (e) {
      if (opts.sandbox === undefined) throw e; // a stack's health needs its stack
    }
    const config = resolveConfig((k) => cfg[k], deps.env);
    const client = deps.connect(config);
    const health: HealthOptions = { since: opts.since, partialThreshold: opts.partialThreshold, retrigger: opts.retrigger };
    const flows: FlowHealth[] = [];
    if (opts.sandbox !== undefined) {
      flows.push(...(await sandboxHealth(client, opts.sandbox, undefined, health)));
    } else {
      const { refs, names } = stackFlows(await deps.pulumi.exportStack(opts.stack), config.sandboxName);
      for (const sandbox of [...new Set(refs.map((r) => r.sandbox))]) {
        flows.push(
          ...(await sandboxHealth(
            client,
            sandbox,
            refs.filter((r) => r.sandbox === sandbox),
            health,
            names,
          )),
        );
      }
    }
    const report = summarize(flows, health);
    io.stdout(opts.format === "json" ? renderJson(report) : opts.format === "markdown" ? renderMarkdown(report) : renderText(report));
    return report.healthy ? EXIT_OK : EXIT_UNHEALTHY;
  } catch (e) {
    const known = e instanceof PulumiCommandError || e instanceof StackExportError || e instanceof FlowServiceProviderError;
    if (!known) throw e;
    io.stderr(`flowservice-health: ${(e as Error).message}\n`);
    return cli.EXIT_ERROR;
  }
}

export function realDeps(opts: { stack?: string }): HealthDeps {
  return {
    pulumi: new PulumiCli({ cwd: process.cwd(), stack: opts.stack }),
    connect: (config) => new FlowSession(config).client,
    env: process.env,
  };
}

/** Entry point of bin/flowservice-health.js. */
export function main(argv: readonly string[]): Promise<void> {
  return cli.runMain("flowservice-health", (io) => run(argv, io, realDeps));
}
