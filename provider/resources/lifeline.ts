// A provider process (the dynamic-provider host, the plugin) serves one engine. When that engine is
// killed (SIGKILL of `pulumi up`'s process group), the provider processes are in process groups of
// their own and would live on, holding the emulator's or Flow Service's connections and, once
// their in-flight requests settle, doing nothing for anyone. So each watches its engine's gRPC
// port: once the port refuses connections twice in a row, the process waits for the requests in
// flight to settle (at most `maxSettleMs`) and exits.
import net from "node:net";

interface LifelineOptions {
  /** The engine's address as the engine passed it (host:port). */
  engineAddress: string;
  /** Whether no request is in flight. */
  idle: () => boolean;
  pollMs?: number;
  /** The longest wait for in-flight requests after the engine is gone (a request timeout and some). */
  maxSettleMs?: number;
  exit?: (code: number) => void;
}

/** Starts watching; the returned function stops it. Timers are unref'd: they never keep a process alive. */
export function exitWhenEngineGone(o: LifelineOptions): () => void {
  const i = o.engineAddress.lastIndexOf(":");
  const host = o.engineAddress.slice(0, i).replace(/^\[|\]$/g, "") || "127.0.0.1";
  const port = Number(o.engineAddress.slice(i + 1));
  const exit = o.exit ?? ((code: number) => process.exit(code));
  if (!Number.isInteger(port) || port <= 0) return () => undefined;
  let refused = 0;
  let settling: NodeJS.Timeout | undefined;
  const probe = () => {
    const socket = net.connect({ host, port });
    socket.setTimeout(2000);
    socket.on("connect", () => {
      refused = 0;
      socket.destroy();
    });
    socket.on("timeout", () => socket.destroy());
    socket.on("error", (e: NodeJS.ErrnoException) => {
      socket.destroy();
      if (e.code !== "ECONNREFUSED" || ++refused < 2 || settling) return;
      clearInterval(watching);
      const deadline = Date.now() + (o.maxSettleMs ?? 60_000);
      settling = setInterval(() => {
        if (o.idle() || Date.now() > deadline) exit(0);
      }, 200);
    });
  };
  const watching = setInterval(probe, o.pollMs ?? 1000);
  watching.unref();
  return () => {
    clearInterval(watching);
    if (settling) clearInterval(settling);
  };
}

/** The engine's address of the dynamic-provider host this module runs in, if it is one (its first argument). */
export function dynamicHostEngineAddress(argv: readonly string[] = process.argv): string | undefined {
  const script = argv[1] ?? "";
  const address = argv[2];
  return /dynamic-provider/.test(script) && address && /:\d+$/.test(address) ? address : undefined;
}
