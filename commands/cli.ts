// What the commands' command lines share: the usage error (exit code 2, the message and --help)
// and node's option parser with its errors said in the user's terms.
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
