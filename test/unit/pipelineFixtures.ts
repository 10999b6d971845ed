// The S3 → Data Lake pipeline of the sources tutorials, as the provider sees it: inputs after
// check, outputs in state, and live objects as Flow Service shows them.
export const S3 = "ecadc60c-7455-4d87-84dc-2a0e293d997b";
export const DATA_LAKE = "c604ff05-7f1a-43c0-8e18-33bf874cb11c";
export const CLOUD_STORAGE_TO_AEP = "9753525b-82c7-4dce-8a9b-5ccfce2b9876";
export const BASE_ID = "6990abad-977d-41b9-a85d-17ea8cf1c0e4";
export const SOURCE_ID = "b7581b59-c603-4df1-a689-d23d7ac440f3";
export const TARGET_ID = "320f119a-5ac1-4ab1-88ea-eb19e674ea2e";
export const FLOW_ID = "2edc08ac-4df5-4fe6-936f-81a19ce92f5c";
export const ETAG = '"5400d99c-0000-0200-0000-60358d540000"';
/** 2023-11-14: a start time in the past. */
export const PAST_START = 1700000000;

export function sourceInputs(overrides: Record<string, unknown> = {}) {
  return {
    name: "Landing files",
    baseConnectionId: BASE_ID,
    connectionSpec: { id: S3, version: "1.0" },
    data: { format: "delimited" },
    params: { path: "/landing/customers.csv" },
    secretKeys: [] as string[],
    ...overrides,
  };
}

export function targetInputs(overrides: Record<string, unknown> = {}) {
  return {
    name: "Customers dataset",
    connectionSpec: { id: DATA_LAKE, version: "1.0" },
    data: { schema: { id: "https://ns.adobe.com/acme/schemas/customers", version: "application/vnd.adobe.xed-full+json;version=1" } },
    params: { dataSetId: "638e6c7b5679741b63ff5c24" },
    secretKeys: [] as string[],
    ...overrides,
  };
}

export function flowInputs(overrides: Record<string, unknown> = {}) {
  return {
    name: "Customers from S3",
    flowSpec: { id: CLOUD_STORAGE_TO_AEP, version: "1.0" },
    sourceConnectionIds: [SOURCE_ID],
    targetConnectionIds: [TARGET_ID],
    transformations: [{ name: "Mapping", params: { mappingId: "0b090130b58b4819afc78b6dc98b484d", mappingVersion: "0" } }],
    scheduleParams: { startTime: PAST_START, frequency: "minute", interval: 15 },
    secretKeys: [] as string[],
    ...overrides,
  };
}

/** Outputs as the provider stores them after a create. */
export function outputsOf(inputs: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  return {
    ...inputs,
    etag: ETAG,
    adopted: false,
    state: "enabled",
    createdAt: 1612310475905,
    updatedAt: 1612310475905,
    sandboxName: "prod",
    ...overrides,
  };
}

/** A flow as GET /flows/{id} shows it (update-dataflows.md): schedule values as strings, extra members. */
export function liveFlow(overrides: Record<string, unknown> = {}) {
  return {
    id: FLOW_ID,
    etag: ETAG,
    version: ETAG,
    name: "Customers from S3",
    flowSpec: { id: CLOUD_STORAGE_TO_AEP, version: "1.0" },
    state: "enabled",
    sourceConnectionIds: [SOURCE_ID],
    targetConnectionIds: [TARGET_ID],
    inheritedAttributes: { sourceConnections: [{ id: SOURCE_ID }] },
    scheduleParams: { startTime: String(PAST_START), frequency: "minute", interval: "15" },
    transformations: [{ name: "Mapping", params: { mappingId: "0b090130b58b4819afc78b6dc98b484d", mappingVersion: "0" } }],
    runs: `/runs?property=flowId==${FLOW_ID}`,
    lastOperation: { started: 1612310475905, updated: 0, operation: "create" },
    createdAt: 1612310475905,
    updatedAt: 1612310475905,
    updatedBy: "acme-ci@AdobeID",
    updatedClient: "acme-ci",
    sandboxName: "prod",
    ...overrides,
  };
}
