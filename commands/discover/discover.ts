// `flowservice-discover`'s work: read the sandbox, build the program, render it in one language,
// and write its files. The command line is cli.ts.
import fs from "node:fs";
import path from "node:path";
import type { FlowServiceClient } from "../../provider/api/client";
import { buildProgram, type Filters, type Program } from "./model";
import { renderPython, requirementsTxt } from "./render/python";
import { type Language, renderReadme } from "./render/readme";
import { packageJson, renderTypeScript } from "./render/typescript";
import { renderYaml } from "./render/yaml";
import { readSandbox } from "./sandbox";

export type { Language } from "./render/readme";
export const LANGUAGES: readonly Language[] = ["typescript", "python", "yaml"];

export interface DiscoverOptions {
  sandbox: string;
  language: Language;
  filters: Filters;
  /** YAML only: the folder holding pulumi-resource-flowservice, named in Pulumi.yaml. */
  pluginPath?: string;
}

interface Discovered {
  program: Program;
  files: Record<string, string>;
  listRequests: number;
}

/** The command line that reproduces the program (what the files say they came from; never --out). */
function commandLine(o: DiscoverOptions): string {
  const args = ["flowservice-discover", "--sandbox", o.sandbox, "--language", o.language];
  if (o.filters.connector !== undefined) args.push("--connector", o.filters.connector);
  if (o.filters.name !== undefined) args.push("--name", JSON.stringify(o.filters.name));
  if (o.filters.flow !== undefined) args.push("--flow", o.filters.flow);
  if (o.pluginPath !== undefined) args.push("--plugin-path", o.pluginPath);
  return args.join(" ");
}

/** The files of the program in its language (README.md included), by relative path. */
export function renderProgram(program: Program, o: DiscoverOptions, version: string): Record<string, string> {
  const command = commandLine(o);
  const header = [
    `Written by ${command}`,
    `(pulumi-flowservice ${version}): ${program.resources.length} resources. README.md lists the secrets to set`,
    "and what the first `pulumi up` sends.",
  ];
  const project = (runtime: string) =>
    `name: flowservice-${program.sandbox}\nruntime:${runtime}\ndescription: The Flow Service objects of sandbox ${program.sandbox}, taken over by Pulumi\n` +
    `config:\n  flowservice:sandboxName: ${JSON.stringify(program.sandbox)}\n`;
  const readme = renderReadme(program, o.language, command);
  switch (o.language) {
    case "typescript":
      return {
        "Pulumi.yaml": project(" nodejs"),
        "index.ts": renderTypeScript(program, header),
        "package.json": packageJson(program, version),
        "README.md": readme,
      };
    case "python":
      return {
        // The virtual environment the README creates (requirements.txt installed into it).
        "Pulumi.yaml": project("\n  name: python\n  options:\n    virtualenv: venv"),
        "__main__.py": renderPython(program, header),
        "requirements.txt": requirementsTxt(version),
        "README.md": readme,
      };
    case "yaml":
      return { "Pulumi.yaml": renderYaml(program, header, o.pluginPath), "README.md": readme };
  }
}

export async function discover(client: FlowServiceClient, o: DiscoverOptions, version: string, now = Date.now()): Promise<Discovered> {
  const snapshot = await readSandbox(client, o.sandbox);
  const program = buildProgram(snapshot, o.filters, now);
  return { program, files: renderProgram(program, o, version), listRequests: snapshot.listRequests };
}

export class OutputConflictError extends Error {}

/**
 * Writes the files into `dir` (created when absent). A file there that differs from the one to
 * write is someone's work: refused unless `force`. The same program again rewrites nothing.
 */
export function writeProgram(dir: string, files: Record<string, string>, force: boolean): { written: string[]; unchanged: string[] } {
  const differing = Object.keys(files).filter((f) => {
    const p = path.join(dir, f);
    return fs.existsSync(p) && fs.readFileSync(p, "utf8") !== files[f];
  });
  if (differing.length > 0 && !force) {
    throw new OutputConflictError(
      `${dir} already holds ${differing.join(", ")} with other contents: nothing was written. Choose another --out folder, or add --force to overwrite them.`,
    );
  }
  fs.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const unchanged: string[] = [];
  for (const [f, text] of Object.entries(files)) {
    const p = path.join(dir, f);
    if (fs.existsSync(p) && fs.readFileSync(p, "utf8") === text) unchanged.push(f);
    else {
      fs.writeFileSync(p, text);
      written.push(f);
    }
  }
  return { written, unchanged };
}
