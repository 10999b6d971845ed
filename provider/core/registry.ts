// Every resource type of the package, by the type tokens of both doors: the dynamic resources
// (`pulumi-nodejs:dynamic/flowservice:<Kind>`) and the provider plugin (`flowservice:index:<Kind>`).
// The provider, the plugin, flowservice-plan and flowservice-recover find a resource's
// description here, so a new resource is one more entry, not one more code path.
import type { AnyDescription } from "./entity";
import { connection } from "./entities/connection";
import { dataflow } from "./entities/dataflow";
import { sourceConnection } from "./entities/sourceConnection";
import { targetConnection } from "./entities/targetConnection";

export type Door = "dynamic" | "plugin";

export interface ResourceType {
  kind: string;
  description: AnyDescription;
  door: Door;
  token: string;
}

/** The descriptions, in dependency order (what a flow needs comes first). */
export const DESCRIPTIONS: readonly AnyDescription[] = [connection, sourceConnection, targetConnection, dataflow];

export const dynamicToken = (kind: string): string => `pulumi-nodejs:dynamic/flowservice:${kind}`;
export const pluginToken = (kind: string): string => `flowservice:index:${kind}`;

const BY_TOKEN = new Map<string, ResourceType>(
  DESCRIPTIONS.flatMap((description) => [
    [
      dynamicToken(description.kind),
      { kind: description.kind, description, door: "dynamic" as Door, token: dynamicToken(description.kind) },
    ],
    [pluginToken(description.kind), { kind: description.kind, description, door: "plugin" as Door, token: pluginToken(description.kind) }],
  ]),
);

/** The resource type behind a type token, or undefined for a token that is not this package's. */
export function resourceType(token: string): ResourceType | undefined {
  return BY_TOKEN.get(token);
}

/**
 * Whether a token belongs to this package (either door), known or not: a step of such a type
 * that a command cannot handle is an error, never "no changes".
 */
export function isFlowServiceToken(token: string): boolean {
  return token.startsWith("pulumi-nodejs:dynamic/flowservice:") || token.startsWith("flowservice:index:");
}
