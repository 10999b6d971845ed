// The flow-emulator command, and startEmulator() for running it in-process.
import type { AddressInfo } from "node:net";
import { parseArgs as parseCliArgs } from "node:util";
import {
  DEFAULT_SANDBOXES,
  DEFAULT_TOKEN_TTL_SECONDS,
  DEMO_CREDENTIALS,
  type EmulatorConfig,
  FLOW_BASE,
  IMS_TOKEN_PATH,
} from "./data/context";
import { createHttpServer } from "./http/server";
import { EmulatorState } from "./http/state";
import { StateFileError, Store } from "./data/store";

export interface EmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Persist connections to this file across restarts (default: memory only). */
  stateFile?: string;
  clientId?: string;
  clientSecret?: string;
  orgId?: string;
  tokenTtlSeconds?: number;
  defaultSandbox?: string;
  /** The org's sandboxes (default DEFAULT_SANDBOXES); "any": every well-formed name exists. */
  sandboxes?: readonly string[] | "any";
  strictIfMatch?: boolean;
  /** Refuse range filters on GET /connections (1453), like a service without them. */
  refuseRangeFilters?: boolean;
  /** Flows: interval ≥ 15 for frequency minute only, ≥ 1 for hour/day/week (the flow spec's schema). */
  lenientScheduleIntervals?: boolean;
  /** Receives one line per answered API/IMS request; default: nothing is printed. */
  onRequestLine?: (line: string) => void;
}

export interface RunningEmulator {
  /** http://HOST:PORT */
  url: string;
  host: string;
  port: number;
  /** The Flow Service base URL (a client's `endpoint`). */
  flowUrl: string;
  /** The IMS token URL (a client's `imsEndpoint`). */
  imsUrl: string;
  config: Readonly<EmulatorConfig>;
  close(): Promise<void>;
}

export { StateFileError };

function formatHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/** Starts the emulator; rejects (StateFileError) if the --state file exists but cannot be used. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const config: EmulatorConfig = {
    clientId: options.clientId ?? DEMO_CREDENTIALS.clientId,
    clientSecret: options.clientSecret ?? DEMO_CREDENTIALS.clientSecret,
    orgId: options.orgId ?? DEMO_CREDENTIALS.orgId,
    tokenTtlSeconds: options.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS,
    defaultSandbox: options.defaultSandbox,
    sandboxes: options.sandboxes ?? DEFAULT_SANDBOXES,
    strictIfMatch: options.strictIfMatch ?? false,
    refuseRangeFilters: options.refuseRangeFilters ?? false,
    lenientScheduleIntervals: options.lenientScheduleIntervals ?? false,
  };
  const store = new Store(options.stateFile);
  store.load();
  const state = new EmulatorState(config, store);
  const server = createHttpServer(state, { onRequestLine: options.onRequestLine });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${formatHost(host)}:${port}`;
  return {
    url,
    host,
    port,
    flowUrl: url + FLOW_BASE,
    imsUrl: url + IMS_TOKEN_PATH,
    config,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const USAGE = `Usage: flow-emulator [options]

A local Adobe Flow Service (connections) + IMS token emulator. Docs: docs/emulator.md

  --port N               port to listen on; 0 = any free port (default 0)
  --host HOST            interface to bind (default 127.0.0.1)
  --state FILE           persist connections in FILE across restarts (default: memory only)
  --client-id ID         accepted OAuth client id (default ${DEMO_CREDENTIALS.clientId})
  --client-secret SECRET accepted OAuth client secret (default ${DEMO_CREDENTIALS.clientSecret})
  --org-id ORG           the IMS org of issued tokens (default ${DEMO_CREDENTIALS.orgId})
  --token-ttl SECONDS    lifetime of issued tokens (default ${DEFAULT_TOKEN_TTL_SECONDS})
  --default-sandbox NAME sandbox assumed when x-sandbox-name is absent (default: none → 400)
  --sandboxes A,B,...    the org's sandboxes; any other name → 404 "Sandbox not found"
                         (default ${DEFAULT_SANDBOXES.join(",")}; '*' = every well-formed name)
  --strict-if-match      accept only the exact quoted etag as If-Match
  --quiet                do not print a line per request
  --help                 show this help

The first line on stdout is "listening http://HOST:PORT".`;

interface CliOptions extends EmulatorOptions {
  quiet: boolean;
  help: boolean;
}

class UsageError extends Error {}

const CLI_OPTIONS = {
  port: { type: "string" },
  host: { type: "string" },
  state: { type: "string" },
  "client-id": { type: "string" },
  "client-secret": { type: "string" },
  "org-id": { type: "string" },
  "token-ttl": { type: "string" },
  "default-sandbox": { type: "string" },
  sandboxes: { type: "string" },
  "strict-if-match": { type: "boolean" },
  quiet: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** node:util's parse errors, reworded to name the flag and the fix. */
function usageErrorFrom(e: unknown): UsageError {
  const err = e as { code?: string; message?: string };
  const message = err.message ?? String(e);
  const quoted = /'([^' <]+)/.exec(message)?.[1] ?? "";
  switch (err.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return new UsageError(`unknown option '${quoted}'`);
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return new UsageError(`unexpected argument '${quoted}' (flow-emulator takes only --options)`);
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (/does not take an argument/.test(message)) return new UsageError(`${quoted} does not take a value`);
      if (/ambiguous/.test(message))
        return new UsageError(`${quoted} needs a value (for a value starting with '-', write ${quoted}=VALUE)`);
      return new UsageError(`${quoted} needs a value`);
    default:
      return new UsageError(message);
  }
}

export function parseArgs(argv: string[]): CliOptions {
  let values: ReturnType<typeof parseCli>["values"];
  try {
    values = parseCli(argv).values;
  } catch (e) {
    throw usageErrorFrom(e);
  }
  const int = (flag: string, value: string, min: number, max: number): number => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new UsageError(`--${flag} must be an integer from ${min} to ${max} (got '${value}')`);
    }
    return Number(value);
  };
  const nonEmpty = (flag: string, value: string | undefined): string | undefined => {
    if (value === "") throw new UsageError(`--${flag} must not be empty`);
    return value;
  };
  const opts: CliOptions = { quiet: values.quiet ?? false, help: values.help ?? false };
  if (values.port !== undefined) opts.port = int("port", values.port, 0, 65535);
  if (values["token-ttl"] !== undefined) opts.tokenTtlSeconds = int("token-ttl", values["token-ttl"], 1, 10 * 365 * 86400);
  opts.host = nonEmpty("host", values.host);
  opts.stateFile = nonEmpty("state", values.state);
  opts.clientId = nonEmpty("client-id", values["client-id"]);
  opts.clientSecret = nonEmpty("client-secret", values["client-secret"]);
  opts.orgId = nonEmpty("org-id", values["org-id"]);
  opts.defaultSandbox = nonEmpty("default-sandbox", values["default-sandbox"]);
  if (values.sandboxes !== undefined) opts.sandboxes = sandboxList(values.sandboxes);
  if (values["strict-if-match"]) opts.strictIfMatch = true;
  return opts;
}

/** `--sandboxes prod,dev` → ["prod", "dev"]; `*` → "any". */
function sandboxList(value: string): readonly string[] | "any" {
  if (value.trim() === "*") return "any";
  const names = value.split(",").map((n) => n.trim());
  const bad = names.find((n) => !/^[a-z0-9][a-z0-9-]*$/.test(n));
  if (bad !== undefined) {
    throw new UsageError(
      `--sandboxes takes sandbox names (lowercase letters, digits and hyphens) separated by commas, or '*' (got '${bad}')`,
    );
  }
  return names;
}

function parseCli(argv: string[]) {
  return parseCliArgs({ args: argv, options: CLI_OPTIONS, strict: true, allowPositionals: false });
}

/** The CLI entry point (bin/flow-emulator.js). */
export function main(argv: string[]): void {
  let opts: CliOptions;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`flow-emulator: ${(e as Error).message}\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (opts.help) {
    process.stdout.write(USAGE + "\n");
    return;
  }
  if (!opts.quiet) opts.onRequestLine = (line) => process.stdout.write(line + "\n");
  // Handlers go in before anything is printed: a caller may signal as soon as it reads the line.
  let running: RunningEmulator | undefined;
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // Writes reach the state file synchronously, so there is nothing to flush.
    if (running) void running.close().then(() => process.exit(0));
    else process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  startEmulator(opts).then(
    (emulator) => {
      running = emulator;
      if (stopping) return void emulator.close().then(() => process.exit(0));
      // The contract: this is the first line on stdout.
      process.stdout.write(`listening ${emulator.url}\n`);
    },
    (err: Error) => {
      const what = err instanceof StateFileError ? "cannot start" : "failed to start";
      process.stderr.write(`flow-emulator: ${what}: ${err.message}\n`);
      process.exit(1);
    },
  );
}
