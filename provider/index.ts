// The package's public surface: `import { Connection } from "pulumi-flowservice"`.
export { Connection, ConnectionArgs, ParamInput } from "./resources/connection";
export {
  SourceConnection,
  SourceConnectionArgs,
  TargetConnection,
  TargetConnectionArgs,
  Dataflow,
  DataflowArgs,
  ScheduleParamsInput,
  JsonInput,
} from "./resources/pipeline";
export { CONNECTORS, isSecretParam } from "./core/catalog";
export { planPatch, maskOps, PatchableFields } from "./core/planner";
/** @deprecated the old name of PatchableFields. */
export type { PatchableFields as Desired } from "./core/planner";
export * from "./core/errors";
export type { LastRun } from "./core/runs";
