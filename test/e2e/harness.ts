// One Pulumi project + stack per test suite, in throwaway folders, driven through the real CLI
// (tools/pulumiCli.ts) against the emulator. Nothing here mocks the engine.
import fs from "node:fs";
import path from "node:path";
import { type Credentials, DEMO } from "../../tools/demo";
import { flowConfigArgs, makeWorkspace, REPO, RunResult, runPulumi, Workspace } from "../../tools/pulumiCli";

export { DEMO } from "../../tools/demo";
export { ensureEngine, REPO } from "../../tools/pulumiCli";

export interface ConnectionDecl {
  resourceName: string;
  name: string;
  description?: string;
  connectionSpec: { id: string; version?: string };
  /** A value written as {secret: "..."} is wrapped in pulumi.secret() by the program. */
  auth: { specName: string; params: Record<string, string | number | boolean | { secret: string }> };
  adoptId?: string;
  deleteOnDestroy?: boolean;
  sandboxName?: string;
  verifyCredentials?: boolean;
}

export class TestStack {
  readonly ws: Workspace;
  readonly programDir: string;
  /** Every CLI output of this stack, for the secret scans. */
  readonly transcript: string[] = [];

  /** `programSource`: a folder whose files are copied as the program (default: the e2e program). */
  constructor(
    readonly stackName = "e2e",
    programSource?: string,
  ) {
    this.ws = makeWorkspace("flowservice-e2e-");
    this.programDir = path.join(this.ws.root, "program");
    fs.mkdirSync(this.programDir);
    if (programSource) {
      for (const f of fs.readdirSync(programSource)) fs.copyFileSync(path.join(programSource, f), path.join(this.programDir, f));
    } else {
      fs.copyFileSync(path.join(REPO, "test/e2e/program/index.js"), path.join(this.programDir, "index.js"));
      fs.writeFileSync(path.join(this.programDir, "Pulumi.yaml"), "name: flowservice-e2e\nruntime: nodejs\n");
    }
    fs.writeFileSync(path.join(this.programDir, "package.json"), '{"name":"flowservice-e2e","private":true}\n');
    // The program reaches the package (and @pulumi/pulumi) through the repository's node_modules.
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(this.programDir, "node_modules"));
  }

  get stateDir(): string {
    return this.ws.stateDir;
  }

  /** Runs `pulumi ARGS` in the program folder (never rejects on a non-zero exit). */
  async run(args: string[], opts: { env?: Record<string, string> } = {}): Promise<RunResult> {
    const r = await runPulumi(this.ws, this.programDir, args, opts);
    // The command line itself is not output: `config set --secret k=v` carries a value in clear.
    this.transcript.push(`$ pulumi ${args[0]}\n${r.stdout}\n${r.stderr}`);
    return r;
  }

  /** Like run, but throws (with the CLI's output) on a non-zero exit. */
  async ok(args: string[], opts: { env?: Record<string, string> } = {}): Promise<RunResult> {
    const r = await this.run(args, opts);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r;
  }

  /** Creates the stack and points the provider at an emulator with the given credentials. */
  async init(emulatorUrl: string, creds: Credentials = DEMO, extraConfig: Record<string, string> = {}): Promise<void> {
    await this.ok(["stack", "init", this.stackName]);
    await this.ok(flowConfigArgs(emulatorUrl, creds, extraConfig));
  }

  setProgram(connections: ConnectionDecl[]): void {
    fs.writeFileSync(path.join(this.programDir, "program.json"), JSON.stringify({ connections }, null, 2));
  }

  /** Every file of the state backend, concatenated: what a secret scan must search. */
  stateFiles(): string {
    const parts: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else parts.push(fs.readFileSync(p, "utf8"));
      }
    };
    walk(this.ws.stateDir);
    return parts.join("\n");
  }

  async exportState(): Promise<{ deployment: { resources: Array<Record<string, any>> } }> {
    return JSON.parse((await this.ok(["stack", "export"])).stdout);
  }

  /** The Connection resources in state, by resource name. */
  async connections(): Promise<Record<string, { id: string; inputs: any; outputs: any }>> {
    const out: Record<string, { id: string; inputs: any; outputs: any }> = {};
    for (const r of (await this.exportState()).deployment.resources) {
      if (String(r.type).endsWith("flowservice:Connection")) out[String(r.urn).split("::").pop() as string] = r as any;
    }
    return out;
  }

  cleanup(): void {
    fs.rmSync(this.ws.root, { recursive: true, force: true });
  }
}
