// `npm run bench [-- --n 10,50,200 --repeats 3 --concurrency-n 50 --out bench/results]`
//
// Drives the real `pulumi` CLI (tools/pulumiCli.ts) against the Flow Service emulator and measures,
// for N connections: wall time, Flow Service and token requests (the emulator's request log), the
// most requests in flight at the emulator, the serialized `__provider` and state size per
// connection (`pulumi stack export`), and peak memory and CPU of the dynamic-provider host (/proc),
// for the first `up`, a no-change `preview` and `up`, rotating one secret and all N, `refresh` and
// `destroy`. The same operations run on a trivial dynamic provider that makes no request (the
// engine's floor, bench/trivial) and, from a YAML program, through the provider plugin (the plugin
// door, benchPluginProgram), the same PATCHes are sent by a plain script and through the
// provider's own functions in process (bench/src/benchWire.ts), and the provider host's calls are timed
// from inside (bench/src/benchProbe.ts). Prints one table and writes bench/results/latest.{json,md}.
// See docs/benchmark.md for what each figure means.
//
// The parts: benchArgs (command line), benchRun (the sequence of runs), benchStack (one stack and
// its measured commands), benchEmulator (the request log), benchHostProbe (the host's own timings),
// benchProc (/proc), benchPluginProgram (the plugin door's YAML program), benchWire (the floors
// without the engine), benchTargets (derived figures and targets), benchFormat (the table and the
// files), benchTypes (the report's shape).
import path from "node:path";
import { BenchArgsError, parseBenchArgs, USAGE } from "./benchArgs";
import { formatText } from "./benchFormat";
import { runBenchmark } from "./benchRun";

export { formatMarkdown, formatText } from "./benchFormat";
export { runBenchmark } from "./benchRun";
export { evaluateTargets } from "./benchTargets";
export * from "./benchTypes";

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  const report = await runBenchmark(args.options);
  process.stdout.write("\n" + formatText(report) + "\n");
  if (report.options.outDir)
    process.stdout.write(`\nwritten: ${path.relative(process.cwd(), path.join(report.options.outDir, "latest.json"))}, latest.md\n`);
}

if (require.main === module) {
  main().catch((e) => {
    // A bad argument is the user's to fix: its message alone; anything else with its stack.
    const text = e instanceof BenchArgsError ? e.message : ((e as Error).stack ?? String(e));
    process.stderr.write(`\nnpm run bench failed: ${text}\n`);
    process.exit(1);
  });
}
