// The module the pipeline resources' stored `__provider` text requires by path
// (`pulumi-flowservice/dist/provider/pipelineProvider`, see resources/pipeline.ts): keep this path
// and its exports for as long as stacks with such resources exist. Every provider here shares the
// one runtime of dynamicProvider.ts: one configuration, one session, one token per host process.
import { providerFor } from "./dynamicProvider";

export const sourceConnectionProvider = providerFor("SourceConnection");
export const targetConnectionProvider = providerFor("TargetConnection");
export const dataflowProvider = providerFor("Dataflow");
