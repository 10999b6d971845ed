// The connectors the emulator knows, shaped like Flow Service connectionSpecs. IDs, auth spec names
// and params follow the fixtures table of flow-service-api.md; each authSpec's `spec` is the JSON
// Schema (draft-07) that auth.params are validated against, secrets carrying `format: password`.
//
// Every auth schema here sets `additionalProperties: false`: the emulator rejects unknown params so
// that a typo in a client's params fails loudly instead of being stored silently.

export type JsonType = "string" | "integer" | "number" | "boolean" | "object" | "array";

interface ParamSchema {
  type: JsonType;
  description?: string;
  format?: string;
  enum?: unknown[];
}

interface AuthParamsSchema {
  $schema: string;
  type: "object";
  description?: string;
  properties: Record<string, ParamSchema>;
  required?: string[];
  additionalProperties?: boolean;
}

export interface AuthSpec {
  name: string;
  type: string;
  spec: AuthParamsSchema;
}

export interface ConnectionSpec {
  id: string;
  name: string;
  providerId: string;
  version: string;
  attributes: Record<string, unknown>;
  authSpec: AuthSpec[];
}

const DRAFT_07 = "http://json-schema.org/draft-07/schema#";
const PROVIDER_ID = "0ed90a81-07f4-4586-8190-b40eccef1c5a";

const str = (description: string): ParamSchema => ({ type: "string", description });
const secret = (description: string): ParamSchema => ({ type: "string", description, format: "password" });

function auth(name: string, type: string, description: string, properties: Record<string, ParamSchema>, required: string[]): AuthSpec {
  return {
    name,
    type,
    spec: { $schema: DRAFT_07, type: "object", description, properties, required, additionalProperties: false },
  };
}

/** Like auth(), but params not listed in the schema are accepted too (additionalProperties: true). */
function openAuth(name: string, type: string, description: string, properties: Record<string, ParamSchema>): AuthSpec {
  return { name, type, spec: { $schema: DRAFT_07, type: "object", description, properties, required: [], additionalProperties: true } };
}

/** The emulator's own test connector: its auth spec accepts any param key (see docs/emulator.md). */
const OPEN_PARAMS_SPEC_ID = "e0e0e0e0-0000-4000-8000-00000000e001";
/** The emulator's own test connector whose connections cannot be tested (GET …/test → 400). */
const NO_TEST_SPEC_ID = "e0e0e0e0-0000-4000-8000-00000000e002";

function connector(id: string, name: string, category: string, documentationLink: string, authSpec: AuthSpec[]): ConnectionSpec {
  return {
    id,
    name,
    providerId: PROVIDER_ID,
    version: "1.0",
    attributes: {
      category,
      connectorName: name,
      isSource: true,
      documentationLink,
      uiAttributes: { apiFeatures: { explorePaginationSupported: false } },
    },
    authSpec,
  };
}

export const SALESFORCE_SPEC_ID = "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5";
export const S3_SPEC_ID = "ecadc60c-7455-4d87-84dc-2a0e293d997b";
/** Experience Platform's own data lake: the target of source dataflows. It takes no credentials. */
export const DATA_LAKE_SPEC_ID = "c604ff05-7f1a-43c0-8e18-33bf874cb11c";

const dataLake: ConnectionSpec = {
  id: DATA_LAKE_SPEC_ID,
  name: "Data Lake",
  providerId: PROVIDER_ID,
  version: "1.0",
  attributes: { category: "Data Lake", connectorName: "Data Lake", isSource: false, isDestination: true },
  authSpec: [],
};

export const CONNECTION_SPECS: readonly ConnectionSpec[] = [
  connector(SALESFORCE_SPEC_ID, "Salesforce", "CRM", "https://www.adobe.com/go/salesforce-source-connector-en", [
    auth(
      "Basic Authentication",
      "BasicAuthentication",
      "defines auth params required for connecting to salesforce with a username, password and security token",
      {
        environmentUrl: str("The URL of the source instance, e.g. login.salesforce.com"),
        username: str("The username of the Salesforce user account"),
        password: secret("The password of the Salesforce user account"),
        securityToken: secret("The security token of the Salesforce user account"),
        apiVersion: str("The REST API version of the Salesforce instance, e.g. 60.0"),
      },
      ["username", "password", "securityToken"],
    ),
    auth(
      "OAuth2 Client Credential",
      "OAuth2ClientCredential",
      "defines auth params required for connecting to salesforce with OAuth 2 client credentials",
      {
        environmentUrl: str("The URL of the source instance"),
        clientId: str("The client ID of the connected app"),
        clientSecret: secret("The client secret of the connected app"),
        apiVersion: str("The REST API version of the Salesforce instance, e.g. 60.0"),
      },
      ["environmentUrl", "clientId", "clientSecret", "apiVersion"],
    ),
  ]),
  connector(S3_SPEC_ID, "Amazon S3", "Cloud Storage", "https://www.adobe.com/go/amazon-s3-source-en", [
    auth(
      "Access Key",
      "KeyBased",
      "defines auth params required for connecting to amazon-s3",
      {
        s3AccessKey: str("The access key ID of the S3 user"),
        s3SecretKey: secret("The secret access key of the S3 user"),
        s3SessionToken: secret("An optional session token for temporary credentials"),
        serviceUrl: str("An optional S3 endpoint, e.g. https://s3.eu-west-1.amazonaws.com"),
        bucketName: str("An optional bucket: restricts the connection to this bucket"),
        folderPath: str("An optional folder in that bucket: restricts the connection to it"),
      },
      ["s3AccessKey", "s3SecretKey"],
    ),
  ]),
  connector(
    "4c10e202-c428-4796-9208-5f1f5732b1cf",
    "Azure Blob Storage",
    "Cloud Storage",
    "https://www.adobe.com/go/azure-blob-source-en",
    [
      auth(
        "ConnectionString",
        "ConnectionString",
        "defines auth params required for connecting to azure blob storage with a connection string",
        { connectionString: secret("The connection string of the storage account") },
        ["connectionString"],
      ),
      auth(
        "SasURIAuthentication",
        "SasURIAuthentication",
        "defines auth params required for connecting to azure blob storage with a shared access signature URI",
        { sasUri: secret("The shared access signature URI of the container") },
        ["sasUri"],
      ),
    ],
  ),
  connector(
    "32e8f412-cdf7-464c-9885-78184cb113fd",
    "Google Cloud Storage",
    "Cloud Storage",
    "https://www.adobe.com/go/google-cloud-storage-source-en",
    [
      auth(
        "Basic Authentication for google-cloud",
        "KeyBased",
        "defines auth params required for connecting to google-cloud storage",
        {
          accessKeyId: str("The access key ID of the HMAC key"),
          secretAccessKey: secret("The secret of the HMAC key"),
        },
        ["accessKeyId", "secretAccessKey"],
      ),
    ],
  ),
  connector("b7bf2577-4520-42c9-bae9-cad01560f7bc", "SFTP", "Cloud Storage", "https://www.adobe.com/go/sftp-source-en", [
    auth(
      "Basic Authentication for sftp",
      "BasicAuthentication",
      "defines auth params required for connecting to sftp with a username and password",
      {
        host: str("The host name of the SFTP server"),
        port: { type: "integer", description: "The port of the SFTP server (default 22)" },
        userName: str("The user name on the SFTP server"),
        password: secret("The password on the SFTP server"),
      },
      ["host", "userName", "password"],
    ),
  ]),
  connector("38ad80fe-8b06-4938-94f4-d4ee80266b07", "Microsoft Dynamics", "CRM", "https://www.adobe.com/go/sources-dynamics-en", [
    auth(
      "Basic Authentication for Dynamics-Online",
      "BasicAuthentication",
      "defines auth params required for connecting to dynamics-online",
      {
        serviceUri: str("The service URL of your Dynamics instance"),
        username: str("User name for the user account"),
        password: secret("Password for the user account"),
      },
      ["serviceUri", "username", "password"],
    ),
  ]),
  connector("74a1c565-4e59-48d7-9d67-7c03b8a13137", "PostgreSQL", "Database", "https://www.adobe.com/go/postgresql-source-en", [
    auth(
      "Connection String Based Authentication",
      "ConnectionString",
      "defines auth params required for connecting to postgresql",
      { connectionString: secret("The PostgreSQL connection string") },
      ["connectionString"],
    ),
  ]),
  connector("3c9b37f8-13a6-43d8-bad3-b863b941fedd", "Google BigQuery", "Database", "https://www.adobe.com/go/bigquery-source-en", [
    auth(
      "Basic Authentication",
      "OAuth2RefreshCode",
      "defines auth params required for connecting to google bigquery",
      {
        project: str("The project ID of the BigQuery project"),
        clientId: str("The client ID of the OAuth client"),
        clientSecret: secret("The client secret of the OAuth client"),
        refreshToken: secret("The OAuth refresh token"),
      },
      ["project", "clientId", "clientSecret", "refreshToken"],
    ),
  ]),
  dataLake,
  // Not an Adobe connector: the only auth schema here that accepts unknown keys, so clients can test
  // param keys with "/", "~", unicode... end to end. `password` is its one secret.
  connector(OPEN_PARAMS_SPEC_ID, "Emulator open params", "Test", "https://example.invalid/emulator-open-params", [
    openAuth("Open Params", "Custom", "any param key is accepted; password is secret", {
      password: secret("A secret, write-only"),
    }),
  ]),
  // Not an Adobe connector: an ordinary credential whose connectivity test is unsupported.
  connector(NO_TEST_SPEC_ID, "Emulator no connection test", "Test", "https://example.invalid/emulator-no-connection-test", [
    auth(
      "Basic Authentication",
      "BasicAuthentication",
      "a username and password; GET /connections/{id}/test is not supported",
      { username: str("A user name"), password: secret("A password") },
      ["username", "password"],
    ),
  ]),
];

/** Connectors whose connections GET /connections/{id}/test refuses (the docs say nothing; our choice). */
const CONNECTION_TEST_UNSUPPORTED: ReadonlySet<string> = new Set([NO_TEST_SPEC_ID, DATA_LAKE_SPEC_ID]);

export function connectionTestSupported(specId: string): boolean {
  return !CONNECTION_TEST_UNSUPPORTED.has(specId);
}

export function findSpec(id: string): ConnectionSpec | undefined {
  return CONNECTION_SPECS.find((s) => s.id === id);
}

export function findAuthSpec(specId: string, specName: string): AuthSpec | undefined {
  return findSpec(specId)?.authSpec.find((a) => a.name === specName);
}

/** Names of the params an authSpec marks `format: password`: write-only, never echoed in clear. */
export function secretParamNames(authSpec: AuthSpec): Set<string> {
  return new Set(
    Object.entries(authSpec.spec.properties)
      .filter(([, p]) => p.format === "password")
      .map(([k]) => k),
  );
}
