// The pipeline resources: SourceConnection, TargetConnection and Dataflow. Typed args and outputs,
// secret wrapping of params, and the serialized provider shim. References are Pulumi outputs
// (`baseConnectionId: conn.id`, `sourceConnectionIds: [source.id]`), so the engine orders creates
// before the objects that use them, and deletes after.
import * as pulumi from "@pulumi/pulumi";
import type { LastRun } from "../core/runs";
import { CommonArgs, commonProps, FlowServiceResource, Json, JsonInput, secretParams } from "./common";

export type { JsonInput } from "./common";

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

export interface SourceConnectionArgs extends CommonArgs {
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

export interface TargetConnectionArgs extends CommonArgs {
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

export interface DataflowArgs extends CommonArgs {
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

function connectionLikeProps(args: SourceConnectionArgs | TargetConnectionArgs) {
  const specId = pulumi.output(args.connectionSpec).apply((s) => s.id);
  const { params, secretKeys } = secretParams(specId, undefined, args.params);
  return {
    ...commonProps(args),
    baseConnectionId: args.baseConnectionId,
    connectionSpec: args.connectionSpec,
    data: args.data,
    params,
    secretKeys,
  };
}

/** The outputs a source and a target connection share. */
abstract class ConnectionLikeResource extends FlowServiceResource {
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

export class Dataflow extends FlowServiceResource {
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
      ...commonProps(args),
      flowSpec: args.flowSpec,
      sourceConnectionIds: args.sourceConnectionIds,
      targetConnectionIds: args.targetConnectionIds,
      transformations: args.transformations,
      scheduleParams: args.scheduleParams,
      enabled: args.enabled,
      secretKeys: [],
      lastRun: undefined,
    };
    super(pipelineShims.Dataflow, name, props, opts, "flowservice", "Dataflow");
  }
}
