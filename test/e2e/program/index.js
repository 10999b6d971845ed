// The Pulumi program of the end-to-end tests. It declares the connections listed in
// program.json beside it, so a test changes the program by rewriting that file.
// A param value written as {"secret": "..."} is wrapped in pulumi.secret().
const fs = require("node:fs");
const path = require("node:path");
const pulumi = require("@pulumi/pulumi");
const { Connection } = require("pulumi-flowservice");

const spec = JSON.parse(fs.readFileSync(path.join(__dirname, "program.json"), "utf8"));
const unwrap = (v) => (v && typeof v === "object" && "secret" in v ? pulumi.secret(v.secret) : v);

const out = {};
for (const c of spec.connections) {
  const params = {};
  for (const [k, v] of Object.entries(c.auth.params)) params[k] = unwrap(v);
  const conn = new Connection(c.resourceName, {
    name: c.name,
    description: c.description,
    connectionSpec: c.connectionSpec,
    auth: { specName: c.auth.specName, params },
    adoptId: c.adoptId,
    deleteOnDestroy: c.deleteOnDestroy,
    sandboxName: c.sandboxName,
    verifyCredentials: c.verifyCredentials,
  });
  out[c.resourceName] = { id: conn.id, etag: conn.etag, state: conn.state, updatedAt: conn.updatedAt };
}
module.exports = out;
