// The package's public surface: `import { Connection } from "pulumi-flowservice"`.
export { Connection, ConnectionArgs, ParamInput } from "./resources/connection";
export { CONNECTORS, isSecretParam } from "./core/catalog";
export { planPatch, maskOps, PatchableFields } from "./core/planner";
/** @deprecated the old name of PatchableFields. */
export type { PatchableFields as Desired } from "./core/planner";
export * from "./core/errors";
