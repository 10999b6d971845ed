// `flowservice-discover`: writes the Pulumi program that takes over what a sandbox already holds.
// The command line and exit codes around discover.ts.
import fs from "node:fs";
import path from "node:path";
import { FlowSession } from "../../provider/api/session";
import type { FlowServiceClient } from "../../provider/api/client";
import { resolveConfig } from "../../provider/core/config";
import { FlowServiceProviderError } from "../../provider/core/errors";
import { discover, LANGUAGES, type Language, OutputConflictError, writeProgram } from "./discover";
import { SelectionError } from "./model";
import * as cli from "../cli";

export { UsageError } from "../cli";

/** The program was written and declares every object read. */
export const EXIT_OK = 0;
export { EXIT_ERROR } from "../cli";
/** The program was written, but some objects could not be expressed: listed on stderr and in its README. */
const EXIT_LEFT_OUT = 2;

export const HELP = `Usage: flowservice-discover --sandbox NAME [--language typescript|python|yaml] [--out DIR] [options]

Reads every connection, source connection, target connection and dataflow of a sandbox (GET
requests only) and writes a Pulumi program that manages them: one resource per object, named after
it, references between them as outputs, every write-only secret as a stack-config placeholder, and
the take-over route of the language (adoptId for TypeScript's dynamic resources, Pulumi's import
option for the provider plugin's), so that the first \`pulumi up\` creates nothing. The program's
README.md lists the secrets to set and the objects that could not be expressed.

  --sandbox NAME      the sandbox to read (required)
  --language LANG     typescript (default), python (the pulumi_flowservice SDK) or yaml
  --out DIR           where to write the program (default ./flowservice-NAME); files there that
                      differ are not overwritten without --force
  --connector SPEC_ID only the connections of this connection spec, the dataflows through them,
                      and what those depend on
  --name GLOB         only objects whose name matches (* and ?, case-sensitive), and what they depend on
  --flow ID           only this dataflow and what it depends on
  --plugin-path DIR   yaml: name the provider plugin's folder in Pulumi.yaml (else install it)
  --force             overwrite files in --out that differ
  --endpoint URL, --ims-endpoint URL, --client-id ID, --org-id ORG
                      instead of AEP_FLOW_ENDPOINT, AEP_IMS_ENDPOINT, AEP_CLIENT_ID, AEP_ORG_ID
  -h, --help          this help

Credentials: AEP_CLIENT_ID, AEP_CLIENT_SECRET (or AEP_ACCESS_TOKEN), AEP_ORG_ID, and optionally
AEP_FLOW_ENDPOINT, AEP_IMS_ENDPOINT, AEP_SCOPES (secrets only from the environment, never flags).
Exit status: 0 the program was written with every object; 2 it was written, and some objects
could not be expressed (listed on stderr and in its README); 1 error (nothing written).
`;

export interface CliOptions {
  sandbox: string;
  language: Language;
  out: string;
  connector?: string;
  name?: string;
  flow?: string;
  pluginPath?: string;
  force: boolean;
  /** flowservice:* keys given as flags. */
  config: Record<string, string>;
  help: boolean;
}

const OPTIONS = {
  sandbox: { type: "string" },
  language: { type: "string", short: "l" },
  out: { type: "string", short: "o" },
  connector: { type: "string" },
  name: { type: "string" },
  flow: { type: "string" },
  "plugin-path": { type: "string" },
  force: { type: "boolean" },
  endpoint: { type: "string" },
  "ims-endpoint": { type: "string" },
  "client-id": { type: "string" },
  "org-id": { type: "string" },
  ...cli.HELP_OPTION,
} as const;

export function parseArgs(argv: readonly string[]): CliOptions {
  const parsed = cli.parseOptions({ args: [...argv], allowPositionals: false, options: OPTIONS });
  const v = parsed.values;
  const help = v.help ?? false;
  const sandbox = v.sandbox ?? "";
  if (!help) {
    if (!v.sandbox) throw new cli.UsageError("--sandbox NAME is required: the sandbox to read (e.g. --sandbox prod)");
    cli.sandboxOf(sandbox);
  }
  const language = (v.language ?? "typescript") as Language;
  if (!LANGUAGES.includes(language)) throw new cli.UsageError(`--language "${v.language}" is not supported: use ${LANGUAGES.join(", ")}`);
  if (v["plugin-path"] !== undefined && language !== "yaml")
    throw new cli.UsageError("--plugin-path names the plugin in a YAML program's Pulumi.yaml: use it with --language yaml");
  for (const k of ["connector", "name", "flow", "out"] as const)
    if (v[k] === "") throw new cli.UsageError(`--${k} needs a value (see --help)`);
  const config: Record<string, string> = {};
  const flags = { endpoint: "endpoint", "ims-endpoint": "imsEndpoint", "client-id": "clientId", "org-id": "orgId" } as const;
  for (const [flag, key] of Object.entries(flags)) {
    const value = v[flag as keyof typeof flags];
    if (value !== undefined) config[`flowservice:${key}`] = value;
  }
  return {
    sandbox,
    language,
    out: v.out ?? `flowservice-${sandbox}`,
    connector: v.connector,
    name: v.name,
    flow: v.flow,
    pluginPath: v["plugin-path"],
    force: v.force ?? false,
    config,
    help,
  };
}

interface Deps {
  connect: (config: ReturnType<typeof resolveConfig>) => FlowServiceClient;
  env: Record<string, string | undefined>;
  cwd: string;
  version: string;
  now: () => number;
}

/** The whole command, its I/O and dependencies passed in: returns the exit code. */
export async function run(argv: readonly string[], io: cli.Io, deps: Deps): Promise<number> {
  const fail = (message: string) => {
    io.stderr(`flowservice-discover: ${message}\n`);
    return cli.EXIT_ERROR;
  };
  const started = cli.startCommand("flowservice-discover", io, () => parseArgs(argv), HELP, EXIT_OK);
  if ("exit" in started) return started.exit;
  const opts = started.opts;
  try {
    const config = resolveConfig((k) => (k === "flowservice:sandboxName" ? opts.sandbox : opts.config[k]), deps.env);
    const started = deps.now();
    const o = {
      sandbox: opts.sandbox,
      language: opts.language,
      filters: { connector: opts.connector, name: opts.name, flow: opts.flow },
      pluginPath: opts.pluginPath,
    };
    const found = await discover(deps.connect(config), o, deps.version, deps.now());
    const seconds = ((deps.now() - started) / 1000).toFixed(1);
    const { program } = found;
    io.stderr(
      `flowservice-discover: read sandbox "${opts.sandbox}" with ${found.listRequests} list requests in ${seconds} s: ${program.resources.length} to declare, ${program.skipped.length} left out\n`,
    );
    if (program.resources.length === 0 && program.skipped.length === 0) {
      io.stderr(
        `flowservice-discover: sandbox "${opts.sandbox}" lists no connection, source connection, target connection or dataflow${o.filters.connector || o.filters.name || o.filters.flow ? " that the options select" : ""} (check --sandbox, and that the credentials can see it)\n`,
      );
    }
    for (const s of program.skipped) io.stderr(`flowservice-discover: left out ${s.kind} ${s.id} ("${s.name}"): ${s.reason}\n`);
    const dir = path.resolve(deps.cwd, opts.out);
    const w = writeProgram(dir, found.files, opts.force);
    const n = (count: number, what: string) => `${count} ${what}${count === 1 ? "" : "s"}`;
    const secrets = program.placeholders.length;
    io.stdout(
      `Wrote a ${opts.language} program for sandbox "${opts.sandbox}" to ${dir} (${w.written.length ? `written: ${w.written.join(", ")}` : "no file changed"}): ` +
        n(program.resources.length, "resource") +
        (secrets ? `, ${n(secrets, "secret placeholder")} to set (pulumi config set --secret …, listed in README.md)` : "") +
        (program.skipped.length
          ? `; ${n(program.skipped.length, "object")} could not be expressed (listed on stderr and in README.md)`
          : "") +
        ".\n",
    );
    return program.skipped.length > 0 ? EXIT_LEFT_OUT : EXIT_OK;
  } catch (e) {
    if (e instanceof FlowServiceProviderError || e instanceof SelectionError || e instanceof OutputConflictError) return fail(e.message);
    throw e;
  }
}

/** The package's version, from its package.json (the generated package.json and requirements pin it). */
export function packageVersion(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "pulumi-flowservice" && pkg.version) return pkg.version;
    }
  }
  return "0.0.0";
}

/** Entry point of bin/flowservice-discover.js. */
export function main(argv: readonly string[]): Promise<void> {
  return cli.runMain("flowservice-discover", (io) =>
    run(argv, io, {
      connect: (config) => new FlowSession(config).client,
      env: process.env,
      cwd: process.cwd(),
      version: packageVersion(),
      now: Date.now,
    }),
  );
}
