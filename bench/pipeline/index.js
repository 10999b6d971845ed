// The benchmark's pipeline program (our provider): N pipelines of four resources each, an S3
// Connection, a SourceConnection on it, a TargetConnection and a Dataflow from the one to the
// other (bench/src/benchPipeline.ts), as declared by bench.json beside it ({n, version}).
// bench/trivial/pipeline.js declares the same resources with a provider that makes no request.
const fs = require("node:fs");
const path = require("node:path");
const pulumi = require("@pulumi/pulumi");
const { Connection, Dataflow, SourceConnection, TargetConnection } = require("pulumi-flowservice");
const { pipelineArgs } = require("pulumi-flowservice/dist/bench/src/benchPipeline");

const spec = JSON.parse(fs.readFileSync(path.join(__dirname, "bench.json"), "utf8"));

for (let i = 0; i < spec.n; i++) {
  const a = pipelineArgs(i, spec.version, pulumi.secret);
  const storage = new Connection(`storage-${i}`, a.storage);
  const files = new SourceConnection(`files-${i}`, a.files(storage.id));
  const dataset = new TargetConnection(`dataset-${i}`, a.dataset);
  new Dataflow(`flow-${i}`, a.flow(files.id, dataset.id));
}
