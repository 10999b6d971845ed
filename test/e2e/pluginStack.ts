// A stack whose program is a YAML or Python example served by the provider plugin: the harness's
// TestStack, with the language hosts (scripts/hosts.sh) on PATH and the plugin's call log on.
import fs from "node:fs";
import path from "node:path";
import { REPO, TestStack } from "./harness";
import { ensureEngine } from "../../tools/pulumiCli";

export class PluginStack extends TestStack {
  /** The plugin's own log (FLOWSERVICE_PLUGIN_LOG): one line per call, for the secret scan. */
  readonly pluginLog: string;
  private readonly env: Record<string, string>;

  constructor(stackName: string, example: string, hostPath: string[]) {
    super(stackName, path.join(REPO, "examples", example));
    this.pluginLog = path.join(this.ws.root, "plugin.log");
    this.env = {
      PATH: [...hostPath, ensureEngine(), process.env.PATH].join(path.delimiter),
      FLOWSERVICE_PLUGIN_LOG: this.pluginLog,
    };
    // The example names the plugin folder relative to the repository; the copy runs elsewhere.
    const file = path.join(this.programDir, "Pulumi.yaml");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("path: ../../bin", `path: ${path.join(REPO, "bin")}`));
  }

  override run(args: string[], opts: { env?: Record<string, string> } = {}) {
    return super.run(args, { env: { ...this.env, ...opts.env } });
  }

  /** Adds YAML text to the program's `resources:` section. */
  addResources(yaml: string): void {
    const file = path.join(this.programDir, "Pulumi.yaml");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/^outputs:/m, `${yaml.trimEnd()}\noutputs:`));
  }

  /** The plugin's log so far ("" before its first call). */
  pluginCalls(): string {
    return fs.existsSync(this.pluginLog) ? fs.readFileSync(this.pluginLog, "utf8") : "";
  }

  /** The resources of this stack's state, by resource name (any type). */
  async resources(): Promise<Record<string, { id: string; type: string; inputs: any; outputs: any }>> {
    const out: Record<string, any> = {};
    for (const r of (await this.exportState()).deployment.resources) out[String(r.urn).split("::").pop() as string] = r;
    return out;
  }
}
