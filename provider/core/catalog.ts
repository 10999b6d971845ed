// What the provider knows about connectors without asking Flow Service. It lets `check` (which
// must work offline, for previews of pull requests) validate args, and lets the resource class mark
// the connector's secret params as Pulumi secrets before they reach state.
// Source: the connection specs of Adobe's sources docs (the connector table of flow-service-api.md):
// an auth spec is a JSON Schema whose `required` lists the required params and whose secret params
// carry `format: password`. The emulator keeps its own copy (emulator/data/specs.ts); a unit test
// cross-checks the two (test/unit/catalog.test.ts).
//
// A snapshot says "required", "secret" and a known param's type with confidence, but never
// "unknown": Adobe adds params (and auth specs) to connectors over time. So, offline, what the
// catalog does not know is a warning; only the connector's live spec (GET /connectionSpecs/{id},
// read at `up`, see api/specs.ts and liveSpecRules below) can refuse it.
import { CheckFailure, UNKNOWN } from "./unknown";

type ParamType = "string" | "integer" | "boolean";

interface ParamSpec {
  type: ParamType;
  secret: boolean;
  required: boolean;
}

export interface AuthSpec {
  params: Record<string, ParamSpec>;
}

export interface Connector {
  name: string;
  authSpecs: Record<string, AuthSpec>;
}

// A param's flags, written once per connector below: `!` required, `*` secret (format: password).
function spec(...names: string[]): AuthSpec {
  const params: Record<string, ParamSpec> = {};
  for (const raw of names) {
    const [name, flags = ""] = raw.split(":");
    params[name] = {
      type: flags.includes("int") ? "integer" : "string",
      secret: flags.includes("*"),
      required: flags.includes("!"),
    };
  }
  return { params };
}

export const CONNECTORS: Record<string, Connector> = {
  "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5": {
    name: "Salesforce",
    authSpecs: {
      "Basic Authentication": spec("environmentUrl", "username:!", "password:*!", "securityToken:*!", "apiVersion"),
      "OAuth2 Client Credential": spec("environmentUrl:!", "clientId:!", "clientSecret:*!", "apiVersion:!"),
    },
  },
  "ecadc60c-7455-4d87-84dc-2a0e293d997b": {
    name: "Amazon S3",
    authSpecs: { "Access Key": spec("s3AccessKey:!", "s3SecretKey:*!", "s3SessionToken:*", "serviceUrl", "bucketName", "folderPath") },
  },
  "4c10e202-c428-4796-9208-5f1f5732b1cf": {
    name: "Azure Blob Storage",
    authSpecs: { ConnectionString: spec("connectionString:*!"), SasURIAuthentication: spec("sasUri:*!") },
  },
  "32e8f412-cdf7-464c-9885-78184cb113fd": {
    name: "Google Cloud Storage",
    authSpecs: { "Basic Authentication for google-cloud": spec("accessKeyId:!", "secretAccessKey:*!") },
  },
  "b7bf2577-4520-42c9-bae9-cad01560f7bc": {
    name: "SFTP",
    authSpecs: { "Basic Authentication for sftp": spec("host:!", "port:int", "userName:!", "password:*!") },
  },
  "38ad80fe-8b06-4938-94f4-d4ee80266b07": {
    name: "Microsoft Dynamics",
    authSpecs: { "Basic Authentication for Dynamics-Online": spec("serviceUri:!", "username:!", "password:*!") },
  },
  "74a1c565-4e59-48d7-9d67-7c03b8a13137": {
    name: "PostgreSQL",
    authSpecs: { "Connection String Based Authentication": spec("connectionString:*!") },
  },
  "3c9b37f8-13a6-43d8-bad3-b863b941fedd": {
    name: "Google BigQuery",
    authSpecs: { "Basic Authentication": spec("project:!", "clientId:!", "clientSecret:*!", "refreshToken:*!") },
  },
};

/** Param names that are secrets for any connector, known or not: a safe default for unknown ones. */
const SECRET_NAME = /(password|secret|token|connectionstring|sasuri|privatekey|apikey)$/i;

/** Whether a param is treated as secret: the connector says so, or its name looks like a credential. */
export function isSecretParam(connectionSpecId: string | undefined, specName: string | undefined, key: string): boolean {
  const known = connectionSpecId && specName ? lookupAuthSpec(connectionSpecId, specName)?.params[key] : undefined;
  if (known) return known.secret;
  return SECRET_NAME.test(key);
}

export function lookupAuthSpec(connectionSpecId: string, specName: string): AuthSpec | undefined {
  return CONNECTORS[connectionSpecId]?.authSpecs[specName];
}

function hasType(value: unknown, type: ParamType): boolean {
  return type === "integer" ? Number.isInteger(value) : typeof value === type;
}

/** The connector, auth spec name and params of a Connection's raw inputs (values may be UNKNOWN). */
function authOf(raw: Record<string, unknown>) {
  const specId = (raw.connectionSpec as { id?: unknown } | undefined)?.id;
  const auth = raw.auth as { specName?: unknown; params?: Record<string, unknown> } | undefined;
  return { specId: typeof specId === "string" ? specId : undefined, specName: auth?.specName, given: auth?.params ?? {} };
}

const quoted = (names: string[]) => names.map((n) => `"${n}"`).join(", ");

/**
 * The offline rules for connectors the catalog knows: every required param is there and known
 * params have their type (failures); an auth spec or a param the catalog does not know is a
 * warning (`warning: true`): Flow Service may accept it, and `up` asks the live spec.
 */
export function catalogRules(raw: Record<string, unknown>): CheckFailure[] {
  const { specId, specName, given } = authOf(raw);
  const connector = specId ? CONNECTORS[specId] : undefined;
  if (!connector || typeof specName !== "string" || specName === UNKNOWN) return [];
  const spec = lookupAuthSpec(specId as string, specName);
  if (!spec) {
    const reason = `"${specName}" is not an auth spec of ${connector.name} (${specId}) in this provider's catalog (known: ${quoted(Object.keys(connector.authSpecs))}); \`pulumi up\` checks it against the connector's live spec`;
    return [{ property: "auth.specName", reason, warning: true }];
  }
  const where = `${connector.name} auth spec "${specName}"`;
  const failures: CheckFailure[] = [];
  for (const [key, p] of Object.entries(spec.params)) {
    const value = given[key];
    if (value === UNKNOWN) continue;
    if (value === undefined) {
      if (p.required) failures.push({ property: `auth.params.${key}`, reason: `is required by ${where}: add it to auth.params` });
    } else if (!hasType(value, p.type)) {
      failures.push({
        property: `auth.params.${key}`,
        reason: `must be ${p.type === "integer" ? "an integer" : `a ${p.type}`} for ${where}, got ${p.secret ? `a ${typeof value} (value not shown: a secret)` : JSON.stringify(value)}`,
      });
    }
  }
  const known = Object.keys(spec.params);
  for (const key of Object.keys(given)) {
    if (!(key in spec.params)) {
      failures.push({
        property: `auth.params.${key}`,
        reason: `is not a param of ${where} in this provider's catalog (known params: ${known.join(", ")}); \`pulumi up\` checks it against the connector's live spec and refuses it if Flow Service does not know it either`,
        warning: true,
      });
    }
  }
  return failures;
}

/** One auth spec as a live connection spec declares it (GET /connectionSpecs/{id}: authSpec[].spec). */
interface LiveAuthSpec {
  name: string;
  /** The JSON Schema's `properties` names. */
  params: string[];
  /** Whether the schema accepts params it does not list (`additionalProperties` not false). */
  open: boolean;
}

/** A connector's live spec, as much of it as the rules below need. */
export interface LiveConnector {
  id: string;
  name: string;
  authSpecs: LiveAuthSpec[];
}

/**
 * The rules only the live spec can decide: an auth spec it does not have, and a param none of its
 * auth spec's properties names (unless the schema accepts any). Values unknown until `up` are skipped.
 */
export function liveSpecRules(raw: Record<string, unknown>, live: LiveConnector): CheckFailure[] {
  const { specName, given } = authOf(raw);
  if (typeof specName !== "string" || specName === UNKNOWN) return [];
  const spec = live.authSpecs.find((a) => a.name === specName);
  if (!spec) {
    return [
      {
        property: "auth.specName",
        reason: `"${specName}" is not an auth spec of ${live.name} (${live.id}): its live spec has ${quoted(live.authSpecs.map((a) => a.name))}`,
      },
    ];
  }
  if (spec.open) return [];
  return Object.keys(given)
    .filter((key) => !spec.params.includes(key))
    .map((key) => ({
      property: `auth.params.${key}`,
      reason: `is not a param of ${live.name} auth spec "${specName}": the connector's live spec (GET /connectionSpecs/${live.id}) has ${spec.params.join(", ")}. Remove it or correct its name`,
    }));
}
