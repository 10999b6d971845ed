// Every resource type as the plugin serves it, from its description: the dynamic resources' own
// engine glue (entityProvider), plus what the dynamic resource classes compute in the program and
// what an import cannot read back. Which params are secret: those the program marked, those the
// connector's catalog entry says are, and those whose name looks like a credential; Flow Service
// shows them masked, so an import leaves them out (and names them in secretKeys).
import type { z } from "zod";
import { isSecretParam } from "../core/catalog";
import { AnyDescription, getPath, OutputStamps, secretHolder } from "../core/entity";
import { DESCRIPTIONS, pluginToken } from "../core/registry";
import { entityProvider } from "../resources/engineProvider";
import type { ProviderRuntime } from "../resources/provider";
import type { PluginResourceKind } from "./resource";
import { isPrefix, PropertyPath } from "./wire";

type Props = Record<string, unknown>;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((k): k is string => typeof k === "string") : []);
const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

const TEXT: Record<string, string> = {
  Connection:
    "One Flow Service base connection (an account): its name, connector, credentials and sandbox. Secret params are " +
    "write-only: `pulumi import` adopts a connection without them, and the next `up` sends the ones the program declares.",
  SourceConnection: "A Flow Service source connection: where a dataflow reads (a base connection's path, table or filter).",
  TargetConnection: "A Flow Service target connection: where a dataflow writes (e.g. a dataset).",
  Dataflow: "A Flow Service dataflow (flow) between source and target connections, with its schedule and transformations.",
};

/** Whether the connector's catalog entry (or else the name) says param `key` of `v` is secret. */
function isSecretByCatalog(v: Props, key: string): boolean {
  return isSecretParam(text(getPath(v, "connectionSpec.id")), text(getPath(v, "auth.specName")), key);
}

/** The params under the description's secret parent that its connector (or their name) says are secret. */
function secretParamsOf(desc: AnyDescription, v: Props): string[] {
  return Object.keys(secretHolder(desc, v)).filter((k) => isSecretByCatalog(v, k));
}

export function resourceKind(runtime: ProviderRuntime, desc: AnyDescription): PluginResourceKind {
  const inputs = desc.inputs as unknown as z.ZodObject;
  const parent: string[] = [...(desc.secretParent ?? [])];
  const secretsOf = (v: Props) => (parent.length ? secretParamsOf(desc, v) : []);
  /** `v` without the secret params `secrets` (which Flow Service shows masked), naming them in secretKeys. */
  const strip = (v: Props, secrets: string[]): Props => {
    if (secrets.length === 0) return v;
    const copy = JSON.parse(JSON.stringify(v)) as Props;
    const holder = secretHolder(desc, copy);
    for (const k of secrets) delete holder[k];
    return { ...copy, secretKeys: [...new Set([...strings(v.secretKeys), ...secrets])].sort() };
  };
  return {
    token: pluginToken(desc.kind),
    description: TEXT[desc.kind] ?? desc.label,
    inputs,
    outputs: (desc.outputs as z.ZodObject | undefined) ?? inputs.extend(OutputStamps.shape),
    provider: entityProvider(runtime, desc),
    // The one replacement rule's inputs (checkDiff.entityReplacements): what Flow Service cannot patch, adoptId, the sandbox.
    replacePaths: [...desc.replaceOn, "adoptId", "sandboxName"].map((p) => p.split(".")),
    secretPaths: (v) => (parent.length ? strings(v.secretKeys).map((k) => [...parent, k]) : []),

    // secretKeys, which the dynamic resource classes compute in the program, is computed here.
    beforeCheck(news: Props, marked: PropertyPath[]): Props {
      if (!parent.length) return news;
      const fromProgram = marked.filter((p) => p.length === parent.length + 1 && isPrefix(parent, p)).map((p) => String(p[parent.length]));
      return { ...news, secretKeys: [...new Set([...strings(news.secretKeys), ...fromProgram, ...secretsOf(news)])].sort() };
    },

    // A secret param that the state never held (an imported object) stays as it is remotely until
    // the program declares it; one the state held cannot be dropped from the program.
    keepFailure(failure, olds, news) {
      const prefix = `${parent.join(".")}.`;
      if (!parent.length || !failure.property.startsWith(prefix) || Object.keys(olds).length === 0) return true;
      const key = failure.property.slice(prefix.length);
      const missing = secretHolder(desc, news)[key] === undefined;
      const neverHeld = getPath(olds, parent.join(".")) !== undefined && secretHolder(desc, olds)[key] === undefined;
      const secret = isSecretByCatalog(news, key) || strings(news.secretKeys).includes(key);
      return !(missing && neverHeld && secret);
    },

    // Like adoptId, an imported object outlives `destroy` unless deleteOnDestroy says otherwise: it
    // existed before the stack.
    afterImport({ props, inputs: i }) {
      const secrets = secretsOf(props);
      const name = typeof props.name === "string" ? `"${props.name}"` : "it";
      const notes = secrets.length
        ? [
            `${desc.label} ${name}: its secret params (${secrets.join(", ")}) cannot be read back. Declare them in the program (as secrets): the next 'pulumi up' sends them with one PATCH.`,
          ]
        : [];
      return { props: { ...strip(props, secrets), adopted: true }, inputs: strip(i, secrets), notes };
    },
  };
}

/** The plugin's kinds: one per registered resource type, from the registry. */
export function resourceKinds(runtime: ProviderRuntime): PluginResourceKind[] {
  return DESCRIPTIONS.map((d) => resourceKind(runtime, d));
}
