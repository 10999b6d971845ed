// The provider plugin as a tarball for `pulumi plugin install resource flowservice VERSION --file
// TARBALL`, built from an installed package (or a checkout): the launcher, the built provider
// (JavaScript only), and the runtime packages it loads, each at the same place under node_modules
// as where this package finds it (so every require resolves as it does here). Of @pulumi/pulumi
// only the generated protocol files (proto/) are taken. No TypeScript, declarations or source maps.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** The package's root: the nearest folder up holding its package.json (from dist/ or the sources). */
export const PACKAGE_ROOT = ((): string => {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file) && (JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string }).name === "pulumi-flowservice") return dir;
  }
  throw new Error(`no package.json of pulumi-flowservice above ${__dirname}`);
})();

/** Files a running plugin never reads. */
const SKIP_FILE = /(\.d\.[cm]?ts|\.ts|\.map|\.md|\.markdown|\.tsbuildinfo)$/i;
const SKIP_DIR = new Set(["test", "tests", "docs", "doc", ".github", "example", "examples", "benchmark", "bench"]);

interface Pkg {
  name: string;
  dir: string;
}

interface Manifest {
  name: string;
  version: string;
  license?: string;
  description?: string;
  dependencies?: Record<string, string>;
}

function readJson(file: string): Manifest {
  return JSON.parse(fs.readFileSync(file, "utf8")) as Manifest;
}

export function packageManifest(root = PACKAGE_ROOT): Manifest {
  return readJson(path.join(root, "package.json"));
}

/** The directory of package `name` as Node finds it from `fromDir` (the nearest node_modules up the tree). */
function resolvePackage(name: string, fromDir: string): string {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
    if (dir === path.dirname(dir)) throw new Error(`package ${name} is not installed (looked up from ${fromDir}): run 'npm install'`);
  }
}

/**
 * The node_modules folder the dependencies hang from: the package's own in a checkout, the
 * program's when the package is itself installed there (node_modules/pulumi-flowservice).
 */
function modulesRoot(root: string): string {
  const real = fs.realpathSync(root);
  const parent = path.dirname(real);
  return path.basename(parent) === "node_modules" ? parent : path.join(real, "node_modules");
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

/** Writes OUT_DIR/pulumi-resource-flowservice-vVERSION.tgz and returns its path. */
export function buildPluginTarball(outDir: string, root = PACKAGE_ROOT): string {
  const pkg = packageManifest(root);
  const main = path.join(root, "dist", "provider", "plugin", "main.js");
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
    copyTree(path.join(root, "dist", "provider"), path.join(stage, "dist", "provider"));
    // package.json keeps the package's version, which the plugin reports (GetPluginInfo, its schema).
    fs.writeFileSync(
      path.join(stage, "package.json"),
      JSON.stringify(
        { name: "pulumi-resource-flowservice", version: pkg.version, license: pkg.license, private: true, description: pkg.description },
        null,
        2,
      ) + "\n",
    );
    for (const f of ["LICENSE", "README.md"])
      if (fs.existsSync(path.join(root, f))) fs.copyFileSync(path.join(root, f), path.join(stage, f));

    // The provider's own dependencies, and the two packages the gRPC server loads through @pulumi/pulumi.
    const sdk = resolvePackage("@pulumi/pulumi", root);
    const roots: Pkg[] = [
      ...Object.keys(pkg.dependencies ?? {}).map((name) => ({ name, dir: resolvePackage(name, root) })),
      ...["@grpc/grpc-js", "google-protobuf"].map((name) => ({ name, dir: resolvePackage(name, sdk) })),
    ];
    const modules = modulesRoot(root);
    const place = (dir: string): string => {
      const rel = path.relative(modules, fs.realpathSync(dir));
      if (rel.startsWith("..")) throw new Error(`${dir} resolves outside ${modules}: cannot place it in the plugin`);
      return path.join(stage, "node_modules", rel);
    };
    for (const p of dependencyClosure(roots)) copyTree(p.dir, place(p.dir));
    copyTree(sdk, place(sdk), (r) => r === "package.json" || r === "LICENSE" || r.startsWith(`proto${path.sep}`));

    fs.mkdirSync(outDir, { recursive: true });
    const tarball = path.join(outDir, `pulumi-resource-flowservice-v${pkg.version}.tgz`);
    execFileSync("tar", ["-czf", tarball, "-C", stage, "."]);
    return tarball;
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}
