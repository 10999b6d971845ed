// The Pulumi glue, and nothing else: engine calls in, plain functions out.
//
// This module is loaded by the dynamic-provider host through `require("pulumi-flowservice/...")`
// (see connection.ts), never serialized: the configuration, the token and the HTTP client live in
// this module's memory in the host process, one per process, and never reach state.
import type * as pulumi from "@pulumi/pulumi";
import { ImsClientCredentials, StaticToken, TokenSource } from "./auth";
import { FlowServiceClient } from "./client";
import { assertCredentials, resolveConfig } from "./config";
import { diffConnection } from "./diff";
import { FlowServiceProviderError } from "./errors";
import * as ops from "./operations";
import { ConnectionInputs, ConnectionOutputs, ProviderConfig } from "./schemas";
import { Transport } from "./transport";
import { checkConnection } from "./validate";

let config: ProviderConfig | undefined;
let context: ops.Context | undefined;
let tokens: TokenSource | undefined;

/** Configuration is assigned synchronously: the host may call CRUD methods before a configure promise settles. */
export function configure(get: (key: string) => string | undefined, env: Record<string, string | undefined> = process.env): void {
  config = resolveConfig(get, env);
  context = undefined;
}

/** The API context, built on first use: previews (check + diff only) never need credentials. */
function ctx(): ops.Context {
  if (context) return context;
  if (!config) configure(() => undefined);
  const c = config as ProviderConfig;
  assertCredentials(c);
  const transport = new Transport({ timeoutMs: c.requestTimeoutMs, maxConcurrency: c.maxConcurrency });
  tokens = c.accessToken
    ? new StaticToken(c.accessToken)
    : new ImsClientCredentials(
        {
          imsEndpoint: c.imsEndpoint,
          clientId: c.clientId as string,
          clientSecret: c.clientSecret as string,
          scopes: c.scopes,
          maxRetries: c.maxRetries,
          retryBudgetMs: c.retryBudgetMs,
        },
        transport,
      );
  const client = new FlowServiceClient(
    {
      endpoint: c.endpoint,
      clientId: c.clientId as string,
      orgId: c.orgId as string,
      sandboxName: c.sandboxName,
      maxRetries: c.maxRetries,
      retryBudgetMs: c.retryBudgetMs,
    },
    tokens,
    transport,
  );
  context = { client, sandboxName: c.sandboxName };
  return context;
}

/** Requests made by this process so far: for tests and the benchmark. */
export function requestStats(): { token: number; flow: Record<string, number> } {
  return { token: tokens?.requests ?? 0, flow: { ...(context?.client.requestCounts ?? {}) } };
}

function inputsOf(raw: Record<string, unknown>): ConnectionInputs {
  const parsed = ConnectionInputs.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FlowServiceProviderError("VALIDATION", `${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

/** Stored outputs; tolerant of state written by earlier versions of this provider. */
function outputsOf(raw: Record<string, unknown>): ConnectionOutputs {
  return {
    secretKeys: [],
    adopted: false,
    ...raw,
    auth: { specName: "", params: {}, ...(raw.auth as object) },
    connectionSpec: { id: "", ...(raw.connectionSpec as object) },
  } as unknown as ConnectionOutputs;
}

export const provider: pulumi.dynamic.ResourceProvider = {
  configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    configure((key) => {
      const v = req.config.get(key);
      return v === undefined || v === null ? undefined : String(v);
    });
    return Promise.resolve();
  },

  async check(olds: Record<string, unknown>, news: Record<string, unknown>) {
    return checkConnection(olds ?? {}, news);
  },

  async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    const d = diffConnection(outputsOf(olds), news, olds.__provider, news.__provider);
    return { changes: d.changes, replaces: d.replaces, deleteBeforeReplace: false };
  },

  async create(inputs: Record<string, unknown>) {
    const result = await ops.createConnection(ctx(), inputsOf(inputs));
    return { id: result.id, outs: result.outs };
  },

  async read(id: string, props: Record<string, unknown>) {
    const r = await ops.readConnection(ctx(), id, outputsOf(props));
    // A blank id tells the engine the connection is gone (refresh drops it from state).
    if (r.gone) return { id: "", props: {} };
    return r.inputs ? { id, props: r.outs, inputs: r.inputs } : { id, props: r.outs };
  },

  async update(id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    return { outs: await ops.updateConnection(ctx(), id, outputsOf(olds), inputsOf(news)) };
  },

  async delete(id: string, props: Record<string, unknown>) {
    await ops.deleteConnection(ctx(), id, outputsOf(props));
  },
};
