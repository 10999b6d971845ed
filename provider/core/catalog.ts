// What the provider knows about connectors without asking Flow Service. It lets `check` (which
// must work offline, for previews of pull requests) validate args, and lets the resource class mark
// the connector's secret params as Pulumi secrets before they reach state.
// Source: the connection specs of Adobe's sources docs (the connector table of flow-service-api.md):
// an auth spec is a JSON Schema whose `required` lists the required params and whose secret params
// carry `format: password`. The emulator keeps its own copy (emulator/specs.ts); a unit test
// cross-checks the two (test/unit/catalog.test.ts).

export type ParamType = "string" | "integer" | "boolean";

export interface ParamSpec {
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
    authSpecs: { "Access Key": spec("s3AccessKey:!", "s3SecretKey:*!", "s3SessionToken:*", "serviceUrl") },
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
