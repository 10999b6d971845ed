// The program as Pulumi YAML, served by the provider plugin (`flowservice:index:*`), each
// resource taken over with Pulumi's `import` option: the first `up` reads each object (import),
// and for a resource declaring secret placeholders, which cannot be read back, updates it with one
// PATCH re-sending them (then the credential test). The engine (3.248) imports, then updates.
import { type Program, Ref, SandboxVar, Secret, type Value } from "../model";

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const YAML_WORDS = /^(true|false|null|yes|no|on|off|y|n|~)$/i;
const key = (k: string) => (PLAIN_KEY.test(k) && !YAML_WORDS.test(k) ? k : JSON.stringify(k));
/** A JSON string is a YAML double-quoted scalar; `${` would start an interpolation: `$${` is a literal one. */
const text = (s: string) => JSON.stringify(s).replace(/\$\{/g, () => "$${");

function scalar(v: Value): string | undefined {
  if (v instanceof Ref) return `\${${v.ident}.id}`;
  if (v instanceof Secret) return `\${${v.key}}`;
  if (v instanceof SandboxVar) return `\${sandboxName}`;
  if (v === null) return "null";
  if (typeof v === "string") return text(v);
  if (typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v) && v.length === 0) return "[]";
  if (!Array.isArray(v) && Object.keys(v).length === 0) return "{}";
  return undefined;
}

/** Block-style lines for a value under `indent`. */
function block(v: Value, indent: string): string[] {
  if (Array.isArray(v)) {
    return v.flatMap((x) => {
      const s = scalar(x);
      if (s !== undefined) return [`${indent}- ${s}`];
      const [first, ...rest] = block(x, `${indent}  `);
      return [`${indent}- ${first.trimStart()}`, ...rest];
    });
  }
  return Object.entries(v as Record<string, Value>).flatMap(([k, x]) => {
    const s = scalar(x);
    return s !== undefined ? [`${indent}${key(k)}: ${s}`] : [`${indent}${key(k)}:`, ...block(x, `${indent}  `)];
  });
}

export function renderYaml(p: Program, header: string[], pluginPath?: string): string {
  const lines = [
    ...header.map((h) => `# ${h}`.trimEnd()),
    `name: ${text(`flowservice-${p.sandbox}`)}`,
    "runtime: yaml",
    `description: ${text(`The Flow Service objects of sandbox ${p.sandbox}, taken over by Pulumi`)}`,
  ];
  if (pluginPath) lines.push("plugins:", "  providers:", "    - name: flowservice", `      path: ${text(pluginPath)}`);
  lines.push("config:", `  flowservice:sandboxName: ${text(p.sandbox)}`);
  for (const s of p.placeholders) lines.push(`  ${key(s.key)}:`, "    type: string", "    secret: true");
  lines.push("variables:", `  sandboxName: ${text(p.sandbox)}`, "resources:");
  if (p.resources.length === 0) lines[lines.length - 1] = "resources: {}";
  for (const r of p.resources) {
    lines.push(
      `  # ${r.kind} ${r.id}`,
      `  ${key(r.ident)}:`,
      `    type: flowservice:index:${r.kind}`,
      "    properties:",
      ...block(r.args, "      "),
    );
    lines.push("    options:", `      import: ${text(r.id)}`);
  }
  return `${lines.join("\n")}\n`;
}
