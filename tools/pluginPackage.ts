// `npm run plugin:package`: the provider plugin as a tarball for
// `pulumi plugin install resource flowservice VERSION --file TARBALL`. Self-contained: the launcher,
// the built provider (JavaScript only), and the runtime packages it loads, each at the same place
// under node_modules as in this repository (so every require resolves as it does here). Of
// @pulumi/pulumi only the generated protocol files (proto/) are taken. No TypeScript compiler, no
// type declarations, no source maps.
//
//   node dist/tools/pluginPackage.js [--out DIR]   → DIR/pulumi-resource-flowservice-vVERSION.tgz
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO } from "./pulumiCli";

/** Files a running plugin never reads. */
const SKIP_FILE = /(\.d\.[cm]?ts|\.ts|\.map|\.md|\.markdown|\.tsbuildinfo)$/i;
const SKIP_DIR = new Set(["test", "tests", "docs", "doc", ".github", "example", "examples", "benchmark", "bench"]);

interface Pkg {
  name: string;
  dir: string;
}

interface Manifest {
  version: string;
  license?: string;
  description?: string;
  dependencies?: Record<string, string>;
}

function readJson(file: string): Manifest {
  return JSON.parse(fs.readFileSync(file, "utf8")) as Manifest;
}

/** The directory of package `name` as Node finds it from `fromDir` (the nearest node_modules up the tree). */
function resolvePackage(name: string, fromDir: string): string {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
    if (dir === path.dirname(dir)) throw new Error(`package ${name} is not installed (looked up from ${fromDir}): run 'npm ci'`);
  }
}

/** The runtime dependency closure of the given roots (package.json `dependencies`, transitively). */
export function dependencyClosure(roots: Pkg[]): Pkg[] {
  const seen = new Map<string, Pkg>();
  const queue = [...roots];
  while (queue.length > 0) {
    const pkg = queue.shift() as Pkg;
    if (seen.has(pkg.dir)) continue;
    seen.set(pkg.dir, pkg);
    const deps = readJson(path.join(pkg.dir, "package.json")).dependencies ?? {};
    for (const dep of Object.keys(deps)) queue.push({ name: dep, dir: resolvePackage(dep, pkg.dir) });
  }
  return [...seen.values()];
}

function copyTree(from: string, to: string, keep: (rel: string) => boolean = () => true, rel = ""): void {
  for (const e of fs.readdirSync(path.join(from, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) {
      // A package's own node_modules is copied as its own packages, only those needed.
      if (e.name === "node_modules" || SKIP_DIR.has(e.name)) continue;
      copyTree(from, to, keep, r);
    } else if (e.isFile() && !SKIP_FILE.test(e.name) && keep(r)) {
      fs.mkdirSync(path.dirname(path.join(to, r)), { recursive: true });
      fs.copyFileSync(path.join(from, r), path.join(to, r));
    }
  }
}

export function buildPluginTarball(outDir: string): string {
  const pkg = readJson(path.join(REPO, "package.json"));
  const main = path.join(REPO, "dist", "provider", "plugin", "main.js");
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: run 'npm run build' first`);
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), "flowservice-plugin-"));
  try {
    fs.chmodSync(stage, 0o755);
    // The engine runs `pulumi-resource-flowservice` from the plugin's folder: the built code sits beside it.
    fs.writeFileSync(
      path.join(stage, "pulumi-resource-flowservice"),
      '#!/usr/bin/env node\n// The flowservice provider plugin (see the package README).\nrequire("./dist/provider/plugin/main.js").run(process.argv.slice(2));\n',
      { mode: 0o755 },
    );
    copyTree(path.join(REPO, "dist", "provider"), path.join(stage, "dist", "provider"));
    fs.writeFileSync(
      path.join(stage, "package.json"),
      JSON.stringify(
        { name: "pulumi-resource-flowservice", version: pkg.version, license: pkg.license, private: true, description: pkg.description },
        null,
        2,
      ) + "\n",
    );
    for (const f of ["LICENSE", "README.md"])
      if (fs.existsSync(path.join(REPO, f))) fs.copyFileSync(path.join(REPO, f), path.join(stage, f));

    // The provider's own dependencies, and the two packages the gRPC server loads through @pulumi/pulumi.
    const sdk = resolvePackage("@pulumi/pulumi", REPO);
    const roots: Pkg[] = [
      ...Object.keys(pkg.dependencies ?? {}).map((name) => ({ name, dir: resolvePackage(name, REPO) })),
      ...["@grpc/grpc-js", "google-protobuf"].map((name) => ({ name, dir: resolvePackage(name, sdk) })),
    ];
    const modules = path.join(REPO, "node_modules");
    for (const p of dependencyClosure(roots)) {
      const rel = path.relative(modules, p.dir);
      if (rel.startsWith("..")) throw new Error(`${p.name} resolves outside ${modules} (${p.dir}): cannot place it in the tarball`);
      copyTree(p.dir, path.join(stage, "node_modules", rel));
    }
    copyTree(
      sdk,
      path.join(stage, "node_modules", path.relative(modules, sdk)),
      (r) => r === "package.json" || r === "LICENSE" || r.startsWith(`proto${path.sep}`),
    );

    fs.mkdirSync(outDir, { recursive: true });
    const tarball = path.join(outDir, `pulumi-resource-flowservice-v${pkg.version}.tgz`);
    execFileSync("tar", ["-czf", tarball, "-C", stage, "."]);
    return tarball;
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const i = process.argv.indexOf("--out");
  const out = i > 0 ? path.resolve(process.argv[i + 1]) : path.join(REPO, "dist");
  const tarball = buildPluginTarball(out);
  const kb = Math.round(fs.statSync(tarball).size / 1024);
  process.stdout.write(
    `${tarball} (${kb} KiB)\nInstall it with: pulumi plugin install resource flowservice ${readJson(path.join(REPO, "package.json")).version} --file ${tarball}\n`,
  );
}
