// `npm run bench -- …`: what each flag sets, and the message a wrong one gets.
import assert from "node:assert";
import path from "node:path";
import { BenchArgsError, parseBenchArgs } from "../../bench/src/benchArgs";

describe("npm run bench: command-line arguments", () => {
  it("with no argument, sets nothing, so every default applies", () => {
    assert.deepStrictEqual(parseBenchArgs([]), { options: {}, help: false });
  });

  it("reads the sizes, repetitions and the concurrency experiment's settings", () => {
    const { options } = parseBenchArgs([
      "--n",
      "5,50",
      "--repeats",
      "2",
      "--concurrency-n",
      "0",
      "--concurrency-delay-ms",
      "20",
      "--no-engine-variants",
      "--pipeline",
      "0",
      "--no-plugin",
    ]);
    assert.deepStrictEqual(options, {
      ns: [5, 50],
      repeats: 2,
      pipelines: 0,
      concurrencyN: 0,
      concurrencyDelayMs: 20,
      engineVariants: false,
      pluginDoor: false,
    });
  });

  it("accepts --flag=value as well as --flag value", () => {
    assert.deepStrictEqual(parseBenchArgs(["--n=5", "--repeats=1"]).options, { ns: [5], repeats: 1 });
  });

  it("resolves --out against the working directory, and --no-write writes nothing", () => {
    assert.strictEqual(parseBenchArgs(["--out", "results"], "/tmp/here").options.outDir, path.resolve("/tmp/here", "results"));
    const noWrite = parseBenchArgs(["--no-write"]).options;
    // The key is present and undefined, so it overrides the default bench/results folder.
    assert.ok("outDir" in noWrite);
    assert.strictEqual(noWrite.outDir, undefined);
  });

  it("asks for help with --help or -h", () => {
    assert.strictEqual(parseBenchArgs(["--help"]).help, true);
    assert.strictEqual(parseBenchArgs(["-h"]).help, true);
  });

  it("rejects a size that is not a positive whole number, naming --n and an example", () => {
    for (const bad of ["10,abc", "0", "2.5", "10,,50", ""]) {
      assert.throws(
        () => parseBenchArgs(["--n", bad]),
        (e: Error) => e instanceof BenchArgsError && /^--n takes positive whole numbers, e\.g\. --n 10,50,200/.test(e.message),
        bad,
      );
    }
  });

  it("rejects a bad count for the other numeric flags, naming the flag", () => {
    assert.throws(() => parseBenchArgs(["--repeats", "0"]), /--repeats takes a positive whole number, got "0"/);
    assert.throws(() => parseBenchArgs(["--concurrency-n=-1"]), /--concurrency-n takes a whole number \(0 skips the experiment\)/);
    assert.throws(() => parseBenchArgs(["--concurrency-delay-ms", "soon"]), /--concurrency-delay-ms takes a whole number of milliseconds/);
    assert.throws(
      () => parseBenchArgs(["--pipeline", "many"]),
      /--pipeline takes a whole number of pipelines \(0 skips the pipeline scenario\), got "many"/,
    );
  });

  it("rejects an unknown flag, a stray word and a missing value, pointing to --help", () => {
    for (const argv of [["--fast"], ["200"], ["--n"]]) {
      assert.throws(
        () => parseBenchArgs(argv),
        (e: Error) => e instanceof BenchArgsError && /\(see --help\)$/.test(e.message),
        argv.join(" "),
      );
    }
    assert.throws(() => parseBenchArgs(["--fast"]), /'--fast'/);
  });

  it("rejects --out together with --no-write rather than pick one silently", () => {
    assert.throws(() => parseBenchArgs(["--out", "x", "--no-write"]), /--out and --no-write contradict each other/);
  });
});
