// The `Connection` resource: typed args and outputs, and secret wrapping of credentials.
import * as pulumi from "@pulumi/pulumi";
import type { RetriggerOutcome } from "../core/runs";
import { commonProps, FlowServiceResource, secretParams } from "./common";

export type ParamInput = pulumi.Input<string | number | boolean>;

export interface ConnectionArgs {
  /** The connection's display name. */
  name: pulumi.Input<string>;
  /** Optional; removing it from the program removes it remotely. */
  description?: pulumi.Input<string>;
  /** The connector. A change means a new connection (Flow Service cannot patch it). */
  connectionSpec: pulumi.Input<{ id: pulumi.Input<string>; version?: pulumi.Input<string> }>;
  /**
   * Credentials. Values wrapped in `pulumi.secret()`, and every param the connector marks secret,
   * are held as secrets: never in clear in state, previews or logs, and write-only (Flow Service
   * does not return them, so drift on them is not detectable; see README).
   */
  auth: { specName: pulumi.Input<string>; params: Record<string, ParamInput> };
  /** Manage this existing connection instead of creating one. */
  adoptId?: pulumi.Input<string>;
  /**
   * What `pulumi destroy` (or removing the resource) does remotely. Default: delete connections
   * this stack created, keep adopted ones.
   */
  deleteOnDestroy?: pulumi.Input<boolean>;
  /**
   * The sandbox this connection lives in (lowercase name, such as "dev"); default the stack's
   * `flowservice:sandboxName`. A change means a new connection in the new sandbox (created first),
   * then the old one deleted.
   */
  sandboxName?: pulumi.Input<string>;
  /**
   * Test the connection (GET /connections/{id}/test) after each credential write, and undo a write
   * the source system refuses. Default: the stack's `flowservice:verifyCredentials` (true).
   */
  verifyCredentials?: pulumi.Input<boolean>;
  /**
   * After a credential write that passes its test, re-trigger the runs of the dataflows reading
   * through this connection that failed on credentials since their last run that did not fail
   * (docs/health.md). Default: the stack's `flowservice:retriggerFailedRuns` (false).
   */
  retriggerFailedRuns?: pulumi.Input<boolean>;
}

/**
 * The provider as stored in state. Each method `require`s the real implementation at run time in
 * the dynamic-provider host, so the serialized text is a few hundred bytes, the same for every
 * resource, and can capture no credential, token or client. (The package must therefore be
 * resolvable as `pulumi-flowservice` from the program's directory: it is, once installed.)
 */
const providerShim: pulumi.dynamic.ResourceProvider = {
  configure: (req) => require("pulumi-flowservice/dist/provider/dynamicProvider").provider.configure(req),
  check: (olds, news) => require("pulumi-flowservice/dist/provider/dynamicProvider").provider.check(olds, news),
  diff: (id, olds, news) => require("pulumi-flowservice/dist/provider/dynamicProvider").provider.diff(id, olds, news),
  create: (inputs) => require("pulumi-flowservice/dist/provider/dynamicProvider").provider.create(inputs),
  read: (id, props) => require("pulumi-flowservice/dist/provider/dynamicProvider").provider.read(id, props),
  update: (id, olds, news) => require("pulumi-flowservice/dist/provider/dynamicProvider").provider.update(id, olds, news),
  delete: (id, props) => require("pulumi-flowservice/dist/provider/dynamicProvider").provider.delete(id, props),
};

export { providerShim as connectionProvider };

export class Connection extends FlowServiceResource {
  declare readonly connectionSpec: pulumi.Output<{ id: string; version?: string }>;
  declare readonly auth: pulumi.Output<{ specName: string; params: Record<string, string | number | boolean> }>;
  /** Names of the params held as secrets. */
  declare readonly secretKeys: pulumi.Output<string[]>;
  /** The connection id (also the resource id). */
  declare readonly connectionId: pulumi.Output<string>;
  /** The last credential test: passed | skipped | unsupported | unavailable (| refused, see docs/operations.md). */
  declare readonly verification: pulumi.Output<string>;
  /** When the credentials last passed a test (ISO 8601); absent if never. */
  declare readonly verifiedAt: pulumi.Output<string | undefined>;
  /** The runs re-triggered after the last credential write (retriggerFailedRuns); absent if never. */
  declare readonly retriggeredRuns: pulumi.Output<RetriggerOutcome | undefined>;

  constructor(name: string, args: ConnectionArgs, opts?: pulumi.CustomResourceOptions) {
    const specId = pulumi.output(args.connectionSpec).apply((s) => s.id);
    const { params, secretKeys } = secretParams(specId, args.auth?.specName, args.auth?.params ?? {});
    const props = {
      ...commonProps(args),
      connectionSpec: args.connectionSpec,
      auth: { specName: args.auth?.specName, params },
      verifyCredentials: args.verifyCredentials,
      retriggerFailedRuns: args.retriggerFailedRuns,
      secretKeys,
      // Output-only properties: declared so that the engine exposes them.
      connectionId: undefined,
      verification: undefined,
      verifiedAt: undefined,
      retriggeredRuns: undefined,
    };
    super(providerShim, name, props, opts, "flowservice", "Connection");
  }
}
