// The module the pipeline resources' stored `__provider` text requires by path
// (`pulumi-flowservice/dist/provider/pipelineProvider`, see resources/pipeline.ts): keep this path
// and its exports for as long as stacks with such resources exist. Every provider here shares the
// one runtime of dynamicProvider.ts: one configuration, one session, one token per host process.
import { dataflow } from "./core/entities/dataflow";
import { sourceConnection } from "./core/entities/sourceConnection";
import { targetConnection } from "./core/entities/targetConnection";
import { runtime } from "./dynamicProvider";
import { entityProvider } from "./resources/engineProvider";

export const sourceConnectionProvider = entityProvider(runtime, sourceConnection);
export const targetConnectionProvider = entityProvider(runtime, targetConnection);
export const dataflowProvider = entityProvider(runtime, dataflow);
