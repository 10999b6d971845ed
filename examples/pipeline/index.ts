// A whole source as code: CSV files from an S3 bucket ingested into an Experience Platform dataset
// every 15 minutes, as Adobe's sources tutorials build it by hand: a base connection (the S3
// credentials), a source connection (the files), a target connection (the dataset) and a dataflow
// (schedule + mapping). Each reference is a Pulumi output, so `up` creates them in that order and
// `destroy` deletes them in the reverse one.
//
// The dataset, its XDM schema and the mapping set come from other APIs (Catalog, Schema Registry,
// Data Prep): give their ids as stack config.
//   pulumi config set datasetId 638e6c7b5679741b63ff5c24
//   pulumi config set schemaId https://ns.adobe.com/<tenant>/schemas/<id>
//   pulumi config set mappingId 0b090130b58b4819afc78b6dc98b484d
//   pulumi config set s3AccessKey AKIA…
//   pulumi config set --secret s3SecretKey …
// Then: `pulumi config set interval 60` changes the schedule (one PATCH of the dataflow);
// `pulumi config set enabled false` pauses it (one POST /flows/{id}/action?op=DISABLE).
import * as pulumi from "@pulumi/pulumi";
import { Connection, Dataflow, SourceConnection, TargetConnection } from "pulumi-flowservice";

const config = new pulumi.Config();
const S3 = "ecadc60c-7455-4d87-84dc-2a0e293d997b";
const DATA_LAKE = "c604ff05-7f1a-43c0-8e18-33bf874cb11c";
const CLOUD_STORAGE_TO_AEP = "9753525b-82c7-4dce-8a9b-5ccfce2b9876";

const bucket = new Connection("bucket", {
  name: "Landing bucket",
  connectionSpec: { id: S3, version: "1.0" },
  auth: {
    specName: "Access Key",
    params: { s3AccessKey: config.require("s3AccessKey"), s3SecretKey: config.requireSecret("s3SecretKey") },
  },
});

const files = new SourceConnection("files", {
  name: "Landing files",
  baseConnectionId: bucket.id,
  connectionSpec: { id: S3, version: "1.0" },
  data: { format: "delimited" },
  params: { path: config.get("path") ?? "/landing/customers.csv" },
});

const dataset = new TargetConnection("dataset", {
  name: "Customers dataset",
  connectionSpec: { id: DATA_LAKE, version: "1.0" },
  data: { format: "parquet_xdm", schema: { id: config.require("schemaId"), version: "application/vnd.adobe.xed-full+json;version=1" } },
  params: { dataSetId: config.require("datasetId") },
});

const flow = new Dataflow("flow", {
  name: "Customers from S3",
  flowSpec: { id: CLOUD_STORAGE_TO_AEP, version: "1.0" },
  sourceConnectionIds: [files.id],
  targetConnectionIds: [dataset.id],
  transformations: [
    { name: "Mapping", params: { mappingId: config.require("mappingId"), mappingVersion: config.get("mappingVersion") ?? "0" } },
  ],
  // startTime cannot move once it has passed: fixed here, not "now".
  scheduleParams: {
    startTime: config.getNumber("startTime") ?? 1893456000,
    frequency: "minute",
    interval: config.getNumber("interval") ?? 15,
  },
  enabled: config.getBoolean("enabled") ?? true,
});

export const flowId = flow.id;
export const flowState = flow.state;
export const sourceConnectionId = files.id;
export const targetConnectionId = dataset.id;
