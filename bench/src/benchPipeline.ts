// What the benchmark declares for pipeline i, shared by its two pipeline programs
// (bench/pipeline with our resources, bench/trivial/pipeline.js with no-request ones) so both
// declare the same inputs: an S3 base connection (one secret), a source connection on it, a Data
// Lake target connection and a dataflow from the one to the other, every 15 minutes. References
// are the earlier resources' ids (Pulumi outputs), so the engine orders the steps alike.
// `secret` wraps the secret values (pulumi.secret in the programs).

// The connector and flow spec ids of Adobe's S3 → Data Lake tutorial (the emulator's catalog has them).
export const S3 = "ecadc60c-7455-4d87-84dc-2a0e293d997b";
export const DATA_LAKE = "c604ff05-7f1a-43c0-8e18-33bf874cb11c";
export const CLOUD_STORAGE_TO_AEP = "9753525b-82c7-4dce-8a9b-5ccfce2b9876";
/** 2030-01-01: a start time that stays in the future, so it may be declared as is. */
const START_TIME = 1893456000;

export function pipelineArgs<S = string, R = string>(i: number, version: string, secret: (v: string) => S | string = (v) => v) {
  return {
    storage: {
      name: `bench bucket ${i}`,
      connectionSpec: { id: S3, version: "1.0" },
      auth: { specName: "Access Key", params: { s3AccessKey: `AKIABENCH${i}`, s3SecretKey: secret(`s3-${version}-${i}`) } },
    },
    files: (baseConnectionId: R) => ({
      name: `bench files ${i}`,
      baseConnectionId,
      connectionSpec: { id: S3, version: "1.0" },
      data: { format: "delimited" },
      params: { path: `/landing/bench-${i}/customers.csv` },
    }),
    dataset: {
      name: `bench dataset ${i}`,
      connectionSpec: { id: DATA_LAKE, version: "1.0" },
      data: {
        format: "parquet_xdm",
        schema: { id: "https://ns.adobe.com/bench/schemas/customers", version: "application/vnd.adobe.xed-full+json;version=1" },
      },
      params: { dataSetId: `bench${String(i).padStart(19, "0")}` },
    },
    flow: (sourceConnectionId: R, targetConnectionId: R) => ({
      name: `bench flow ${i}`,
      flowSpec: { id: CLOUD_STORAGE_TO_AEP, version: "1.0" },
      sourceConnectionIds: [sourceConnectionId],
      targetConnectionIds: [targetConnectionId],
      transformations: [{ name: "Mapping", params: { mappingId: "0b090130b58b4819afc78b6dc98b484d", mappingVersion: "0" } }],
      scheduleParams: { startTime: START_TIME, frequency: "minute", interval: 15 },
    }),
  };
}
