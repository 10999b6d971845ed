// Zod schemas for everything that crosses a boundary: Flow Service replies, IMS replies, the
// resource's inputs and outputs as the provider receives them. Types are inferred from these.
import { z } from "zod";
import { CommonInputs, LiveStamps, OutputStamps, SpecId } from "./entity";
import { RetriggerOutcome } from "./runs";
import { Params } from "./vocabulary";

export { FlowId as ConnectionId, Params, ParamValue, SANDBOX_NAME_PATTERN, SANDBOX_NAME_RULE, SandboxName } from "./vocabulary";

// ---- Flow Service replies ------------------------------------------------------------------

/** One connection as GET /connections/{id} returns it: the stamps of every object, and its own members. Unknown fields are tolerated. */
export const FlowConnection = LiveStamps.extend({
  name: z.string(),
  connectionSpec: z.object({ id: z.string(), version: z.string().optional() }).passthrough(),
  auth: z
    .object({ specName: z.string(), params: z.record(z.string(), z.unknown()).optional() })
    .passthrough()
    .optional(),
  version: z.string().optional(),
  sandboxId: z.string().optional(),
  imsOrgId: z.string().optional(),
}).passthrough();
export type FlowConnection = z.infer<typeof FlowConnection>;

/** POST /connections (201) and PATCH /connections/{id} (200). */
export const WriteReply = z.object({ id: z.string(), etag: z.string() }).passthrough();
export type WriteReply = z.infer<typeof WriteReply>;

/** GET /connections/{id}/test. */
export const TestReply = z.object({ result: z.boolean() }).passthrough();

export const TokenReply = z
  .object({ access_token: z.string().min(1), token_type: z.string().optional(), expires_in: z.coerce.number() })
  .passthrough();
export type TokenReply = z.infer<typeof TokenReply>;

// Error bodies: the gateway's, Flow Service's problem body (new and old shapes), and OAuth's.
export const GatewayErrorBody = z.object({ error_code: z.string(), message: z.string() }).passthrough();
export const ProblemBody = z
  .object({
    type: z.string().optional(),
    title: z.string().optional(),
    status: z.number().optional(),
    report: z.object({ "detailed-message": z.string().optional(), "request-id": z.string().optional() }).passthrough().optional(),
    errorMessage: z.string().optional(),
    errorDetails: z.string().optional(),
    message: z.string().optional(),
  })
  .passthrough();
export const OAuthErrorBody = z.object({ error: z.string(), error_description: z.string().optional() }).passthrough();

// One RFC 6902 op, as every PATCH sends it (declared with the vocabulary; named here too).
export { PatchOp } from "./vocabulary";

// ---- The resource, as the provider sees it ----------------------------------------------------

/**
 * What the program declares (after `check`): the inputs every resource has (entity.CommonInputs:
 * name, sandboxName, adoptId, secretKeys…) and a connection's own. Secrets arrive unwrapped: the
 * host does not accept secrets.
 */
export const ConnectionInputs = CommonInputs.extend({
  connectionSpec: z.object({ id: SpecId, version: z.string().optional() }),
  auth: z.object({
    specName: z.string().min(1, { message: "must name one of the connector's auth specs" }),
    /** The names of the secret ones are `secretKeys`. */
    params: Params,
  }),
  /** Test the connection after each credential write (default: the stack's flowservice:verifyCredentials). */
  verifyCredentials: z.boolean().optional(),
  /** After a credential write that passes its test, re-trigger the dataflows' runs that failed on credentials (default: flowservice:retriggerFailedRuns, false). */
  retriggerFailedRuns: z.boolean().optional(),
});
export type ConnectionInputs = z.infer<typeof ConnectionInputs>;

/**
 * The outcome of the last credential test (GET /connections/{id}/test): passed; skipped (no test:
 * verification is off, or an adoption wrote no credential); unsupported (the connector cannot be
 * tested); unavailable (the test endpoint failed after retries); refused (recorded only when a
 * refused credential could not be rolled back or deleted).
 */
export const Verification = z.enum(["passed", "skipped", "unsupported", "unavailable", "refused"]);
export type Verification = z.infer<typeof Verification>;

/** What the provider stores as outputs: the applied desired state plus what Flow Service stamped. */
export const ConnectionOutputs = ConnectionInputs.extend(OutputStamps.shape).extend({
  connectionId: z.string(),
  verification: Verification.optional(),
  /** When the credentials last passed a test (ISO 8601). */
  verifiedAt: z.string().optional(),
  /** The runs re-triggered after the last credential write (retriggerFailedRuns). */
  retriggeredRuns: RetriggerOutcome.optional(),
});
export type ConnectionOutputs = z.infer<typeof ConnectionOutputs>;

/** The provider's configuration after config + environment fallbacks. */
export const ProviderConfig = z.object({
  endpoint: z.string().url(),
  imsEndpoint: z.string().url(),
  clientId: z.string().optional(),
  clientSecret: z.string().optional(),
  accessToken: z.string().optional(),
  orgId: z.string().optional(),
  sandboxName: z.string(),
  scopes: z.string(),
  maxConcurrency: z.number().int().positive(),
  requestTimeoutMs: z.number().int().positive(),
  retryBudgetMs: z.number().int().nonnegative(),
  maxRetries: z.number().int().nonnegative(),
  verifyCredentials: z.boolean(),
  /** A credential write whose test could not run (or is unsupported) fails instead of warning. */
  requireVerifiedCredentials: z.boolean().default(false),
  /** 0 turns the duplicate check of creates off. */
  duplicateCheckMinutes: z.number().int().nonnegative().default(1440),
  retriggerFailedRuns: z.boolean().default(false),
});
export type ProviderConfig = z.infer<typeof ProviderConfig>;
