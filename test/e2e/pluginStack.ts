// A stack whose program is a YAML or Python example served by the provider plugin: the harness's
// TestStack, with the language hosts (scripts/hosts.sh) on PATH and the plugin's call log on.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { FLOW_BASE_PATH } from "../../tools/demo";
import type { LoggedRequest } from "../helpers/emulatorControl";
import { REPO, TestStack } from "./harness";
import { ensureEngine } from "../../tools/pulumiCli";

export const CONNECTIONS = `${FLOW_BASE_PATH}/connections`;
/** A Flow Service request that changes something (tokens and reads excluded). */
export const isWrite = (r: LoggedRequest) => r.path.startsWith(FLOW_BASE_PATH) && r.method !== "GET";
/** A value the state holds encrypted. */
export const isSecretInState = (v: unknown) => typeof v === "object" && v !== null && "ciphertext" in v;

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

// biome-ignore-start lint/suspicious/noTemplateCurlyInString: Pulumi YAML interpolation, not JavaScript
/** What a user adds after `pulumi import`: the snippet, with the secrets declared from stack config. */
export const importedConnectionYaml = (name: string) => `  ui:
    type: flowservice:index:Connection
    properties:
      name: ${name}
      connectionSpec: { id: cfc0fee1-7dc0-40ef-b73e-d8b134c436f5, version: '1.0' }
      auth:
        specName: Basic Authentication
        params: { username: ui-user, password: '\${uiPassword}', securityToken: '\${uiToken}' }
`;

/** A source connection on the example's connection; its token param (a secret by its name) from config. */
export const ACCOUNTS_SOURCE_YAML = `  accounts:
    type: flowservice:index:SourceConnection
    properties:
      name: Salesforce accounts
      baseConnectionId: \${salesforce.id}
      connectionSpec: { id: cfc0fee1-7dc0-40ef-b73e-d8b134c436f5, version: '1.0' }
      data: { format: tabular }
      params: { tableName: Account, apiToken: '\${accountsToken}' }
`;
// biome-ignore-end lint/suspicious/noTemplateCurlyInString: Pulumi YAML interpolation, not JavaScript

/** Runs a command until its first line on stdout, then stops it: that line. */
export function firstStdoutLine(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn(command, args, { env });
  return new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes("\n")) {
        child.kill();
        resolve(out);
      }
    });
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`exited ${code} before a line: ${out}`)));
  });
}
