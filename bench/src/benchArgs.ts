// `npm run bench -- …`: the command line, parsed with node:util parseArgs into benchmark options.
import path from "node:path";
import { parseArgs } from "node:util";
import type { BenchOptions } from "./benchTypes";

export const USAGE =
  "usage: npm run bench -- [--n 10,50,200] [--repeats 3] [--pipeline 50] [--concurrency-n 50] [--concurrency-delay-ms 200]\n" +
  "                        [--out bench/results | --no-write] [--no-engine-variants] [--no-plugin]\n";

export class BenchArgsError extends Error {
  readonly code = "BENCH_ARGS";
}

interface BenchArgs {
  options: Partial<BenchOptions>;
  help: boolean;
}

const wholeNumber = (flag: string, value: string, min: number, hint: string): number => {
  const n = Number(value.trim());
  if (value.trim() === "" || !Number.isInteger(n) || n < min) throw new BenchArgsError(`${flag} takes ${hint}, got "${value}"`);
  return n;
};

/** Parses the arguments after `npm run bench --`; throws BenchArgsError naming the flag at fault. */
export function parseBenchArgs(argv: string[], cwd = process.cwd()): BenchArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        n: { type: "string" },
        repeats: { type: "string" },
        pipeline: { type: "string" },
        "concurrency-n": { type: "string" },
        "concurrency-delay-ms": { type: "string" },
        out: { type: "string" },
        "no-write": { type: "boolean" },
        "no-engine-variants": { type: "boolean" },
        "no-plugin": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    throw new BenchArgsError(`${(e as Error).message.replace(/\s*\n\s*/g, " ")} (see --help)`);
  }
  const o: Partial<BenchOptions> = {};
  const str = (k: string) => values[k] as string | undefined;
  if (str("n") !== undefined) {
    o.ns = (str("n") as string).split(",").map((x) => wholeNumber("--n", x, 1, "positive whole numbers, e.g. --n 10,50,200"));
  }
  if (str("repeats") !== undefined) o.repeats = wholeNumber("--repeats", str("repeats") as string, 1, "a positive whole number");
  if (str("pipeline") !== undefined) {
    o.pipelines = wholeNumber("--pipeline", str("pipeline") as string, 0, "a whole number of pipelines (0 skips the pipeline scenario)");
  }
  if (str("concurrency-n") !== undefined) {
    o.concurrencyN = wholeNumber("--concurrency-n", str("concurrency-n") as string, 0, "a whole number (0 skips the experiment)");
  }
  if (str("concurrency-delay-ms") !== undefined) {
    o.concurrencyDelayMs = wholeNumber(
      "--concurrency-delay-ms",
      str("concurrency-delay-ms") as string,
      0,
      "a whole number of milliseconds",
    );
  }
  if (str("out") !== undefined && values["no-write"])
    throw new BenchArgsError("--out and --no-write contradict each other: give one of them");
  if (str("out") !== undefined) o.outDir = path.resolve(cwd, str("out") as string);
  if (values["no-write"]) o.outDir = undefined;
  if (values["no-engine-variants"]) o.engineVariants = false;
  if (values["no-plugin"]) o.pluginDoor = false;
  return { options: o, help: values.help === true };
}
