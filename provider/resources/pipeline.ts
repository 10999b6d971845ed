// The pipeline resources: SourceConnection, TargetConnection and Dataflow. Typed args and outputs,
// secret wrapping of params, and the serialized provider shim. References are Pulumi outputs
// (`baseConnectionId: conn.id`, `sourceConnectionIds: [source.id]`), so the engine orders creates
// before the objects that use them, and deletes after.
import * as pulumi from "@pulumi/pulumi";
import { isSecretParam } from "../core/catalog";
import type { LastRun } from "../core/runs";
import { assertKnownStackConfig } from "./stackConfig";

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
/** A JSON value, or a Pulumi input of one. */
export type JsonInput = pulumi.Input<Json>;

/**
 * The provider as stored in state, one per resource type. Each method `require`s the real
 * implementation by path at run time in the dynamic-provider host; only the two strings are
 * captured, so the text is small and can hold no credential, token or client.
 */
function providerShim(exportName: string): pulumi.dynamic.ResourceProvider {
  const modulePath = "pulumi-flowservice/dist/provider/pipelineProvider";
  return {
    configure: (req) => require(modulePath)[exportName].configure(req),
    check: (olds, news) => require(modulePath)[exportName].check(olds, news),
    diff: (id, olds, news) => require(modulePath)[exportName].diff(id, olds, news),
    create: (inputs) => require(modulePath)[exportName].create(inputs),
    read: (id, props) => require(modulePath)[exportName].read(id, props),
    update: (id, olds, news) => require(modulePath)[exportName].update(id, olds, news),
    delete: (id, props) => require(modulePath)[exportName].delete(id, props),
  };
}

// Created once: serialization is cached per provider object.
export const pipelineShims = {
  SourceConnection: providerShim("sourceConnectionProvider"),
  TargetConnection: providerShim("targetConnectionProvider"),
  Dataflow: providerShim("dataflowProvider"),
};

/** Args every pipeline resource takes. */
interface PipelineCommonArgs {
  /** The display name. */
  name: pulumi.Input<string>;
  /** Optional; removing it from the program removes it remotely. */
  description?: pulumi.Input<string>;
  /** The sandbox the object lives in; default the stack's flowservice:sandboxName. A change means a new object. */
  sandboxName?: pulumi.Input<string>;
  /** Manage this existing object instead of creating one. */
  adoptId?: pulumi.Input<string>;
  /** What `pulumi destroy` does remotely. Default: delete what this stack created, keep what it adopted. */
  deleteOnDestroy?: pulumi.Input<boolean>;
}

export interface SourceConnectionArgs extends PipelineCommonArgs {
  /** The base connection (account) to read through: `connection.id`. A change means a new source connection. */
  baseConnectionId?: pulumi.Input<string>;
  /** The connector. A change means a new source connection. */
  connectionSpec: pulumi.Input<{ id: pulumi.Input<string>; version?: pulumi.Input<string> }>;
  /** `format` (delimited, json, parquet, tabular…) and what else the connector documents. A change means a new source connection. */
  data?: pulumi.Input<{ format?: pulumi.Input<string>; [key: string]: JsonInput | undefined }>;
  /**
   * What to read: `path` (files), `tableName` (tables)… Patched per key. Values wrapped in
   * `pulumi.secret()`, and params whose name looks like a credential, are write-only secrets.
   */
  params?: Record<string, JsonInput>;
}

export interface TargetConnectionArgs extends PipelineCommonArgs {
  baseConnectionId?: pulumi.Input<string>;
  /** The destination; for the Data Lake `c604ff05-7f1a-43c0-8e18-33bf874cb11c`. A change means a new target connection. */
  connectionSpec: pulumi.Input<{ id: pulumi.Input<string>; version?: pulumi.Input<string> }>;
  /** `format` and the target XDM `schema: { id, version }`. A change means a new target connection. */
  data?: pulumi.Input<{
    format?: pulumi.Input<string>;
    schema?: pulumi.Input<{ id: pulumi.Input<string>; version?: pulumi.Input<string> }>;
    [key: string]: unknown;
  }>;
  /** `dataSetId` (a change means a new target connection) and others, patched per key; secrets as for SourceConnection. */
  params?: Record<string, JsonInput>;
}

export interface ScheduleParamsInput {
  /** Epoch seconds. Cannot change once it has passed. */
  startTime?: pulumi.Input<number | string>;
  frequency: pulumi.Input<"once" | "minute" | "hour" | "day" | "week">;
  /** Units of `frequency` between runs: at least 15 for "minute"; not needed for "once". */
  interval?: pulumi.Input<number | string>;
  backfill?: pulumi.Input<boolean>;
}

export interface DataflowArgs extends PipelineCommonArgs {
  /** e.g. CloudStorageToAEP `9753525b-82c7-4dce-8a9b-5ccfce2b9876`. A change means a new dataflow. */
  flowSpec: pulumi.Input<{ id: pulumi.Input<string>; version?: pulumi.Input<string> }>;
  /** `[source.id]`: a change is patched (the flow keeps its id); add `replaceOnChanges` to get a new flow instead. */
  sourceConnectionIds: pulumi.Input<string>[];
  targetConnectionIds: pulumi.Input<string>[];
  /** e.g. `[{ name: "Mapping", params: { mappingId, mappingVersion } }]`: each patched as a whole. */
  transformations?: pulumi.Input<pulumi.Input<{ name: pulumi.Input<string>; params: Record<string, JsonInput> }>[]>;
  /** Patched per field. */
  scheduleParams?: pulumi.Input<ScheduleParamsInput>;
  /** Default true; a change is POST /flows/{id}/action?op=ENABLE|DISABLE, not a PATCH. */
  enabled?: pulumi.Input<boolean>;
}

/** Params with each secret value wrapped per key (the others stay readable in previews), and the secret names. */
function secretParams(specId: pulumi.Input<string> | undefined, params: Record<string, JsonInput> | undefined) {
  const entries = Object.entries(params ?? {});
  const flags = entries.map(([key, value]) =>
    pulumi
      .output(specId)
      .apply(async (id) => isSecretParam(id, undefined, key) || (pulumi.Output.isInstance(value) && (await pulumi.isSecret(value)))),
  );
  const secretKeys = pulumi.all(flags).apply((f) =>
    entries
      .filter((_, i) => f[i])
      .map(([key]) => key)
      .sort(),
  );
  if (params === undefined) return { params: undefined, secretKeys };
  const wrapped: Record<string, pulumi.Input<Json>> = {};
  entries.forEach(([key, value], i) => {
    wrapped[key] = flags[i].apply((secret) => (secret ? pulumi.secret(value) : pulumi.output(value))) as pulumi.Output<Json>;
  });
  return { params: wrapped, secretKeys };
}

/** Output-only properties: declared so that the engine exposes them. */
const STAMPS = {
  etag: undefined,
  state: undefined,
  createdAt: undefined,
  updatedAt: undefined,
  updatedBy: undefined,
  adopted: undefined,
  orgId: undefined,
  endpointHost: undefined,
};

function common(args: PipelineCommonArgs) {
  assertKnownStackConfig();
  return {
    name: args.name,
    description: args.description,
    sandboxName: args.sandboxName,
    adoptId: args.adoptId,
    deleteOnDestroy: args.deleteOnDestroy,
  };
}

/** The outputs every pipeline resource has. */
abstract class PipelineResource extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  declare readonly description: pulumi.Output<string | undefined>;
  /** The sandbox it lives in. */
  declare readonly sandboxName: pulumi.Output<string>;
  declare readonly adoptId: pulumi.Output<string | undefined>;
  /** The version the next PATCH sends as If-Match (quotes included, as Flow Service returns it). */
  declare readonly etag: pulumi.Output<string>;
  declare readonly state: pulumi.Output<string>;
  declare readonly createdAt: pulumi.Output<number>;
  declare readonly updatedAt: pulumi.Output<number>;
  /** Whether this resource adopted an existing object rather than creating it. */
  declare readonly adopted: pulumi.Output<boolean>;
  /** The org and the endpoint host it was created under (docs/reads.md); absent until refreshed for earlier state. */
  declare readonly orgId: pulumi.Output<string | undefined>;
  declare readonly endpointHost: pulumi.Output<string | undefined>;
}

function connectionLikeProps(args: SourceConnectionArgs | TargetConnectionArgs) {
  const specId = pulumi.output(args.connectionSpec).apply((s) => s.id);
  const { params, secretKeys } = secretParams(specId, args.params);
  return {
    ...common(args),
    baseConnectionId: args.baseConnectionId,
    connectionSpec: args.connectionSpec,
    data: args.data,
    params,
    secretKeys,
    ...STAMPS,
  };
}

/** The outputs a source and a target connection share. */
abstract class ConnectionLikeResource extends PipelineResource {
  declare readonly baseConnectionId: pulumi.Output<string | undefined>;
  declare readonly connectionSpec: pulumi.Output<{ id: string; version?: string }>;
  declare readonly data: pulumi.Output<Record<string, Json> | undefined>;
  declare readonly params: pulumi.Output<Record<string, Json> | undefined>;
  /** Names of the params held as secrets. */
  declare readonly secretKeys: pulumi.Output<string[]>;
}

export class SourceConnection extends ConnectionLikeResource {
  constructor(name: string, args: SourceConnectionArgs, opts?: pulumi.CustomResourceOptions) {
    super(pipelineShims.SourceConnection, name, connectionLikeProps(args), opts, "flowservice", "SourceConnection");
  }
}

export class TargetConnection extends ConnectionLikeResource {
  constructor(name: string, args: TargetConnectionArgs, opts?: pulumi.CustomResourceOptions) {
    super(pipelineShims.TargetConnection, name, connectionLikeProps(args), opts, "flowservice", "TargetConnection");
  }
}

export class Dataflow extends PipelineResource {
  declare readonly flowSpec: pulumi.Output<{ id: string; version?: string }>;
  declare readonly sourceConnectionIds: pulumi.Output<string[]>;
  declare readonly targetConnectionIds: pulumi.Output<string[]>;
  declare readonly transformations: pulumi.Output<Array<{ name: string; params: Record<string, Json> }> | undefined>;
  declare readonly scheduleParams: pulumi.Output<
    { startTime?: number; frequency: string; interval?: number; backfill?: boolean } | undefined
  >;
  declare readonly enabled: pulumi.Output<boolean | undefined>;
  /** The latest run as the last refresh read it; absent until a first run. */
  declare readonly lastRun: pulumi.Output<LastRun | undefined>;

  constructor(name: string, args: DataflowArgs, opts?: pulumi.CustomResourceOptions) {
    const props = {
      ...common(args),
      flowSpec: args.flowSpec,
      sourceConnectionIds: args.sourceConnectionIds,
      targetConnectionIds: args.targetConnectionIds,
      transformations: args.transformations,
      scheduleParams: args.scheduleParams,
      enabled: args.enabled,
      secretKeys: [],
      ...STAMPS,
      lastRun: undefined,
    };
    super(pipelineShims.Dataflow, name, props, opts, "flowservice", "Dataflow");
  }
}
