// The plugin's package schema as the SDKs are generated from it: the schema the plugin serves
// (GetSchema) for the package's version. scripts/sdk.sh writes it to sdk/schema.json and generates
// sdk/<language> from that file; a unit test compares the committed file with this one, so a
// schema change without regenerated SDKs fails `npm test`.
//
//   node dist/tools/sdkSchema.js [FILE]     (default: print to stdout)
import fs from "node:fs";
import { resourceKinds } from "../provider/plugin/kind";
import { packageSchema, packageVersion } from "../provider/plugin/schema";
import { ProviderRuntime } from "../provider/resources/provider";

/** The schema, as sdk/schema.json holds it (2-space JSON, a final newline). */
export function sdkSchemaText(): string {
  // The kinds need a runtime to be built; none of it is used to describe them.
  const runtime = new ProviderRuntime();
  const schema = packageSchema(packageVersion(), resourceKinds(runtime));
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (require.main === module) {
  const out = process.argv[2];
  if (out) fs.writeFileSync(out, sdkSchemaText());
  else process.stdout.write(sdkSchemaText());
}
