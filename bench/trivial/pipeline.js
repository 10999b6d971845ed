// The engine's floor for the pipeline scenario: the same N pipelines as bench/pipeline (the same
// four resources each, the same inputs, the same references, the S3 secret as pulumi.secret, the
// same output properties), with a dynamic provider that makes no request and does no work.
const fs = require("node:fs");
const path = require("node:path");
const pulumi = require("@pulumi/pulumi");

const spec = JSON.parse(fs.readFileSync(path.join(__dirname, "bench.json"), "utf8"));
const { pipelineArgs } = require("pulumi-flowservice/dist/bench/src/benchPipeline");

// One provider for the four types. Methods capture nothing, so the serialized __provider stays
// small and identical per resource.
const noRequestProvider = {
  async check(_olds, news) {
    return { inputs: news };
  },
  async diff(_id, olds, news) {
    const changed = Object.keys(news).some((k) => k !== "__provider" && JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    return { changes: changed, replaces: [], deleteBeforeReplace: false };
  },
  async create(inputs) {
    const { randomUUID } = require("node:crypto");
    const id = randomUUID();
    const now = Date.now();
    return {
      id,
      outs: {
        ...inputs,
        etag: `"${randomUUID()}"`,
        state: "enabled",
        createdAt: now,
        updatedAt: now,
        updatedBy: "bench",
        sandboxName: "prod",
        adopted: false,
      },
    };
  },
  async read(id, props) {
    return { id, props };
  },
  async update(_id, olds, news) {
    return { outs: { ...olds, ...news, etag: `"${require("node:crypto").randomUUID()}"` } };
  },
  async delete() {},
};

// The output-only properties our resources declare.
const STAMPS = {
  etag: undefined,
  state: undefined,
  createdAt: undefined,
  updatedAt: undefined,
  updatedBy: undefined,
  sandboxName: undefined,
  adopted: undefined,
};

const trivialType = (type, secretKeys) =>
  class extends pulumi.dynamic.Resource {
    constructor(name, args, opts) {
      super(noRequestProvider, name, { ...args, secretKeys, ...STAMPS }, opts, "trivial", type);
    }
  };
const TrivialConnection = trivialType("Connection", ["s3SecretKey"]);
const TrivialSourceConnection = trivialType("SourceConnection", []);
const TrivialTargetConnection = trivialType("TargetConnection", []);
const TrivialDataflow = trivialType("Dataflow", []);

for (let i = 0; i < spec.n; i++) {
  const a = pipelineArgs(i, spec.version, pulumi.secret);
  const storage = new TrivialConnection(`storage-${i}`, a.storage);
  const files = new TrivialSourceConnection(`files-${i}`, a.files(storage.id));
  const dataset = new TrivialTargetConnection(`dataset-${i}`, a.dataset);
  new TrivialDataflow(`flow-${i}`, a.flow(files.id, dataset.id));
}
