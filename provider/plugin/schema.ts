// The package schema the plugin serves (GetSchema): what YAML type-checks a program against, what
// `pulumi import` writes its program snippet from, and what an SDK could be generated from.
// Resource properties are derived from the same zod schemas the provider validates with, so a
// field added there appears here without a second list.
import fs from "node:fs";
import path from "node:path";
import type { z } from "zod";
import { CONFIG_KEYS } from "../core/config";
import { ProviderConfig } from "../core/schemas";

const PACKAGE = "flowservice";
/**
 * The Go SDK's module (sdk/go/go.mod) and package import path. It assumes the repository is
 * published as github.com/pulumi-flowservice/pulumi-flowservice; published elsewhere, change this
 * one line and run scripts/sdk.sh (docs/sdks.md).
 */
const GO_MODULE = "github.com/pulumi-flowservice/pulumi-flowservice/sdk/go";

/** The npm package's version (package.json): the plugin's and every generated SDK's. */
export function packageVersion(from: string = __dirname): string {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
  }
  throw new Error(`no package.json above ${from}: the plugin's version is unknown`);
}

/** What the schema needs to know of one resource kind. */
export interface SchemaResource {
  /** flowservice:index:Connection */
  token: string;
  description: string;
  inputs: z.ZodObject;
  outputs: z.ZodObject;
}

const CONFIG_DOCS: Record<string, string> = {
  clientId: "OAuth client id, also sent as x-api-key (or AEP_CLIENT_ID).",
  clientSecret: "OAuth client secret (or AEP_CLIENT_SECRET). Set it with `pulumi config set --secret`.",
  orgId: "Experience Platform organization id, sent as x-gw-ims-org-id (or AEP_ORG_ID).",
  sandboxName: "The default sandbox of resources that declare none (or AEP_SANDBOX_NAME); default `prod`.",
  scopes: "IMS scopes (or AEP_SCOPES); default the Experience Platform scope string.",
  accessToken: "A ready bearer token instead of client credentials (or AEP_ACCESS_TOKEN).",
  endpoint: "Flow Service base URL (or AEP_FLOW_ENDPOINT).",
  imsEndpoint: "IMS token URL (or AEP_IMS_ENDPOINT).",
  verifyCredentials: "Test connections after credential writes (or AEP_VERIFY_CREDENTIALS); default true.",
  requireVerifiedCredentials:
    "Fail `up` when a credential write could not be tested (test endpoint down, connector without a test) instead of warning (or AEP_REQUIRE_VERIFIED_CREDENTIALS); default false.",
  duplicateCheckMinutes:
    "A create is refused when an unrecorded object of the same identity, created by this client within this many minutes, exists (an interrupted run's: run flowservice-recover); 0 turns the check off (or AEP_DUPLICATE_CHECK_MINUTES); default 1440.",
  maxConcurrency: "At most this many Flow Service requests in flight per `pulumi` run (or AEP_MAX_CONCURRENCY); default 8.",
  requestTimeoutMs: "Per-request timeout in milliseconds (or AEP_REQUEST_TIMEOUT_MS); default 30000.",
  retryBudgetMs: "The time budget in milliseconds for the retries of one call (or AEP_RETRY_BUDGET_MS); default 120000.",
  maxRetries: "Retries of one call, with backoff, honouring Retry-After (or AEP_MAX_RETRIES); default 5.",
  retriggerFailedRuns:
    "After a credential write that passes its test, re-trigger the dataflow runs that failed on credentials (or AEP_RETRIGGER_FAILED_RUNS); default false.",
};
const SECRET_CONFIG = new Set(["clientSecret", "accessToken"]);

const PROPERTY_DOCS: Record<string, string> = {
  name: "The display name.",
  description: "A free-text description; removing it from the program removes it remotely.",
  connectionSpec: "The connector's connection spec (`id`, optional `version`). A change means a new object.",
  auth:
    "Credentials: `specName` and `params`. Params the connector marks secret (passwords, keys, tokens), and values the program " +
    "marks secret, are held as secrets: never in clear in state, previews or logs, and write-only (they cannot be read back).",
  adoptId: "Manage this existing object instead of creating one (or use `pulumi import`).",
  deleteOnDestroy: "What destroy does remotely. Default: delete objects this stack created, keep adopted and imported ones.",
  sandboxName: "The sandbox (lowercase name); default the stack's `flowservice:sandboxName`. A change means a new object.",
  secretKeys: "Names of the params held as secrets (the provider adds the connector's secret params).",
  verifyCredentials: "Test the connection after each credential write; default the stack's `flowservice:verifyCredentials`.",
  baseConnectionId: "The base connection (account) it uses. A change means a new object.",
  data: "The data format (and for a target, the XDM schema). A change means a new object.",
  params: "Connector params (e.g. path, tableName, dataSetId), patched per key; secret ones are write-only.",
  flowSpec: "The flow spec (`id`, optional `version`). A change means a new dataflow.",
  sourceConnectionIds: "The source connections it reads. A change means a new dataflow.",
  targetConnectionIds: "The target connections it writes. A change means a new dataflow.",
  transformations: "Mapping and other transformations, as Flow Service documents them.",
  scheduleParams: "The schedule: `startTime`, `frequency`, `interval`, `backfill`.",
  enabled: "Whether the dataflow runs (default true); changed through its action endpoint.",
  connectionId: "The connection id (also the resource id).",
  etag: "The version the next PATCH sends as If-Match.",
  adopted: "Whether this resource adopted (or imported) an existing object rather than creating it.",
  state: "enabled | disabled | initializing",
  createdAt: "Creation time (ms since the epoch), as Flow Service reports it.",
  updatedAt: "Last update time (ms since the epoch), as last read from Flow Service.",
  updatedBy: "Who last updated it, as last read from Flow Service.",
  orgId: "The org (flowservice:orgId) it was created under: refresh, update and delete under another org are refused.",
  endpointHost: "The Flow Service endpoint host it was created under: refresh, update and delete through another host are refused.",
  verification: "The outcome of the last credential test: passed | skipped | unsupported | unavailable | refused.",
  verifiedAt: "When the credentials last passed a test (ISO 8601).",
  retriggerFailedRuns:
    "After a credential write that passes its test, re-trigger the runs of the dataflows reading through this connection that failed on credentials since their last run that did not fail; default the stack's `flowservice:retriggerFailedRuns` (false).",
  retriggeredRuns:
    "The runs re-triggered after the last credential write: `at`, `runs` (`flowId`, `runId`, `newRunId`), `skipped` (`flowId`, `runId`, `reason`), `error`.",
  lastRun:
    "The dataflow's latest run as the last refresh read it: `id`, `status` (success, failed, partialSuccess, inProgress), " +
    "`startedAt`, `completedAt` (ISO 8601) and `errors` (`code`, `message`); absent until a first run.",
};

/** Object types, by the property that holds them (an array's element by its singular name). */
const TYPE_DOCS: Record<string, string> = {
  connectionSpec: "A connector's connection spec, as Flow Service names it.",
  auth: "A connection's credentials: the auth spec it follows and its params.",
  flowSpec: "A dataflow's flow spec, as Flow Service names it.",
  transformation: "One transformation of a dataflow (for example a mapping), as Flow Service documents it.",
  scheduleParams: "When a dataflow runs, as Flow Service documents its scheduleParams.",
  retriggeredRuns: "The runs re-triggered after a connection's last credential write (retriggerFailedRuns).",
  run: "A failed run that was re-triggered.",
  skipped: "A failed run that was not re-triggered, and why.",
  lastRun: "A dataflow's latest run, as the last refresh read it.",
  error: "An error of a run, as Flow Service reports it.",
};

/** Members of object types, by `holder.member`. */
const MEMBER_DOCS: Record<string, string> = {
  "connectionSpec.id": "The connection spec id (a UUID) of the connector.",
  "connectionSpec.version": 'The connection spec version, such as "1.0".',
  "auth.specName": 'The name of one of the connector\'s auth specs, such as "Basic Authentication".',
  "auth.params":
    "The auth spec's params (strings, numbers, booleans). The connector's secret params, and values the program marks secret, are held as secrets.",
  "flowSpec.id": "The flow spec id (a UUID).",
  "flowSpec.version": 'The flow spec version, such as "1.0".',
  "transformation.name": 'The transformation\'s name, such as "Mapping".',
  "transformation.params": "The transformation's params, such as a mapping set id and version.",
  "scheduleParams.startTime": "When the dataflow starts, in seconds since the epoch; it cannot change once set.",
  "scheduleParams.frequency": "The unit of the interval: once, minute, hour, day or week.",
  "scheduleParams.interval": "How many frequency units between two runs (at least 15 for a minute-based flow).",
  "retriggeredRuns.at": "When the runs were re-triggered (ISO 8601).",
  "retriggeredRuns.runs": "The runs re-triggered.",
  "retriggeredRuns.skipped": "The failed runs not re-triggered, with the reason.",
  "retriggeredRuns.error": "Why the step could not finish (the credential write itself stands).",
  "run.flowId": "The dataflow's id.",
  "run.runId": "The failed run's id.",
  "run.newRunId": "The id of the run the re-trigger started.",
  "skipped.flowId": "The dataflow's id.",
  "skipped.runId": "The failed run's id, when there is one.",
  "skipped.reason": "Why it was not re-triggered.",
  "lastRun.id": "The run's id.",
  "lastRun.status": "success, failed, partialSuccess or inProgress.",
  "lastRun.startedAt": "When the run started (ISO 8601).",
  "lastRun.completedAt": "When the run completed (ISO 8601).",
  "lastRun.errors": "The run's errors (code, message).",
  "error.code": "The error code, as Flow Service reports it.",
  "error.message": "The error message, with its detail.",
  "scheduleParams.backfill": "Whether the first run also reads the data that existed before startTime, as Flow Service documents it.",
};

type Spec = Record<string, unknown>;
interface ZodDef {
  type: string;
  values?: unknown[];
  element: z.ZodType;
  valueType: z.ZodType;
  catchall?: z.ZodType;
}
const ANY: Spec = { $ref: "pulumi.json#/Any" };

/** zod's wrapper types that only make a field optional (or give it a default). */
function unwrap(t: z.ZodType): { type: z.ZodType; optional: boolean } {
  let type = t;
  let optional = false;
  for (;;) {
    const def = (type as unknown as { def: { type: string; innerType?: z.ZodType } }).def;
    if (!["optional", "default", "nullable", "prefault"].includes(def.type) || !def.innerType) return { type, optional };
    optional = true;
    type = def.innerType;
  }
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

class SchemaBuilder {
  readonly types: Record<string, Spec> = {};

  property(t: z.ZodType, owner: string, key: string): Spec {
    const { type } = unwrap(t);
    // zod's own description of the type (zod 4 `def`): only the members read here.
    const def = (type as unknown as { def: ZodDef }).def;
    switch (def.type) {
      case "string":
      case "enum":
        return { type: "string" };
      case "number":
        return { type: (type as unknown as { format?: string }).format === "safeint" ? "integer" : "number" };
      case "boolean":
        return { type: "boolean" };
      case "literal":
        return { type: typeof def.values?.[0] === "string" ? "string" : typeof def.values?.[0] === "boolean" ? "boolean" : "number" };
      case "array":
        // An array's element type is named in the singular: transformations → Transformation.
        return { type: "array", items: this.property(def.element, owner, key.replace(/s$/, "")) };
      case "record":
        return { type: "object", additionalProperties: this.property(def.valueType, owner, key) };
      case "object":
        // An object that takes members beyond its declared ones (`data: { format?, … }`) is a map.
        if (def.catchall && (def.catchall as { def: { type: string } }).def.type !== "never")
          return { type: "object", additionalProperties: ANY };
        return { $ref: `#/types/${this.objectType(type as z.ZodObject, owner, key)}` };
      default:
        return ANY;
    }
  }

  /** A named object type: `flowservice:index:ConnectionSpec`, or prefixed with the owner on a clash. */
  private objectType(t: z.ZodObject, owner: string, key: string): string {
    const { properties, required } = this.properties(t, owner, key);
    const doc = TYPE_DOCS[key];
    const spec: Spec = { type: "object", ...(doc ? { description: doc } : {}), properties, ...(required.length ? { required } : {}) };
    for (const name of [`${PACKAGE}:index:${pascal(key)}`, `${PACKAGE}:index:${owner}${pascal(key)}`]) {
      if (!this.types[name] || JSON.stringify(this.types[name]) === JSON.stringify(spec)) {
        this.types[name] = spec;
        return name;
      }
    }
    throw new Error(`schema: two different object types named ${owner}${pascal(key)}`);
  }

  properties(t: z.ZodObject, owner: string, prefix = ""): { properties: Record<string, Spec>; required: string[] } {
    const properties: Record<string, Spec> = {};
    const required: string[] = [];
    for (const [key, field] of Object.entries(t.shape as Record<string, z.ZodType>)) {
      if (key.startsWith("__")) continue; // the provider's own bookkeeping, not a property
      const doc = prefix === "" ? PROPERTY_DOCS[key] : MEMBER_DOCS[`${prefix}.${key}`];
      properties[key] = { ...this.property(field, owner, key), ...(doc ? { description: doc } : {}) };
      if (!unwrap(field).optional) required.push(key);
    }
    return { properties, required };
  }
}

/**
 * What Pulumi's code generators read (scripts/sdk.sh): package names per language, and the
 * version the generated SDKs ask the engine for (the schema's, which is the npm package's).
 */
const LANGUAGE = {
  python: {
    packageName: "pulumi_flowservice",
    pyproject: { enabled: true },
    requires: { pulumi: ">=3.0.0,<4.0.0" },
    respectSchemaVersion: true,
  },
  go: { importBasePath: `${GO_MODULE}/flowservice`, modulePath: GO_MODULE, respectSchemaVersion: true },
  csharp: {
    rootNamespace: "Pulumi",
    namespaces: { flowservice: "FlowService" },
    packageReferences: { Pulumi: "3.*" },
    respectSchemaVersion: true,
  },
};

export function packageSchema(version: string, resources: SchemaResource[]): Record<string, unknown> {
  const b = new SchemaBuilder();
  const variables: Record<string, Spec> = {};
  const configTypes = ProviderConfig.shape as Record<string, z.ZodType>;
  for (const key of Object.keys(CONFIG_KEYS)) {
    // The type resolveConfig turns the setting into (a boolean, an integer...), not the string stack config holds.
    const typed = configTypes[key] ? b.property(configTypes[key], "Provider", key) : { type: "string" };
    variables[key] = {
      ...typed,
      ...(CONFIG_DOCS[key] ? { description: CONFIG_DOCS[key] } : {}),
      ...(SECRET_CONFIG.has(key) ? { secret: true } : {}),
    };
  }
  const res: Record<string, Spec> = {};
  for (const r of resources) {
    const owner = r.token.split(":").pop() as string;
    const inputs = b.properties(r.inputs, owner);
    const outputs = b.properties(r.outputs, owner);
    res[r.token] = {
      description: r.description,
      inputProperties: inputs.properties,
      requiredInputs: inputs.required,
      properties: outputs.properties,
      required: outputs.required,
    };
  }
  return {
    name: PACKAGE,
    displayName: "Adobe Experience Platform Flow Service",
    version,
    description: "Flow Service connections (Adobe Experience Platform) as code.",
    license: "Apache-2.0",
    keywords: ["pulumi", "flowservice", "adobe", "experience-platform", "category/cloud"],
    repository: `https://${GO_MODULE.replace(/\/sdk\/go$/, "")}`,
    language: LANGUAGE,
    config: { variables },
    provider: { description: "The Flow Service provider: credentials, endpoints and the default sandbox.", inputProperties: variables },
    types: b.types,
    resources: res,
  };
}
