// Pulumi's ResourceProvider gRPC service for the flowservice package, served directly over the
// SDK's generated stubs: unlike the SDK's own provider server, provider config arrives through
// CheckConfig/DiffConfig/Configure, Diff returns a detailed diff, and Read serves both refresh and
// import. Each method converts the request, calls resource.ts or config.ts, and converts back.
import type * as grpcTypes from "@grpc/grpc-js";
import type { ProviderRuntime } from "../resources/provider";
import { checkConfig, configGetter, diffConfig } from "./config";
import type { PluginLog } from "./log";
import * as res from "./resource";
import { any, empty, fromStruct, grpc, plugin, provider as pb, providerGrpc, status, toStruct } from "../resources/rpc";
import { engineFailures } from "../core/failures";
import { packageSchema } from "./schema";
import { unwrapSecrets } from "./wire";

type Props = Record<string, unknown>;

interface PluginOptions {
  version: string;
  runtime: ProviderRuntime;
  kinds: res.PluginResourceKind[];
  log: PluginLog;
}

const KIND = { add: pb.PropertyDiff.Kind.ADD, delete: pb.PropertyDiff.Kind.DELETE, update: pb.PropertyDiff.Kind.UPDATE };
const REPLACE_KIND = {
  add: pb.PropertyDiff.Kind.ADD_REPLACE,
  delete: pb.PropertyDiff.Kind.DELETE_REPLACE,
  update: pb.PropertyDiff.Kind.UPDATE_REPLACE,
};

function diffResponse(d: {
  changes: boolean;
  replaces?: string[];
  changedKeys: string[];
  detailed: res.DetailedChange[];
  deleteBeforeReplace?: boolean;
}) {
  const r = new pb.DiffResponse();
  r.setChanges(d.changes ? pb.DiffResponse.DiffChanges.DIFF_SOME : pb.DiffResponse.DiffChanges.DIFF_NONE);
  r.setReplacesList(d.replaces ?? []);
  r.setDiffsList(d.changedKeys);
  r.setDeletebeforereplace(d.deleteBeforeReplace ?? false);
  r.setHasdetaileddiff(true);
  const map = r.getDetaileddiffMap();
  for (const c of d.detailed) {
    const p = new pb.PropertyDiff();
    p.setKind((c.replace ? REPLACE_KIND : KIND)[c.kind]);
    p.setInputdiff(true);
    map.set(c.path, p);
  }
  return r;
}

function checkResponse(c: { inputs: Props; failures: Array<{ property: string; reason: string }> }) {
  const r = new pb.CheckResponse();
  r.setInputs(toStruct(c.inputs));
  r.setFailuresList(
    engineFailures(c.failures).map((f) => {
      const failure = new pb.CheckFailure();
      failure.setProperty(f.property);
      failure.setReason(f.reason);
      return failure;
    }),
  );
  return r;
}

/** An error for the engine; one after which the object exists carries its id and state (a partial failure). */
function serviceError(
  e: unknown,
  partial?: { id: string; props: Props; reasons: string[]; inputs?: Props },
): Partial<grpcTypes.ServiceError> {
  const message = String((e as Error)?.message ?? e);
  const metadata = new grpc.Metadata();
  if (partial) {
    const detail = new pb.ErrorResourceInitFailed();
    detail.setId(partial.id);
    detail.setProperties(toStruct(partial.props));
    if (partial.inputs) detail.setInputs(toStruct(partial.inputs));
    detail.setReasonsList(partial.reasons);
    const packed = new any.Any();
    packed.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
    const st = new status.Status();
    st.setCode(grpc.status.UNKNOWN);
    st.setMessage(message);
    st.addDetails(packed);
    metadata.add("grpc-status-details-bin", Buffer.from(st.serializeBinary()));
  }
  return { code: grpc.status.UNKNOWN, details: message, message, metadata };
}

/** The resource type of a request: its `type` field, or the last type of its URN. */
function typeOf(req: { getType?: () => string; getUrn: () => string }): string {
  return req.getType?.() || (req.getUrn().split("::")[2] ?? "").split("$").pop() || "";
}

function providerService(opts: PluginOptions): grpcTypes.UntypedServiceImplementation {
  const { log } = opts;
  const kinds = new Map(opts.kinds.map((k) => [k.token, k]));
  const schema = JSON.stringify(packageSchema(opts.version, opts.kinds));
  const kindOf = (req: { getType?: () => string; getUrn: () => string }) => {
    const t = typeOf(req);
    const k = kinds.get(t);
    if (!k) throw new Error(`flowservice: unknown resource type "${t}"; this provider serves ${[...kinds.keys()].join(", ")}`);
    return k;
  };

  /** A unary handler: logs the call (never its values) and turns failures into gRPC errors. */
  function unary<Req extends object, Res>(
    method: string,
    fn: (req: Req) => Promise<Res>,
    partial?: (req: Req, e: unknown) => ReturnType<typeof res.partialFailure>,
  ) {
    return (call: grpcTypes.ServerUnaryCall<Req, Res>, callback: grpcTypes.sendUnaryData<Res>) => {
      const started = Date.now();
      const urn = (call.request as { getUrn?: () => string | undefined }).getUrn?.() ?? "";
      const who = urn ? urn.split("::").slice(2).join("::") : "-";
      fn(call.request).then(
        (r) => {
          log.call(method, who, started);
          callback(null, r);
        },
        (e) => {
          log.call(method, who, started, e);
          callback(serviceError(e, partial?.(call.request, e)) as grpcTypes.ServiceError);
        },
      );
    };
  }

  return {
    getPluginInfo: unary("GetPluginInfo", async () => new plugin.PluginInfo().setVersion(opts.version)),
    getSchema: unary("GetSchema", async () => new pb.GetSchemaResponse().setSchema(schema)),
    cancel: unary("Cancel", async () => new empty.Empty()),

    checkConfig: unary("CheckConfig", async (req: InstanceType<typeof pb.CheckRequest>) =>
      checkResponse(checkConfig(fromStruct(req.getNews()))),
    ),
    diffConfig: unary("DiffConfig", async (req: InstanceType<typeof pb.DiffRequest>) =>
      diffResponse(diffConfig(fromStruct(req.getOldInputs()) ?? fromStruct(req.getOlds()), fromStruct(req.getNews()))),
    ),
    configure: unary("Configure", async (req: InstanceType<typeof pb.ConfigureRequest>) => {
      const variables = new Map<string, string>();
      req.getVariablesMap().forEach((v, k) => {
        variables.set(k, v);
      });
      const get = configGetter(unwrapSecrets(fromStruct(req.getArgs()) ?? {}).value as Props, variables);
      // Every kind shares the one runtime; each glue's configure is what the dynamic host calls.
      for (const k of opts.kinds) await k.provider.configure?.({ config: { get } } as never);
      const r = new pb.ConfigureResponse();
      r.setAcceptsecrets(true);
      r.setSupportspreview(false);
      r.setAcceptresources(false);
      r.setAcceptoutputs(false);
      return r;
    }),

    check: unary("Check", async (req: InstanceType<typeof pb.CheckRequest>) =>
      checkResponse(await res.checkResource(kindOf(req), fromStruct(req.getOlds()), fromStruct(req.getNews()))),
    ),
    diff: unary("Diff", async (req: InstanceType<typeof pb.DiffRequest>) =>
      diffResponse(
        await res.diffResource(
          kindOf(req),
          req.getId(),
          fromStruct(req.getOlds()),
          fromStruct(req.getNews()),
          fromStruct(req.getOldInputs()),
        ),
      ),
    ),
    create: unary(
      "Create",
      async (req: InstanceType<typeof pb.CreateRequest>) => {
        const r = await res.createResource(kindOf(req), fromStruct(req.getProperties()));
        return new pb.CreateResponse().setId(r.id).setProperties(toStruct(r.props));
      },
      (req, e) => res.partialFailure(kindOf(req), e, fromStruct(req.getProperties())),
    ),
    read: unary("Read", async (req: InstanceType<typeof pb.ReadRequest>) => {
      const r = await res.readResource(kindOf(req), req.getId(), fromStruct(req.getProperties()), fromStruct(req.getInputs()));
      const out = new pb.ReadResponse();
      if (r.gone) return out; // no id: the object is gone (refresh drops it; import reports it missing)
      for (const note of r.notes) await log.warn(req.getUrn(), note);
      return out.setId(r.id).setProperties(toStruct(r.props)).setInputs(toStruct(r.inputs));
    }),
    update: unary(
      "Update",
      async (req: InstanceType<typeof pb.UpdateRequest>) => {
        const props = await res.updateResource(kindOf(req), req.getId(), fromStruct(req.getOlds()), fromStruct(req.getNews()));
        return new pb.UpdateResponse().setProperties(toStruct(props));
      },
      (req, e) => res.partialFailure(kindOf(req), e, fromStruct(req.getNews())),
    ),
    delete: unary("Delete", async (req: InstanceType<typeof pb.DeleteRequest>) => {
      const props = fromStruct(req.getProperties());
      // The glue warns when the object stays in Flow Service (both doors).
      await res.deleteResource(kindOf(req), req.getId(), props);
      return new empty.Empty();
    }),
  };
}

/** Serves the provider on a free loopback port; resolves with the port once listening. */
export function serve(opts: PluginOptions): Promise<{ port: number; server: grpcTypes.Server }> {
  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  server.addService(providerGrpc.ResourceProviderService, providerService(opts));
  return new Promise((resolve, reject) => {
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve({ port, server }),
    );
  });
}
