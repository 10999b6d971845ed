// The engine's floor: the same program shape as bench/program (N resources, the same inputs,
// two secret params, the same outputs), with a dynamic provider that makes no request and does
// no work. What `pulumi up` costs here is what the engine, the language host and the
// dynamic-provider host cost anyway, whatever the provider does.
const fs = require("node:fs");
const path = require("node:path");
const pulumi = require("@pulumi/pulumi");

const spec = JSON.parse(fs.readFileSync(path.join(__dirname, "bench.json"), "utf8"));
const { connectionArgs } = require("pulumi-flowservice/dist/bench/src/benchConnection");

// Methods capture nothing, so the serialized __provider stays small and identical per resource.
const noRequestProvider = {
  async check(_olds, news) {
    return { inputs: news };
  },
  async diff(_id, olds, news) {
    const keys = ["name", "description", "connectionSpec", "auth"];
    const changed = keys.some((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    return { changes: changed, replaces: [], deleteBeforeReplace: false };
  },
  async create(inputs) {
    const id = require("node:crypto").randomUUID();
    const now = Date.now();
    return {
      id,
      outs: {
        ...inputs,
        connectionId: id,
        etag: `"${require("node:crypto").randomUUID()}"`,
        state: "enabled",
        createdAt: now,
        updatedAt: now,
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

class TrivialConnection extends pulumi.dynamic.Resource {
  constructor(name, args, opts) {
    super(
      noRequestProvider,
      name,
      {
        ...args,
        secretKeys: ["password", "securityToken"],
        connectionId: undefined,
        etag: undefined,
        state: undefined,
        createdAt: undefined,
        updatedAt: undefined,
        sandboxName: undefined,
        adopted: undefined,
      },
      opts,
      "trivial",
      "Connection",
    );
  }
}

for (let i = 0; i < spec.n; i++) {
  const version = spec.overrides?.[i] || spec.version;
  new TrivialConnection(`conn-${i}`, connectionArgs(i, version, "", pulumi.secret));
}
