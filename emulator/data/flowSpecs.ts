// The flow specs the emulator knows, shaped like Flow Service flowSpecs (read-only): which
// connectors a flow may read from and write to, its transformations, and its schedule's schema.
// Ids and names follow Adobe's docs; the source lists are trimmed to the emulator's connectors.
import { DATA_LAKE_SPEC_ID, S3_SPEC_ID, SALESFORCE_SPEC_ID } from "./specs";

export interface FlowSpec {
  id: string;
  name: string;
  providerId: string;
  version: string;
  sourceConnectionSpecIds: string[];
  targetConnectionSpecIds: string[];
  transformationSpecs: Array<{ name: string; spec: Record<string, unknown> }>;
  scheduleSpec: { name: string; type: string; spec: Record<string, unknown> };
  attributes: Record<string, unknown>;
}

const CLOUD_STORAGE_FLOW_SPEC_ID = "9753525b-82c7-4dce-8a9b-5ccfce2b9876";
const CRM_FLOW_SPEC_ID = "14518937-270c-4525-bdec-c2ba7cce3860";

const DRAFT_07 = "http://json-schema.org/draft-07/schema#";
const PROVIDER_ID = "0ed90a81-07f4-4586-8190-b40eccef1c5a";

const mapping = {
  name: "Mapping",
  spec: {
    $schema: DRAFT_07,
    type: "object",
    description: "defines various params required for different mapping from source to target",
    properties: { mappingId: { type: "string" }, mappingVersion: { type: "string" } },
  },
};

const copy = {
  name: "Copy",
  spec: {
    $schema: DRAFT_07,
    type: "object",
    properties: {
      deltaColumn: {
        type: "object",
        properties: { name: { type: "string" }, dateFormat: { type: "string" }, timezone: { type: "string" } },
        required: ["name"],
      },
    },
    required: ["deltaColumn"],
  },
};

/** The periodic schedule both batch flow specs use (what scheduleParams are checked against). */
const periodicSchedule = {
  name: "PeriodicSchedule",
  type: "Periodic",
  spec: {
    $schema: DRAFT_07,
    type: "object",
    properties: {
      startTime: { description: "epoch time", type: "integer" },
      frequency: { type: "string", enum: ["once", "minute", "hour", "day", "week"] },
      interval: { type: "integer" },
      backfill: { type: "boolean", default: true },
    },
    required: ["startTime", "frequency"],
    if: { properties: { frequency: { const: "once" } } },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else keywords
    then: { allOf: [{ not: { required: ["interval"] } }, { not: { required: ["backfill"] } }] },
    else: {
      required: ["interval"],
      if: { properties: { frequency: { const: "minute" } } },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else keywords
      then: { properties: { interval: { minimum: 15 } } },
      else: { properties: { interval: { minimum: 1 } } },
    },
  },
};

const attributes = { notification: { category: "sources", flowRun: { enabled: true } } };

export const FLOW_SPECS: readonly FlowSpec[] = [
  {
    id: CLOUD_STORAGE_FLOW_SPEC_ID,
    name: "CloudStorageToAEP",
    providerId: PROVIDER_ID,
    version: "1.0",
    sourceConnectionSpecIds: [
      S3_SPEC_ID,
      "4c10e202-c428-4796-9208-5f1f5732b1cf", // Azure Blob Storage
      "32e8f412-cdf7-464c-9885-78184cb113fd", // Google Cloud Storage
      "b7bf2577-4520-42c9-bae9-cad01560f7bc", // SFTP
    ],
    targetConnectionSpecIds: [DATA_LAKE_SPEC_ID],
    transformationSpecs: [mapping],
    scheduleSpec: periodicSchedule,
    attributes,
  },
  {
    id: CRM_FLOW_SPEC_ID,
    name: "CRMToAEP",
    providerId: PROVIDER_ID,
    version: "1.0",
    sourceConnectionSpecIds: [
      SALESFORCE_SPEC_ID,
      "38ad80fe-8b06-4938-94f4-d4ee80266b07", // Microsoft Dynamics
      "3c9b37f8-13a6-43d8-bad3-b863b941fedd", // Google BigQuery
      "74a1c565-4e59-48d7-9d67-7c03b8a13137", // PostgreSQL
    ],
    targetConnectionSpecIds: [DATA_LAKE_SPEC_ID],
    transformationSpecs: [copy, mapping],
    scheduleSpec: periodicSchedule,
    attributes,
  },
];

export function findFlowSpec(id: string): FlowSpec | undefined {
  return FLOW_SPECS.find((s) => s.id === id);
}
