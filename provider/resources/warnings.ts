// Warnings the CLI shows as `warning:` lines, from either door. Both the dynamic-provider host and
// the plugin are started with the engine's address as their last argument; a warning goes to the
// engine's Log service (not to stdout or stderr, which the engine does not show by default).
// Minimal version: the "inputs" work replaces this file with the project's one (same export).
import { engine, engineGrpc, grpc } from "../plugin/rpc";

let client: InstanceType<typeof engineGrpc.EngineClient> | undefined;

/** The engine's address: the last argument that looks like host:port. */
function engineAddress(argv: readonly string[] = process.argv): string | undefined {
  const last = argv[argv.length - 1];
  return last && /^[\w.[\]:-]+:\d+$/.test(last) ? last : undefined;
}

/** Shows `message` as a warning of the current `pulumi` run; never fails the operation it is about. */
export function warn(message: string): void {
  const address = engineAddress();
  if (!address) {
    process.stderr.write(`warning: ${message}\n`);
    return;
  }
  client ??= new engineGrpc.EngineClient(address, grpc.credentials.createInsecure());
  const req = new engine.LogRequest();
  req.setSeverity(engine.LogSeverity.WARNING);
  req.setMessage(message);
  client.log(req, () => undefined);
}
