// What every resource class shares: the args and outputs common to all four, the output-only
// stamps the engine must be told about, and the per-key secret wrapping of params.
import * as pulumi from "@pulumi/pulumi";
import { isSecretParam } from "../core/catalog";
import { assertKnownStackConfig } from "./stackConfig";

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
/** A JSON value, or a Pulumi input of one. */
export type JsonInput = pulumi.Input<Json>;

/** Args every resource takes. */
export interface CommonArgs {
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

/** The outputs every resource has. */
export abstract class FlowServiceResource extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  declare readonly description: pulumi.Output<string | undefined>;
  /** The sandbox it lives in. */
  declare readonly sandboxName: pulumi.Output<string>;
  declare readonly adoptId: pulumi.Output<string | undefined>;
  /** The version the next PATCH sends as If-Match (quotes included, as Flow Service returns it). */
  declare readonly etag: pulumi.Output<string>;
  /** enabled | disabled | initializing… as Flow Service reports it. */
  declare readonly state: pulumi.Output<string>;
  declare readonly createdAt: pulumi.Output<number>;
  /** As last read from Flow Service (an update sends one PATCH and does not read back). */
  declare readonly updatedAt: pulumi.Output<number>;
  /** Who last updated it, as last read from Flow Service. */
  declare readonly updatedBy: pulumi.Output<string | undefined>;
  /** Whether this resource adopted an existing object rather than creating it. */
  declare readonly adopted: pulumi.Output<boolean>;
  /** The org and the endpoint host it was created under (docs/reads.md); absent until refreshed for earlier state. */
  declare readonly orgId: pulumi.Output<string | undefined>;
  declare readonly endpointHost: pulumi.Output<string | undefined>;
}

/** The common args as the provider receives them, and the output-only stamps: declared so that the engine exposes them. */
export function commonProps(args: CommonArgs) {
  assertKnownStackConfig();
  return {
    name: args.name,
    description: args.description,
    sandboxName: args.sandboxName,
    adoptId: args.adoptId,
    deleteOnDestroy: args.deleteOnDestroy,
    etag: undefined,
    state: undefined,
    createdAt: undefined,
    updatedAt: undefined,
    updatedBy: undefined,
    adopted: undefined,
    orgId: undefined,
    endpointHost: undefined,
  };
}

/**
 * Params with each secret value wrapped per key (so the others stay readable in previews), and
 * the secret names. A param is secret if the connector says so, its name looks like a credential,
 * or the program wrapped it in pulumi.secret().
 */
export function secretParams(
  specId: pulumi.Input<string> | undefined,
  specName: pulumi.Input<string> | undefined,
  params: Record<string, JsonInput> | undefined,
) {
  const entries = Object.entries(params ?? {});
  const flags = entries.map(([key, value]) =>
    pulumi
      .all([specId, specName])
      .apply(async ([id, name]) => isSecretParam(id, name, key) || (pulumi.Output.isInstance(value) && (await pulumi.isSecret(value)))),
  );
  const secretKeys = pulumi.all(flags).apply((f) =>
    entries
      .filter((_, i) => f[i])
      .map(([key]) => key)
      .sort(),
  );
  if (params === undefined) return { params: undefined, secretKeys };
  const wrapped: Record<string, pulumi.Output<Json>> = {};
  entries.forEach(([key, value], i) => {
    wrapped[key] = flags[i].apply((secret) => (secret ? pulumi.secret(value) : pulumi.output(value))) as pulumi.Output<Json>;
  });
  return { params: wrapped, secretKeys };
}
