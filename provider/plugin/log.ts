// What the plugin reports, and where. The engine shows a plugin's stdout and stderr to the user, so
// the plugin writes nothing there but its port. Messages for the user go through the engine's Log
// service (attached to a resource); a line per call (method, resource, outcome, duration; never a
// property value) goes to the file named by FLOWSERVICE_PLUGIN_LOG, when set.
import fs from "node:fs";
import { engine, engineGrpc, grpc } from "../resources/rpc";

export class PluginLog {
  private client?: InstanceType<typeof engineGrpc.EngineClient>;

  constructor(
    private readonly engineAddress: string | undefined,
    private readonly file: string | undefined = process.env.FLOWSERVICE_PLUGIN_LOG,
  ) {}

  /** One call: `Create flowservice:index:Connection::sf ok 41ms`. Errors carry the provider's message (never a value it holds as secret). */
  call(method: string, resource: string, started: number, error?: unknown): void {
    if (!this.file) return;
    const outcome = error === undefined ? "ok" : `error ${(error as { code?: string }).code ?? ""} ${firstLine(error)}`.replace(/ +/g, " ");
    fs.appendFileSync(this.file, `${new Date().toISOString()} ${method} ${resource} ${outcome} ${Date.now() - started}ms\n`);
  }

  /** A warning shown by the CLI under the resource. */
  warn(urn: string, message: string): Promise<void> {
    if (!this.engineAddress) return Promise.resolve();
    this.client ??= new engineGrpc.EngineClient(this.engineAddress, grpc.credentials.createInsecure());
    const req = new engine.LogRequest();
    req.setSeverity(engine.LogSeverity.WARNING);
    req.setMessage(message);
    req.setUrn(urn);
    // A lost warning must not fail the operation it is about.
    return new Promise((resolve) => (this.client as InstanceType<typeof engineGrpc.EngineClient>).log(req, () => resolve()));
  }

  close(): void {
    this.client?.close();
  }
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split("\n")[0];
}
