// The gRPC pieces of Pulumi's protocol, for both sides this package speaks: the plugin serves the
// ResourceProvider service, and the warnings call the engine's Log. The message classes and service
// definitions are the ones generated for Pulumi's protocol and shipped in @pulumi/pulumi (proto/),
// with the @grpc/grpc-js copy those generated files themselves load. Both are resolved from
// @pulumi/pulumi's own folder, so the server and the service definitions always come from the same
// grpc-js, whatever else is installed.
import { createRequire } from "node:module";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as emptyTypes from "google-protobuf/google/protobuf/empty_pb";
import type * as structTypes from "google-protobuf/google/protobuf/struct_pb";
import type * as engineGrpcTypes from "@pulumi/pulumi/proto/engine_grpc_pb";
import type * as engineTypes from "@pulumi/pulumi/proto/engine_pb";
import type * as pluginTypes from "@pulumi/pulumi/proto/plugin_pb";
import type * as providerGrpcTypes from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as providerTypes from "@pulumi/pulumi/proto/provider_pb";

const fromSdk = createRequire(require.resolve("@pulumi/pulumi/proto/provider_grpc_pb"));

export const grpc = fromSdk("@grpc/grpc-js") as typeof grpcTypes;
export const providerGrpc = fromSdk("./provider_grpc_pb") as typeof providerGrpcTypes;
export const provider = fromSdk("./provider_pb") as typeof providerTypes;
export const plugin = fromSdk("./plugin_pb") as typeof pluginTypes;
export const engine = fromSdk("./engine_pb") as typeof engineTypes;
export const engineGrpc = fromSdk("./engine_grpc_pb") as typeof engineGrpcTypes;
export const struct = fromSdk("google-protobuf/google/protobuf/struct_pb") as typeof structTypes;
export const empty = fromSdk("google-protobuf/google/protobuf/empty_pb") as typeof emptyTypes;
// No typings ship for these two: only what the plugin uses is declared.
export const status = fromSdk("./status_pb") as {
  Status: new () => { setCode(c: number): void; setMessage(m: string): void; addDetails(a: unknown): void; serializeBinary(): Uint8Array };
};
export const any = fromSdk("google-protobuf/google/protobuf/any_pb") as {
  Any: new () => { pack(bytes: Uint8Array, typeName: string): void };
};

/** A google.protobuf.Struct as a plain object (undefined for an absent Struct). */
export function fromStruct(s: structTypes.Struct | undefined): Record<string, unknown> | undefined {
  return s ? (s.toJavaScript() as Record<string, unknown>) : undefined;
}

/** A plain object as a google.protobuf.Struct; members that are undefined are left out. */
export function toStruct(v: Record<string, unknown>): structTypes.Struct {
  return struct.Struct.fromJavaScript(JSON.parse(JSON.stringify(v ?? {})));
}
