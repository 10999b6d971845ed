// `flowservice-plugin`: the provider plugin for Python, YAML, Go and .NET programs, from the npm
// package alone (no checkout): `install` puts it into Pulumi's plugin folder through
// `pulumi plugin install ... --file`, so `pulumi plugin ls` and `pulumi about` list it; `package`
// writes the tarball for a machine where `pulumi plugin install` is run by hand.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { buildPluginTarball, PACKAGE_ROOT, packageManifest } from "./archive";

export const HELP = `Usage: flowservice-plugin install [--pulumi PATH]
       flowservice-plugin package [--out DIR]

The Pulumi resource provider plugin "flowservice" (type tokens flowservice:index:*), which
programs in Python, YAML, Go and .NET use, built from this installed package (version VERSION).

  install        build the plugin and run
                   pulumi plugin install resource flowservice VERSION --file <tarball> --reinstall
                 which puts it into $PULUMI_HOME/plugins (default ~/.pulumi/plugins);
                 \`pulumi plugin ls\` then lists it. Node.js must stay on PATH: the plugin runs on it.
  package        only write pulumi-resource-flowservice-vVERSION.tgz into DIR (default: the
                 current folder), for \`pulumi plugin install resource flowservice VERSION --file\`
  --pulumi PATH  the pulumi CLI to run (default: \`pulumi\` on PATH)
  -h, --help     this help

Exit status: 0 done, 1 error.`;

export interface Io {
  out(text: string): void;
  err(text: string): void;
}
const stdio: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

export function main(argv: string[], io: Io = stdio): number {
  const version = packageManifest().version;
  const help = HELP.replace(/VERSION/g, version);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    io.err(`flowservice-plugin: ${(e as Error).message}\n\n${help}\n`);
    return 1;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(`${help}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  if ((command !== "install" && command !== "package") || rest.length > 0) {
    io.err(
      `flowservice-plugin: ${command ? `unknown command "${[command, ...rest].join(" ")}"` : "no command"}: use install or package\n\n${help}\n`,
    );
    return 1;
  }
  try {
    if (command === "package") {
      const tarball = buildPluginTarball(path.resolve(values.out ?? "."), PACKAGE_ROOT);
      io.out(`${tarball}\nInstall it with: pulumi plugin install resource flowservice ${version} --file ${tarball}\n`);
      return 0;
    }
    return install(values.pulumi ?? "pulumi", version, io);
  } catch (e) {
    io.err(`flowservice-plugin: ${(e as Error).message}\n`);
    return 1;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: "string" }, pulumi: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
}

function install(pulumi: string, version: string, io: Io): number {
  // The CLI first: without one, nothing is built.
  const probe = spawnSync(pulumi, ["version"], { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  if (probe.error) {
    const why = (probe.error as NodeJS.ErrnoException).code === "ENOENT" ? `${pulumi} was not found` : probe.error.message;
    throw new Error(
      `${why}: put the pulumi CLI on PATH (or name it with --pulumi), or run 'flowservice-plugin package' and install the tarball with 'pulumi plugin install resource flowservice ${version} --file TARBALL'`,
    );
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowservice-plugin-install-"));
  try {
    const tarball = buildPluginTarball(dir, PACKAGE_ROOT);
    const args = ["plugin", "install", "resource", "flowservice", version, "--file", tarball, "--reinstall"];
    const r = spawnSync(pulumi, args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.status}:\n${r.stdout}${r.stderr}`);
    const home = process.env.PULUMI_HOME || path.join(os.homedir(), ".pulumi");
    io.out(
      `Installed the flowservice plugin v${version} into ${path.join(home, "plugins", `resource-flowservice-v${version}`)}.\n` +
        "`pulumi plugin ls` lists it; programs in Python, YAML, Go and .NET use it for flowservice:index:* resources.\n",
    );
    return 0;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
