// Provider configuration: `flowservice:*` stack config first, then environment variables, then
// defaults. Pure: the caller passes the config getter and the environment.
import { ConfigError } from "./errors";
import { ProviderConfig } from "./schemas";

export const DEFAULT_ENDPOINT = "https://platform.adobe.io/data/foundation/flowservice";
const DEFAULT_IMS_ENDPOINT = "https://ims-na1.adobelogin.com/ims/token/v3";
const DEFAULT_SCOPES = "openid,session,AdobeID,read_organizations,additional_info.projectedProductContext";

/** How far back a create looks for an unrecorded object of its own (see api/duplicates.ts): a day. */
const DEFAULT_DUPLICATE_CHECK_MINUTES = 1440;

/** config key (after `flowservice:`) → environment variable. */
export const CONFIG_KEYS = {
  clientId: "AEP_CLIENT_ID",
  clientSecret: "AEP_CLIENT_SECRET",
  orgId: "AEP_ORG_ID",
  sandboxName: "AEP_SANDBOX_NAME",
  scopes: "AEP_SCOPES",
  accessToken: "AEP_ACCESS_TOKEN",
  endpoint: "AEP_FLOW_ENDPOINT",
  imsEndpoint: "AEP_IMS_ENDPOINT",
  maxConcurrency: "AEP_MAX_CONCURRENCY",
  requestTimeoutMs: "AEP_REQUEST_TIMEOUT_MS",
  retryBudgetMs: "AEP_RETRY_BUDGET_MS",
  maxRetries: "AEP_MAX_RETRIES",
  verifyCredentials: "AEP_VERIFY_CREDENTIALS",
  requireVerifiedCredentials: "AEP_REQUIRE_VERIFIED_CREDENTIALS",
  duplicateCheckMinutes: "AEP_DUPLICATE_CHECK_MINUTES",
  retriggerFailedRuns: "AEP_RETRIGGER_FAILED_RUNS",
} as const;
type ConfigKey = keyof typeof CONFIG_KEYS;

/** Every `flowservice:*` key the provider reads: the one list both doors check stack config against. */
export const KNOWN_CONFIG_KEYS = Object.keys(CONFIG_KEYS) as ConfigKey[];

/**
 * Why each `flowservice:*` key of a stack's configuration is not a setting of this provider, by key
 * (keys of other namespaces are ignored). A misspelt key is never silently dropped: the value it
 * meant to set (an endpoint, say) would otherwise fall back to its default, Adobe production.
 */
export function unknownConfigKeys(fullKeys: readonly string[]): Array<{ key: string; reason: string }> {
  return fullKeys
    .filter((k) => k.startsWith("flowservice:"))
    .map((k) => k.slice("flowservice:".length))
    .filter((k) => !(KNOWN_CONFIG_KEYS as string[]).includes(k))
    .map((key) => ({
      key,
      reason: `flowservice:${key} is not a setting of this provider; known settings: ${KNOWN_CONFIG_KEYS.join(", ")}. Fix it with 'pulumi config rm flowservice:${key}' and set the intended key`,
    }));
}

/** CR, LF, TAB, NUL… : never part of an id, a secret, a URL or a sandbox name (a value pasted with its line ending). */
const hasControl = (v: string): boolean => [...v].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/** Settings held as secrets (in state whether or not the stack set them with --secret), never shown, even in an error. */
export const SECRET_CONFIG_KEYS: readonly ConfigKey[] = ["clientSecret", "accessToken"];

export function resolveConfig(
  get: (key: string) => string | undefined,
  env: Record<string, string | undefined> = process.env,
): ProviderConfig {
  const value = (key: ConfigKey): string | undefined => {
    const fromConfig = get(`flowservice:${key}`);
    const v = fromConfig ?? env[CONFIG_KEYS[key]];
    if (v !== undefined && hasControl(v)) {
      const where = fromConfig !== undefined ? `flowservice:${key}` : `${CONFIG_KEYS[key]} (for flowservice:${key})`;
      const set =
        fromConfig !== undefined
          ? `'pulumi config set${SECRET_CONFIG_KEYS.includes(key) ? " --secret" : ""} flowservice:${key} VALUE'`
          : `export ${CONFIG_KEYS[key]}=VALUE`;
      throw new ConfigError(
        `${where} contains a control character (such as a CR or LF pasted with the value; value not shown): set it again without it with ${set}`,
      );
    }
    return v === undefined || v === "" ? undefined : v;
  };
  const int = (key: ConfigKey, fallback: number): number => {
    const raw = value(key);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) {
      throw new ConfigError(
        `flowservice:${key} must be a whole number, got "${raw}" (set it with 'pulumi config set flowservice:${key} N' or ${CONFIG_KEYS[key]})`,
      );
    }
    return n;
  };
  const bool = (key: ConfigKey, fallback: boolean): boolean => {
    const raw = value(key);
    if (raw === undefined) return fallback;
    if (/^(true|1|yes)$/i.test(raw)) return true;
    if (/^(false|0|no)$/i.test(raw)) return false;
    throw new ConfigError(
      `flowservice:${key} must be true or false, got "${raw}" (set it with 'pulumi config set flowservice:${key} false' or ${CONFIG_KEYS[key]})`,
    );
  };
  const endpoint = (value("endpoint") ?? DEFAULT_ENDPOINT).replace(/\/+$/, "");
  const parsed = ProviderConfig.safeParse({
    endpoint,
    imsEndpoint: value("imsEndpoint") ?? DEFAULT_IMS_ENDPOINT,
    clientId: value("clientId"),
    clientSecret: value("clientSecret"),
    accessToken: value("accessToken"),
    orgId: value("orgId"),
    sandboxName: value("sandboxName") ?? "prod",
    scopes: value("scopes") ?? DEFAULT_SCOPES,
    maxConcurrency: int("maxConcurrency", 8) || 1,
    requestTimeoutMs: int("requestTimeoutMs", 30_000) || 30_000,
    retryBudgetMs: int("retryBudgetMs", 120_000),
    maxRetries: int("maxRetries", 5),
    verifyCredentials: bool("verifyCredentials", true),
    requireVerifiedCredentials: bool("requireVerifiedCredentials", false),
    duplicateCheckMinutes: int("duplicateCheckMinutes", DEFAULT_DUPLICATE_CHECK_MINUTES),
    retriggerFailedRuns: bool("retriggerFailedRuns", false),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue.path[0]) as ConfigKey;
    throw new ConfigError(`flowservice:${key} is invalid: ${issue.message} (or set ${CONFIG_KEYS[key]})`);
  }
  return parsed.data;
}

/**
 * Credentials are needed only when Flow Service is called, not to configure: a preview of a pull
 * request runs `check` and `diff` only, and must work with no credentials at all.
 */
export function assertCredentials(config: ProviderConfig): void {
  const missing: string[] = [];
  if (!config.accessToken) {
    if (!config.clientId) missing.push(`flowservice:clientId (or ${CONFIG_KEYS.clientId})`);
    if (!config.clientSecret) missing.push(`flowservice:clientSecret (or ${CONFIG_KEYS.clientSecret})`);
  } else if (!config.clientId) {
    missing.push(`flowservice:clientId (or ${CONFIG_KEYS.clientId}), sent as x-api-key`);
  }
  if (!config.orgId) missing.push(`flowservice:orgId (or ${CONFIG_KEYS.orgId})`);
  if (missing.length > 0) {
    throw new ConfigError(
      `Flow Service credentials are not configured: missing ${missing.join(", ")}. ` +
        `Set them with 'pulumi config set flowservice:clientId …' and 'pulumi config set --secret flowservice:clientSecret …', or the environment variables.`,
    );
  }
}
