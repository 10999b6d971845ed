// Pulumi warnings from the provider, in both doors.
//
//   warn(message: string): void
//
// Shows `warning: <message>` in the Pulumi CLI's output (preview, up, refresh, destroy) and in
// `--json` diagnostics, from any provider code: a `check`, a create, an update. It never throws and
// never fails the operation it is about. The message must name what it is about (the resource's
// display name, the property, what is uncertain): it is not attached to a resource, because a
// dynamic provider is not told which resource it is serving.
//
// How: through the engine's own Log service (pulumirpc.Engine/Log, severity WARNING), the channel
// `pulumi.log` uses in a program. Neither door sets `pulumi.log` up in the provider process, so the
// engine's address is found here: the dynamic-provider host is started as `… ENGINE_ADDRESS` (its
// last non-flag argument, like every plugin); the plugin (provider/plugin/main.ts) names its own
// with useEngine(). Without an engine (tests running the provider in process) warnings are kept
// in memory for takeWarnings(). Sends are asynchronous: glue that must not return before its
// warnings reach the engine awaits flushWarnings().
//
// This module owns the process's one warning channel (a process has one engine).
import { engine, engineGrpc, grpc } from "./rpc";

type EngineClient = InstanceType<typeof engineGrpc.EngineClient>;

interface Channel {
  client?: EngineClient;
  /** Warnings not sent to an engine (no engine address): for tests. */
  kept: string[];
  pending: Set<Promise<void>>;
}

let channel: Channel | undefined;

/** The engine address the dynamic-provider host was started with, if this process is that host. */
function hostEngineAddress(argv: readonly string[] = process.argv): string | undefined {
  if (!argv.some((a) => /dynamic-provider/.test(a))) return undefined;
  return argv
    .slice(2)
    .filter((a) => !a.startsWith("-"))
    .pop();
}

function open(address: string | undefined): Channel {
  const client = address ? new engineGrpc.EngineClient(address, grpc.credentials.createInsecure()) : undefined;
  return { client, kept: [], pending: new Set() };
}

/** Sends this process's warnings to the engine at `address` (the plugin's main), or keeps them in memory (undefined). */
export function useEngine(address: string | undefined): void {
  channel?.client?.close();
  channel = open(address);
}

/** Shows `warning: <message>` in the Pulumi CLI's output. Never throws. */
export function warn(message: string): void {
  channel ??= open(hostEngineAddress());
  const { client, kept, pending } = channel;
  if (!client) {
    kept.push(message);
    return;
  }
  const req = new engine.LogRequest();
  req.setSeverity(engine.LogSeverity.WARNING);
  req.setMessage(message);
  // A lost warning must not fail the operation it is about.
  const sent = new Promise<void>((resolve) => {
    try {
      client.log(req, () => resolve());
    } catch {
      resolve();
    }
  });
  pending.add(sent);
  void sent.then(() => pending.delete(sent));
}

/** Resolves once every warning sent so far has reached the engine (or failed to). */
export async function flushWarnings(): Promise<void> {
  if (channel) await Promise.all([...channel.pending]);
}

/** The warnings kept in memory (no engine) since the last call, and forgets them: for tests. */
export function takeWarnings(): string[] {
  channel ??= open(hostEngineAddress());
  return channel.kept.splice(0);
}
