// What the commands' command lines share: the usage error, node's option parser with its errors
// said in the user's terms, the options several commands take and their rules, the I/O a command
// is given, and how every command starts (its options, or a bad command line reported with exit 1,
// or --help).
import { type ParseArgsConfig, parseArgs } from "node:util";
import { SANDBOX_NAME_PATTERN, SANDBOX_NAME_RULE } from "../provider/core/vocabulary";

export class UsageError extends Error {}

/**
 * node's parseArgs, where a bad command line is a UsageError naming the option; `needs` says what
 * an option's missing value should be ("a file: …"), else "a value".
 */
export function parseOptions<C extends ParseArgsConfig>(config: C, needs: Record<string, string> = {}): ReturnType<typeof parseArgs<C>> {
  try {
    return parseArgs(config);
  } catch (e) {
    const err = e as Error & { code?: string };
    const option = /'([^']+)'/.exec(err.message)?.[1] ?? "";
    if (err.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      const name = /--[\w-]+/.exec(option)?.[0];
      throw new UsageError(`${name ?? "an option"} needs ${(name && needs[name.slice(2)]) || "a value"} (see --help)`);
    }
    if (err.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") throw new UsageError(`unexpected argument ${option} (see --help)`);
    throw new UsageError(`unknown option ${option} (see --help)`);
  }
}

/** Options several commands take, spread into each command's option table. */
export const HELP_OPTION = { help: { type: "boolean", short: "h" } } as const;
export const FORMAT_OPTION = { format: { type: "string", short: "f" } } as const;

const alternatives = (words: readonly string[]) => `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;

/** `--format`: one of the command's formats; text when absent. */
export function formatOf<F extends string>(value: string | undefined, formats: readonly F[]): F {
  const format = value ?? "text";
  if (format === "") throw new UsageError(`--format needs a value: ${alternatives(formats)}`);
  if (!(formats as readonly string[]).includes(format)) throw new UsageError(`unknown format "${format}": use ${alternatives(formats)}`);
  return format as F;
}

/** `--sandbox`: a sandbox's name, by the provider's rule. */
export function sandboxOf(value: string): string {
  if (!SANDBOX_NAME_PATTERN.test(value)) throw new UsageError(`--sandbox "${value}" is not a sandbox name: ${SANDBOX_NAME_RULE}`);
  return value;
}

/** `--stack`: absent means the selected stack; present, it needs a name. */
export function stackOf(value: string | undefined): string | undefined {
  if (value === "") throw new UsageError("--stack needs a stack name");
  return value;
}

/** What a command writes to (passed in, so tests read it). */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Every command's exit code for an error it could not get past (a bad command line among them). */
export const EXIT_ERROR = 1;

/**
 * A command's entry point (its bin script): the process's I/O, an unexpected throw reported as an
 * internal error with exit 1, and the exit code set (not process.exit, so a piped stdout drains).
 */
export async function runMain(command: string, run: (io: Io) => Promise<number>): Promise<void> {
  const io: Io = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };
  try {
    process.exitCode = await run(io);
  } catch (e) {
    io.stderr(`${command}: internal error: ${(e as Error).stack ?? e}\n`);
    process.exitCode = EXIT_ERROR;
  }
}

/**
 * How every command starts: its options, or the exit code when there is nothing more to do — a bad
 * command line (`COMMAND: message` on stderr, exit 1) or `--help` (the help text, `helpExit`).
 */
export function startCommand<O extends { help: boolean }>(
  command: string,
  io: Io,
  parse: () => O,
  help: string,
  helpExit: number,
): { opts: O } | { exit: number } {
  let opts: O;
  try {
    opts = parse();
  } catch (e) {
    if (!(e instanceof Error)) throw e;
    io.stderr(`${command}: ${e.message}\n`);
    return { exit: EXIT_ERROR };
  }
  if (opts.help) {
    io.stdout(help);
    return { exit: helpExit };
  }
  return { opts };
}
