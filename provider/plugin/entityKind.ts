// SourceConnection, TargetConnection and Dataflow as the plugin serves them: each entity
// description's own glue (entityProvider, the dynamic resources'), plus what the dynamic resource
// classes compute in the program: which params are secret (those the program marked, and those
// whose name looks like a credential).
import { z } from "zod";
import { isSecretParam } from "../core/catalog";
import { AnyDescription, secretHolder } from "../core/entity";
import { dataflow } from "../core/entities/dataflow";
import { sourceConnection } from "../core/entities/sourceConnection";
import { targetConnection } from "../core/entities/targetConnection";
import { entityProvider } from "../resources/entityProvider";
import type { ProviderRuntime } from "../resources/provider";
import type { PluginResourceKind } from "./resource";
import { isPrefix, PropertyPath } from "./wire";

type Props = Record<string, unknown>;

const obj = (v: unknown): Props => (v && typeof v === "object" && !Array.isArray(v) ? (v as Props) : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((k): k is string => typeof k === "string") : []);

/** What the provider adds to an entity's inputs in its outputs (core/entity.ts Stamps). */
const Stamps = {
  etag: z.string(),
  adopted: z.boolean(),
  state: z.string().optional(),
  createdAt: z.number().optional(),
  updatedAt: z.number().optional(),
  updatedBy: z.string().optional(),
};

const DESCRIPTIONS: Record<string, string> = {
  SourceConnection: "A Flow Service source connection: where a dataflow reads (a base connection's path, table or filter).",
  TargetConnection: "A Flow Service target connection: where a dataflow writes (e.g. a dataset).",
  Dataflow: "A Flow Service dataflow (flow) between source and target connections, with its schedule and transformations.",
};

export function entityKind(runtime: ProviderRuntime, desc: AnyDescription): PluginResourceKind {
  const inputs = desc.inputs as unknown as z.ZodObject;
  const parent: string[] = [...(desc.secretParent ?? [])];
  return {
    token: `flowservice:index:${desc.kind}`,
    description: DESCRIPTIONS[desc.kind] ?? desc.label,
    inputs,
    outputs: inputs.extend(Stamps).extend(desc.readOutputs?.lastRun ? { lastRun: desc.readOutputs.lastRun.optional() } : {}),
    provider: entityProvider(runtime, desc),
    replacePaths: desc.replaceOn.map((p) => p.split(".")),
    secretPaths: (v) => (parent.length ? strings(v.secretKeys).map((k) => [...parent, k]) : []),

    beforeCheck(news: Props, marked: PropertyPath[]): Props {
      if (!parent.length) return news;
      const fromProgram = marked.filter((p) => p.length === parent.length + 1 && isPrefix(parent, p)).map((p) => String(p[parent.length]));
      const specId = obj(news.connectionSpec).id;
      const byName = Object.keys(secretHolder(desc, news)).filter((k) =>
        isSecretParam(typeof specId === "string" ? specId : undefined, undefined, k),
      );
      return { ...news, secretKeys: [...new Set([...strings(news.secretKeys), ...fromProgram, ...byName])].sort() };
    },

    // Like adoptId, an imported object outlives `destroy` unless deleteOnDestroy says otherwise.
    afterImport: ({ props, inputs: i }) => ({ props: { ...props, adopted: true }, inputs: i, notes: [] }),
  };
}

export function pipelineKinds(runtime: ProviderRuntime): PluginResourceKind[] {
  return [sourceConnection, targetConnection, dataflow].map((d) => entityKind(runtime, d));
}
