// The package's public surface: `import { Connection } from "pulumi-flowservice"`.
export { Connection, ConnectionArgs, ParamInput } from "./connection";
export { CONNECTORS, isSecretParam } from "./catalog";
export { planPatch, maskOps, Desired } from "./planner";
export * from "./errors";
