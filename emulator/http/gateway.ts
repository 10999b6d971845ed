// Adobe IMS (the OAuth server-to-server token endpoint) and the API gateway's header checks that
// run before Flow Service sees a request.
import { randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { GatewayError, errors } from "../api/errors";
import { type Caller, type EmulatorConfig, type Reply, header } from "../data/context";

interface TokenInfo {
  clientId: string;
  orgId: string;
  expiresAt: number;
}

export class TokenRegistry {
  private tokens = new Map<string, TokenInfo>();
  /** Every token ever issued (the last 10 000), live or not: what a secret scan searches for. */
  private readonly issued: Array<{ token: string; issuedAt: number }> = [];

  issue(clientId: string, orgId: string, ttlSeconds: number): string {
    this.prune();
    const token = "emu-" + randomBytes(24).toString("hex");
    this.issued.push({ token, issuedAt: Date.now() });
    if (this.issued.length > 10_000) this.issued.shift();
    this.tokens.set(token, { clientId, orgId, expiresAt: Date.now() + ttlSeconds * 1000 });
    return token;
  }

  /** The token's grant, or undefined if unknown, expired or revoked. */
  lookup(token: string): TokenInfo | undefined {
    const info = this.tokens.get(token);
    if (!info) return undefined;
    if (Date.now() >= info.expiresAt) {
      this.tokens.delete(token);
      return undefined;
    }
    return info;
  }

  /** Every token issued so far, oldest first, with whether it is still accepted. */
  history(): Array<{ token: string; issuedAt: string; live: boolean }> {
    return this.issued.map((t) => ({
      token: t.token,
      issuedAt: new Date(t.issuedAt).toISOString(),
      live: this.lookup(t.token) !== undefined,
    }));
  }

  /** Revokes one token, or every live one; returns how many were revoked. */
  revoke(token?: string): number {
    this.prune();
    if (token !== undefined) return this.tokens.delete(token) ? 1 : 0;
    const n = this.tokens.size;
    this.tokens.clear();
    return n;
  }

  private prune(): void {
    const now = Date.now();
    for (const [t, info] of this.tokens) if (now >= info.expiresAt) this.tokens.delete(t);
  }
}

function oauthError(status: number, error: string, description: string): Reply {
  return { status, body: { error, error_description: description } };
}

/**
 * POST /ims/token/v3 with grant_type=client_credentials, client_id, client_secret, scope (form body;
 * query parameters are accepted too, the body wins). Errors use the OAuth 2 shape.
 */
export function handleImsToken(
  method: string,
  query: URLSearchParams,
  headers: IncomingHttpHeaders,
  rawBody: string,
  config: EmulatorConfig,
  tokens: TokenRegistry,
): Reply {
  if (method !== "POST") {
    return { ...oauthError(405, "invalid_request", `${method} is not supported; POST the token request`), headers: { Allow: "POST" } };
  }
  const contentType = (header(headers, "content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (rawBody !== "" && contentType !== "application/x-www-form-urlencoded") {
    return oauthError(400, "invalid_request", `the body must be application/x-www-form-urlencoded (got '${contentType || "none"}')`);
  }
  const params = new URLSearchParams(query);
  for (const [k, v] of new URLSearchParams(rawBody)) params.set(k, v);

  const grantType = params.get("grant_type");
  if (!grantType) return oauthError(400, "invalid_request", "missing required parameter: grant_type");
  if (grantType !== "client_credentials") {
    return oauthError(400, "unsupported_grant_type", `grant_type '${grantType}' is not supported; use client_credentials`);
  }
  const clientId = params.get("client_id");
  if (!clientId) return oauthError(400, "invalid_request", "missing required parameter: client_id");
  const clientSecret = params.get("client_secret");
  if (!clientSecret) return oauthError(400, "invalid_request", "missing required parameter: client_secret");
  if (clientId !== config.clientId) return oauthError(401, "invalid_client", "invalid client_id parameter");
  if (clientSecret !== config.clientSecret) return oauthError(401, "invalid_client", "invalid client_secret parameter");

  // Tokens issued from now on live tokenTtlSeconds (a change via /__emulator/config affects new tokens only).
  const ttl = config.tokenTtlSeconds;
  const accessToken = tokens.issue(clientId, config.orgId, ttl);
  return { status: 200, body: { access_token: accessToken, token_type: "bearer", expires_in: Math.ceil(ttl) } };
}

/** Sandbox names in Experience Platform are lowercase letters, digits and hyphens. */
const SANDBOX_NAME = /^[a-z0-9][a-z0-9-]*$/;

/**
 * The gateway's checks, in the gateway's order, then the sandbox header (a Flow Service check).
 * Throws GatewayError / FlowError; returns the caller on success.
 */
export function checkGateway(headers: IncomingHttpHeaders, config: EmulatorConfig, tokens: TokenRegistry): Caller {
  const authorization = header(headers, "authorization")?.trim() ?? "";
  const match = /^bearer\s+(\S+)$/i.exec(authorization);
  if (!match) throw new GatewayError(403, "403010", "Oauth token is missing.");
  const grant = tokens.lookup(match[1]);
  if (!grant) throw new GatewayError(401, "401013", "Oauth token is not valid");

  const apiKey = header(headers, "x-api-key")?.trim();
  if (!apiKey) throw new GatewayError(403, "403000", "Api Key is required");
  if (apiKey !== grant.clientId) throw new GatewayError(403, "403003", "Api Key is invalid");

  const orgId = header(headers, "x-gw-ims-org-id")?.trim();
  if (!orgId) throw new GatewayError(400, "400003", "Missing header");
  if (orgId !== grant.orgId) throw new GatewayError(403, "403025", "Profile is not valid");

  let sandboxName = header(headers, "x-sandbox-name")?.trim();
  if (!sandboxName) {
    if (config.defaultSandbox === undefined) throw errors.sandboxMissing();
    sandboxName = config.defaultSandbox;
  }
  if (!SANDBOX_NAME.test(sandboxName)) throw errors.sandboxNotFound(sandboxName);
  if (config.sandboxes !== "any" && !config.sandboxes.includes(sandboxName)) throw errors.sandboxNotFound(sandboxName);
  return { clientId: grant.clientId, orgId, sandboxName };
}
