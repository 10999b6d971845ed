// Loaded by the benchmark into the processes of a `pulumi` run (NODE_OPTIONS=--require), it
// activates only in the dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`) or the provider
// plugin (`bin/pulumi-resource-flowservice`, the plugin door) and records,
// one JSON line per event, in $FLOWSERVICE_BENCH_PROBE_DIR/host-<pid>.jsonl:
//   - every unary gRPC call the engine makes to the host (check, diff, create, update, read,
//     delete…): start and duration, measured around the host's own handler (so it includes the
//     host's Struct <-> JavaScript conversions and the provider's code, not the gRPC transport);
//   - every HTTP request made through Node's http/https modules (what node-fetch uses): method,
//     start, duration until the reply body ended, status.
// With both, the benchmark splits the provider's time per call into "waiting for Flow Service"
// and "everything else", inside the real `pulumi up`. Nothing here changes what the host does.
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import Module from "node:module";
import path from "node:path";
import { performance } from "node:perf_hooks";

const dir = process.env.FLOWSERVICE_BENCH_PROBE_DIR;
const script = (process.argv[1] ?? "").replace(/\\/g, "/");
const isHost = script.includes("cmd/dynamic-provider") || script.endsWith("/pulumi-resource-flowservice");

if (dir && isHost) install(dir);

function install(outDir: string): void {
  const fd = fs.openSync(path.join(outDir, `host-${process.pid}.jsonl`), "a");
  // Wall-clock origin, so events of the host and of the emulator's log can be put on one timeline.
  const origin = Date.now() - performance.now();
  const write = (o: Record<string, unknown>) => {
    try {
      fs.writeSync(fd, JSON.stringify(o) + "\n");
    } catch {
      // never disturb the host
    }
  };
  write({ kind: "start", at: origin + performance.now() });

  // ---- gRPC handlers -------------------------------------------------------------------------
  const req = Module.prototype.require;
  let patched = false;
  Module.prototype.require = function (this: NodeModule, ...args: [string]) {
    const id = args[0];
    const exported = req.apply(this, args);
    if (!patched && id === "@grpc/grpc-js" && exported?.Server?.prototype?.addService) {
      patched = true;
      const addService = exported.Server.prototype.addService;
      // The gRPC service definition and its handlers, as @grpc/grpc-js passes them (untyped here).
      type MethodDef = { originalName?: string; requestStream?: boolean; responseStream?: boolean } | undefined;
      type Handler = (call: unknown, callback: (...a: unknown[]) => void) => unknown;
      exported.Server.prototype.addService = function (service: Record<string, MethodDef>, impl: Record<string, Handler | undefined>) {
        const wrapped: Record<string, Handler | undefined> = Object.create(impl);
        for (const [name, def] of Object.entries(service)) {
          const fn = impl[name] ?? (def?.originalName ? impl[def.originalName] : undefined);
          if (typeof fn !== "function" || def?.requestStream || def?.responseStream) continue;
          wrapped[name] = function (call: unknown, callback: (...a: unknown[]) => void) {
            const t0 = performance.now();
            return fn.call(impl, call, (...a: unknown[]) => {
              const t1 = performance.now();
              write({ kind: "rpc", method: name, at: origin + t0, ms: t1 - t0, ok: !a[0] });
              callback(...a);
            });
          };
          if (def?.originalName && def.originalName !== name) wrapped[def.originalName] = wrapped[name];
        }
        return addService.call(this, service, wrapped);
      };
    }
    return exported;
  } as typeof Module.prototype.require;

  // ---- HTTP requests -------------------------------------------------------------------------
  for (const mod of [http, https] as Array<typeof http>) {
    const original = mod.request;
    (mod as { request: unknown }).request = function (this: unknown, ...args: unknown[]) {
      const t0 = performance.now();
      const r = (original as (...a: unknown[]) => http.ClientRequest).apply(this, args);
      let done = false;
      const finish = (status: number | undefined) => {
        if (done) return;
        done = true;
        write({ kind: "http", method: r.method, at: origin + t0, ms: performance.now() - t0, status });
      };
      r.once("response", (res: http.IncomingMessage) => {
        res.once("end", () => finish(res.statusCode));
        res.once("close", () => finish(res.statusCode));
      });
      r.once("error", () => finish(undefined));
      return r;
    };
  }
}
