// The program as TypeScript: the package's dynamic resources, each taking its object over with
// `adoptId` (Pulumi's `import` does not work for dynamic resources).
import { type Program, Ref, SandboxVar, Secret, type Value } from "../model";

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const key = (k: string) => (IDENT.test(k) ? k : JSON.stringify(k));

function value(v: Value, indent: string): string {
  if (v instanceof Ref) return `${v.ident}.id`;
  if (v instanceof Secret) return `config.requireSecret(${JSON.stringify(v.key)})`;
  if (v instanceof SandboxVar) return "sandboxName";
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    const items = v.map((x) => value(x, inner));
    const flat = `[${items.join(", ")}]`;
    return flat.length <= 80 && !flat.includes("\n") ? flat : `[\n${items.map((i) => `${inner}${i},`).join("\n")}\n${indent}]`;
  }
  const entries = Object.entries(v);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([k, x]) => (x instanceof SandboxVar && k === "sandboxName" ? `${inner}sandboxName,` : `${inner}${key(k)}: ${value(x, inner)},`)).join("\n")}\n${indent}}`;
}

export function renderTypeScript(p: Program, header: string[]): string {
  const kinds = [...new Set(p.resources.map((r) => r.kind))].sort();
  const lines = [
    ...header.map((h) => `// ${h}`.trimEnd()),
    'import * as pulumi from "@pulumi/pulumi";',
    ...(kinds.length ? [`import { ${kinds.join(", ")} } from "pulumi-flowservice";`] : []),
    "",
    "const config = new pulumi.Config();",
    `const sandboxName = ${JSON.stringify(p.sandbox)};`,
  ];
  for (const r of p.resources) {
    const args = { ...r.args, adoptId: r.id };
    lines.push("", `// ${r.kind} ${r.id}`, `const ${r.ident} = new ${r.kind}(${JSON.stringify(r.ident)}, ${value(args, "")});`);
  }
  return `${lines.join("\n")}\n`;
}

export function packageJson(p: Program, version: string): string {
  const pkg = {
    name: `flowservice-${p.sandbox}`,
    private: true,
    main: "index.ts",
    dependencies: { "@pulumi/pulumi": "^3.248.0", "pulumi-flowservice": `^${version}` },
    // What Pulumi's TypeScript template installs to run index.ts.
    devDependencies: { "@types/node": "^20.0.0", typescript: "^5.0.0" },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}
