// What the commands' command lines share: the usage error, node's option parser with its errors
// said in the user's terms, the I/O a command is given, and how every command starts (its options,
// or a bad command line reported with exit 1, or --help).
import { type ParseArgsConfig, parseArgs } from "node:util";

export class UsageError extends Error {}

/** node's parseArgs, where a bad command line is a UsageError naming the option. */
export function parseOptions<C extends ParseArgsConfig>(config: C): ReturnType<typeof parseArgs<C>> {
  try {
    return parseArgs(config);
  } catch (e) {
    const err = e as Error & { code?: string };
    const option = /'([^']+)'/.exec(err.message)?.[1] ?? "";
    if (err.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE")
      throw new UsageError(`${option.split(" ")[0] || "an option"} needs a value (see --help)`);
    if (err.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") throw new UsageError(`unexpected argument ${option} (see --help)`);
    throw new UsageError(`unknown option ${option} (see --help)`);
  }
}

/** What a command writes to (passed in, so tests read it). */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Every command's exit code for an error it could not get past (a bad command line among them). */
export const EXIT_ERROR = 1;

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
