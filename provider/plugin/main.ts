// The plugin process: `pulumi-resource-flowservice [flags] ENGINE_ADDRESS`, started by the engine.
// It serves the provider on a loopback port and writes that port, and nothing else, to stdout.
import fs from "node:fs";
import path from "node:path";
import { exitWhenEngineGone } from "../resources/lifeline";
import { ProviderRuntime } from "../resources/provider";
import { resourceKinds } from "./kind";
import { useEngine } from "../resources/warnings";
import { PluginLog } from "./log";
import { serve } from "./server";

/** The package's version: the plugin reports it to the engine (GetPluginInfo) and in its schema. */
function packageVersion(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
  }
  return "0.0.0";
}

export async function main(args: string[]): Promise<void> {
  // The engine passes logging/tracing flags first and its own address last.
  const last = args[args.length - 1];
  const engineAddress = last && !last.startsWith("-") ? last : undefined;
  // The process's one provider state, shared by every resource kind.
  const runtime = new ProviderRuntime();
  const log = new PluginLog(engineAddress);
  useEngine(engineAddress);
  const { port, server } = await serve({
    version: packageVersion(),
    runtime,
    kinds: resourceKinds(runtime),
    log,
  });
  process.stdout.write(`${port}\n`);
  if (engineAddress) exitWhenEngineGone({ engineAddress, idle: () => runtime.idle() });
  const stop = () => {
    log.close();
    server.forceShutdown();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

/** The launchers' entry: runs the plugin until the engine stops it; a failure to start exits 1. */
export function run(args: string[]): void {
  main(args).catch((e) => {
    process.stderr.write(`pulumi-resource-flowservice: ${(e as Error)?.message ?? e}\n`);
    process.exit(1);
  });
}
