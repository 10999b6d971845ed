// The YAML and Python language hosts (scripts/hosts.sh), for programs that use the provider plugin:
// built once per machine into ~/.cache/pulumi-flowservice, like the engine (tools/pulumiCli.ts).
import { execFileSync } from "node:child_process";
import path from "node:path";
import { REPO } from "./pulumiCli";

/** Folders to put first on PATH for `pulumi` to find the hosts (and Python, with the Pulumi SDK), by host. */
export function ensureHosts(which: "yaml" | "python" | "all" = "all"): string[] {
  try {
    const out = execFileSync("bash", [path.join(REPO, "scripts/hosts.sh"), which], {
      cwd: REPO,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      timeout: 30 * 60_000,
    });
    return (out.trim().split("\n").pop() as string).split(path.delimiter);
  } catch (e) {
    throw new Error(
      `The ${which === "all" ? "YAML and Python" : which} language host could not be provided: ${(e as Error).message}\n` +
        `scripts/hosts.sh builds them with Go (1.25+) and pip (python3 3.9+); run 'bash scripts/hosts.sh ${which}' to see why.`,
    );
  }
}
