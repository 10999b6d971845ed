// `npm run plugin:package`: the provider plugin as a tarball for
// `pulumi plugin install resource flowservice VERSION --file TARBALL`, from this checkout. The
// builder ships in the package (commands/plugin: `flowservice-plugin package` / `install`).
//
//   node dist/tools/pluginPackage.js [--out DIR]   → DIR/pulumi-resource-flowservice-vVERSION.tgz
import fs from "node:fs";
import path from "node:path";
import { buildPluginTarball as build, dependencyClosure, packageManifest } from "../commands/plugin/archive";
import { REPO } from "./pulumiCli";

export { dependencyClosure };

export function buildPluginTarball(outDir: string): string {
  return build(outDir, REPO);
}

if (require.main === module) {
  const i = process.argv.indexOf("--out");
  const out = i > 0 ? path.resolve(process.argv[i + 1]) : path.join(REPO, "dist");
  const tarball = buildPluginTarball(out);
  const kb = Math.round(fs.statSync(tarball).size / 1024);
  process.stdout.write(
    `${tarball} (${kb} KiB)\nInstall it with: pulumi plugin install resource flowservice ${packageManifest(REPO).version} --file ${tarball}\n`,
  );
}
