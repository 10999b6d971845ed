// The Pulumi program of the pipeline end-to-end test. It declares the resources listed in
// pipeline.json beside it, in order, so a test changes the program by rewriting that file:
// {"resources": [{"type": "Connection" | "SourceConnection" | "TargetConnection" | "Dataflow",
//                 "name": "...", "args": {...}, "options": {...}?}]}
// In args, "$name" is the id of an earlier resource (a Pulumi output, so the engine orders the
// operations) and {"secret": "..."} is wrapped in pulumi.secret().
const fs = require("node:fs");
const path = require("node:path");
const pulumi = require("@pulumi/pulumi");
const flowservice = require("pulumi-flowservice");

const spec = JSON.parse(fs.readFileSync(path.join(__dirname, "pipeline.json"), "utf8"));
const made = {};
const resolve = (v) => {
  if (typeof v === "string" && v.startsWith("$")) return made[v.slice(1)].id;
  if (Array.isArray(v)) return v.map(resolve);
  if (v && typeof v === "object") {
    if (Object.keys(v).length === 1 && "secret" in v) return pulumi.secret(v.secret);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
  }
  return v;
};
for (const r of spec.resources) made[r.name] = new flowservice[r.type](r.name, resolve(r.args), r.options || {});

module.exports = Object.fromEntries(Object.entries(made).map(([name, r]) => [name, { id: r.id, etag: r.etag, state: r.state }]));
