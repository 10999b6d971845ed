// `flowservice-recover`: after an interrupted `pulumi up`, takes the objects its pending creates
// made (any resource type, either door) into the stack's state instead of letting the next `up`
// create them again.
// The command line and exit codes around recover.ts.
import os from "node:os";
import { FlowSession } from "../../provider/api/session";
import { FlowServiceProviderError } from "../../provider/core/errors";
import { StackExportError } from "./export";
import { PulumiCli, PulumiCommandError } from "./pulumi";
import { recover, RecoverDeps, RecoverError, RecoverOptions } from "./recover";
import { renderJson, renderText } from "./render";
import { parseTime } from "./window";
import * as cli from "../cli";

export { UsageError } from "../cli";

/** Nothing interrupted, or the state was written. */
export const EXIT_OK = 0;
export { EXIT_ERROR } from "../cli";
/** Interrupted operations found and not (yet) written: --check, or a dry run without --yes. */
export const EXIT_PENDING = 2;
/** A resource has several possible orphans (or none can be read): a decision (--take) is needed. */
export const EXIT_DECIDE = 3;

export const HELP = `Usage: flowservice-recover [--check | --yes] [options]

Run in the program's folder, with the environment \`pulumi\` needs (backend, passphrase), after a
\`pulumi up\` was interrupted (killed, a CI job cancelled, a lost machine). Such a run leaves
"pending creates" in the stack: Flow Service may hold the objects they made, and the next
\`pulumi up\` would create them a second time. For every resource type of the package (Connection,
SourceConnection, TargetConnection, Dataflow), declared through the dynamic resources or the
provider plugin, flowservice-recover finds each pending create's object — the same create (name,
spec, what tells a replacement apart) and readable fields, created by this client in the
resource's sandbox since the interrupted run began, and held by no stack of the backend — and
writes it into the state (pulumi stack import) as the resource it was meant to be. Interrupted
updates and deletes are refreshed (pulumi refresh --target). Two possible objects for one resource
are reported with their ids, never guessed. The killed run's lock (a file backend's lock file,
taken on this machine by a process that is gone) is removed; any other lock stops the write.

  --check          only list the interrupted operations (reads the state; no credentials, no request):
                   the gate to run before \`pulumi up\` in CI
  -y, --yes        write the state; without it, a dry run that shows what would be written (it does
                   not wait for the interrupted run's provider: it says until when it may still send)
  -s, --stack NAME the stack (default: the selected stack)
  --since TIME     when the interrupted run began (RFC 3339 or epoch ms), when the stack's lock and
                   history cannot tell (a remote self-managed backend after \`pulumi cancel\`)
  --take RESOURCE=ID
                   the object that a resource (name or URN) is, when the search found several;
                   repeatable
  --no-wait        with --yes, do not wait for the interrupted run's provider (its host outlives a
                   killed CLI and may still send requests for retryBudgetMs + requestTimeoutMs): only
                   once it is stopped
  --skip-other-stacks
                   do not read the backend's other stacks to exclude the objects they hold
  --format text|json
  -h, --help       this help

Credentials: the stack's config (\`pulumi config --show-secrets --json\`: flowservice:clientId,
clientSecret or accessToken, orgId, sandboxName, endpoint, imsEndpoint), else the AEP_* variables.
Exit status: 0 nothing interrupted, or the state was written; 2 interrupted operations found, not
written (--check, or no --yes); 3 a decision is needed (--take); 1 error.
`;

export type Format = "text" | "json";

export interface CliOptions extends RecoverOptions {
  format: Format;
  help: boolean;
}

const OPTIONS = {
  check: { type: "boolean" },
  yes: { type: "boolean", short: "y" },
  stack: { type: "string", short: "s" },
  since: { type: "string" },
  take: { type: "string", multiple: true },
  "no-wait": { type: "boolean" },
  "skip-other-stacks": { type: "boolean" },
  ...cli.FORMAT_OPTION,
  ...cli.HELP_OPTION,
} as const;

export function parseArgs(argv: readonly string[]): CliOptions {
  const parsed = cli.parseOptions({ args: [...argv], allowPositionals: false, options: OPTIONS });
  const v = parsed.values;
  const format = cli.formatOf<Format>(v.format, ["text", "json"]);
  if (v.check && v.yes) throw new cli.UsageError("--check only reads: it cannot be combined with --yes");
  let since: number | undefined;
  if (v.since !== undefined) {
    since = parseTime(v.since);
    if (since === undefined)
      throw new cli.UsageError(`--since "${v.since}" is not a time: use RFC 3339 (2024-05-01T10:00:00Z) or milliseconds since the epoch`);
  }
  const takes = new Map<string, string>();
  for (const t of v.take ?? []) {
    const m = /^(.+)=([^=]+)$/.exec(t);
    if (!m) throw new cli.UsageError(`--take "${t}": expected RESOURCE=CONNECTION_ID (the resource's name or URN)`);
    takes.set(m[1], m[2]);
  }
  return {
    check: v.check ?? false,
    yes: v.yes ?? false,
    stack: cli.stackOf(v.stack),
    since,
    takes,
    wait: !(v["no-wait"] ?? false),
    otherStacks: !(v["skip-other-stacks"] ?? false),
    format,
    help: v.help ?? false,
  };
}

/** The whole command, its I/O and dependencies passed in: returns the exit code. */
export async function run(argv: readonly string[], io: cli.Io, deps: (opts: CliOptions) => RecoverDeps): Promise<number> {
  const started = cli.startCommand("flowservice-recover", io, () => parseArgs(argv), HELP, EXIT_OK);
  if ("exit" in started) return started.exit;
  const opts = started.opts;
  try {
    const report = await recover(opts, deps(opts));
    io.stdout(opts.format === "json" ? renderJson(report) : renderText(report, { stack: opts.stack }));
    if (report.refreshFailed) return cli.EXIT_ERROR;
    return report.status === "pending" ? EXIT_PENDING : report.status === "ambiguous" ? EXIT_DECIDE : EXIT_OK;
  } catch (e) {
    const known =
      e instanceof RecoverError ||
      e instanceof PulumiCommandError ||
      e instanceof StackExportError ||
      e instanceof FlowServiceProviderError;
    if (!known) throw e;
    io.stderr(`flowservice-recover: ${(e as Error).message}\n`);
    return cli.EXIT_ERROR;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The real dependencies: the pulumi CLI on PATH in this folder, and the provider's own API session. */
export function realDeps(opts: CliOptions, io: cli.Io): RecoverDeps {
  return {
    pulumi: new PulumiCli({ cwd: process.cwd(), stack: opts.stack }),
    connect: (config) => new FlowSession(config).client,
    env: process.env,
    now: Date.now,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    hostname: os.hostname(),
    alive,
    progress: (line) => io.stderr(`flowservice-recover: ${line}\n`),
  };
}

/** Entry point of bin/flowservice-recover.js. */
export function main(argv: readonly string[]): Promise<void> {
  return cli.runMain("flowservice-recover", (io) => run(argv, io, (opts) => realDeps(opts, io)));
}
