// What the provider knows about connectors without asking Flow Service. It lets `check` (which
// must work offline, for previews of pull requests) validate args, and lets the resource class mark
// the connector's secret params as Pulumi secrets before they reach state.
// Source: the connector table of flow-service-api.md (auth specs with `format: password`).

export type ParamType = "string" | "number" | "boolean";

export interface ParamSpec {
  type: ParamType;
  secret?: boolean;
  required?: boolean;
}

export interface AuthSpec {
  params: Record<string, ParamSpec>;
}

export interface Connector {
  name: string;
  authSpecs: Record<string, AuthSpec>;
}

const str = (extra: Partial<ParamSpec> = {}): ParamSpec => ({ type: "string", ...extra });
const secret = (extra: Partial<ParamSpec> = {}): ParamSpec => ({ type: "string", secret: true, ...extra });

export const CONNECTORS: Record<string, Connector> = {
  "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5": {
    name: "Salesforce",
    authSpecs: {
      "Basic Authentication": {
        params: {
          environmentUrl: str(),
          username: str({ required: true }),
          password: secret({ required: true }),
          securityToken: secret({ required: true }),
          apiVersion: str(),
        },
      },
      "OAuth2 Client Credential": {
        params: { environmentUrl: str(), clientId: str(), clientSecret: secret(), apiVersion: str() },
      },
    },
  },
  "ecadc60c-7455-4d87-84dc-2a0e293d997b": {
    name: "Amazon S3",
    authSpecs: {
      "Access Key": {
        params: { s3AccessKey: str(), s3SecretKey: secret(), s3SessionToken: secret(), serviceUrl: str() },
      },
    },
  },
  "4c10e202-c428-4796-9208-5f1f5732b1cf": {
    name: "Azure Blob Storage",
    authSpecs: {
      ConnectionString: { params: { connectionString: secret() } },
      SasURIAuthentication: { params: { sasUri: secret() } },
    },
  },
  "32e8f412-cdf7-464c-9885-78184cb113fd": {
    name: "Google Cloud Storage",
    authSpecs: {
      "Basic Authentication for google-cloud": { params: { accessKeyId: str(), secretAccessKey: secret() } },
    },
  },
  "b7bf2577-4520-42c9-bae9-cad01560f7bc": {
    name: "SFTP",
    authSpecs: { "Basic Authentication for sftp": { params: { host: str(), userName: str(), password: secret() } } },
  },
  "38ad80fe-8b06-4938-94f4-d4ee80266b07": {
    name: "Microsoft Dynamics",
    authSpecs: {
      "Basic Authentication for Dynamics-Online": {
        params: {
          serviceUri: str({ required: true }),
          username: str({ required: true }),
          password: secret({ required: true }),
        },
      },
    },
  },
  "74a1c565-4e59-48d7-9d67-7c03b8a13137": {
    name: "PostgreSQL",
    authSpecs: { "Connection String Based Authentication": { params: { connectionString: secret() } } },
  },
  "3c9b37f8-13a6-43d8-bad3-b863b941fedd": {
    name: "Google BigQuery",
    authSpecs: {
      "Basic Authentication": {
        params: { project: str(), clientId: str(), clientSecret: secret(), refreshToken: secret() },
      },
    },
  },
};

/** Param names that are secrets for any connector, known or not: a safe default for unknown ones. */
const SECRET_NAME = /(password|secret|token|connectionstring|sasuri|privatekey|apikey)$/i;

/** Whether a param is treated as secret: the connector says so, or its name looks like a credential. */
export function isSecretParam(connectionSpecId: string | undefined, specName: string | undefined, key: string): boolean {
  const spec = connectionSpecId && specName ? CONNECTORS[connectionSpecId]?.authSpecs[specName] : undefined;
  const known = spec?.params[key];
  if (known) return known.secret === true;
  return SECRET_NAME.test(key);
}

export function lookupAuthSpec(connectionSpecId: string, specName: string): AuthSpec | undefined {
  return CONNECTORS[connectionSpecId]?.authSpecs[specName];
}
