// Access tokens: Adobe IMS OAuth server-to-server (client credentials), or a ready token.
// One token serves every resource of a provider process; it is renewed before it expires and
// fetched by one request even when many resources ask for it at once.
import { ApiError, BadReplyError, NetworkError } from "../core/errors";
import { OAuthErrorBody, TokenReply } from "../core/schemas";
import { parseJson, snippet } from "./redact";
import { retrying, RetryPolicy } from "./retry";
import { httpVerdict, Transport } from "./transport";

export interface TokenSource {
  /** A valid bearer token. */
  token(): Promise<string>;
  /** The token was refused (401): forget it. Returns whether a new one can be fetched. */
  invalidate(token: string): boolean;
  /** IMS requests made so far (the benchmark's "token requests"). */
  readonly requests: number;
}

/** A token given by the user (`flowservice:accessToken`): never renewed. */
export class StaticToken implements TokenSource {
  readonly requests = 0;
  constructor(private readonly value: string) {}
  async token(): Promise<string> {
    return this.value;
  }
  invalidate(): boolean {
    return false;
  }
}

interface ImsOptions {
  imsEndpoint: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  /** Renew this long before expiry (aepp uses 500 s; tokens live 24 h). */
  renewBeforeMs?: number;
  retry: RetryPolicy;
}

export class ImsClientCredentials implements TokenSource {
  requests = 0;
  private current?: { value: string; renewAt: number };
  private inFlight?: Promise<string>;

  constructor(
    private readonly opts: ImsOptions,
    private readonly transport: Transport,
  ) {}

  token(): Promise<string> {
    if (this.current && Date.now() < this.current.renewAt) return Promise.resolve(this.current.value);
    // Single flight: concurrent callers share one IMS request.
    this.inFlight ??= this.fetchToken().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  invalidate(token: string): boolean {
    if (this.current?.value === token) this.current = undefined;
    return true;
  }

  private async fetchToken(): Promise<string> {
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: this.opts.clientId,
      client_secret: this.opts.clientSecret,
      scope: this.opts.scopes,
    });
    const started = Date.now();
    const outcome = await retrying(this.opts.retry, async () => {
      this.requests++;
      const attempt = await this.transport.attempt(this.opts.imsEndpoint, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: form.toString(),
      });
      return httpVerdict(attempt, "token");
    });
    if (outcome instanceof NetworkError) throw outcome;
    const reply = outcome;
    const json = parseJson(reply.text);
    if (reply.status !== 200) {
      // An IMS (or proxy) error page could echo the form it was sent: never show the client secret.
      const hide = (text: string) => (this.opts.clientSecret.length >= 3 ? text.split(this.opts.clientSecret).join("[secret]") : text);
      const oauth = OAuthErrorBody.safeParse(json);
      const detail = oauth.success
        ? hide(`${oauth.data.error}${oauth.data.error_description ? `: ${oauth.data.error_description}` : ""}`)
        : snippet(hide(reply.text));
      if (reply.status === 429 || reply.status >= 500) {
        // An outage, not a credential problem: say so, and that nothing was sent to Flow Service.
        throw new ApiError(
          "API",
          reply.status,
          oauth.success ? oauth.data.error : undefined,
          "IMS is unavailable",
          `${detail}. No access token could be obtained after retrying for ${((Date.now() - started) / 1000).toFixed(1)} s, so no Flow Service request was sent for this operation; run the command again later`,
          reply.headers.get("x-request-id") ?? undefined,
          `POST ${new URL(this.opts.imsEndpoint).pathname}`,
        );
      }
      throw new ApiError(
        "AUTH",
        reply.status,
        oauth.success ? oauth.data.error : undefined,
        "IMS token request refused",
        `${detail}. Check flowservice:clientId, flowservice:clientSecret and flowservice:imsEndpoint`,
        reply.headers.get("x-request-id") ?? undefined,
        `POST ${new URL(this.opts.imsEndpoint).pathname}`,
      );
    }
    const parsed = TokenReply.safeParse(json);
    if (json === undefined) {
      throw new BadReplyError(
        `IMS token reply (HTTP ${reply.status}) is not JSON: ${snippet(reply.text.split(this.opts.clientSecret).join("[secret]"))}`,
      );
    }
    if (!parsed.success) {
      throw new BadReplyError(
        `IMS token reply is malformed: ${parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")}`,
      );
    }
    const lifetimeMs = parsed.data.expires_in * 1000;
    const renewBefore = Math.min(this.opts.renewBeforeMs ?? 500_000, lifetimeMs / 2);
    this.current = { value: parsed.data.access_token, renewAt: started + lifetimeMs - renewBefore };
    return parsed.data.access_token;
  }
}
