// The benchmark's Pulumi program (our provider): N Salesforce connections, as declared by
// bench.json beside it ({n, version, overrides}). Connection i's password is
// `pw-<version>-<i>`, or `pw-<overrides[i]>-<i>` when overridden: the driver rotates one secret
// by overriding one index and all of them by bumping `version`.
// bench/trivial/index.js declares the same resources with a provider that makes no request.
const fs = require("node:fs");
const path = require("node:path");
const pulumi = require("@pulumi/pulumi");
const { Connection } = require("pulumi-flowservice");

const spec = JSON.parse(fs.readFileSync(path.join(__dirname, "bench.json"), "utf8"));
const { connectionArgs } = require("pulumi-flowservice/dist/bench/src/benchConnection");

for (let i = 0; i < spec.n; i++) {
  const version = spec.overrides?.[i] || spec.version;
  new Connection(`conn-${i}`, connectionArgs(i, version, "", pulumi.secret));
}
