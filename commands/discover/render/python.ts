// The program as Python: the generated SDK `pulumi_flowservice` (snake_case arguments; members of
// object types snake_case too, map keys as they are), each resource taken over with Pulumi's
// import option (see yaml.ts for what the first `up` then sends).
import type { z } from "zod";
import type { AnyDescription } from "../../../provider/core/entity";
import { DESCRIPTIONS } from "../../../provider/core/registry";
import { type Program, Ref, SandboxVar, Secret, type Value } from "../model";
import { snake } from "../names";
import { elementOf, membersOf } from "../shape";

function value(v: Value, type: z.ZodType | undefined, indent: string): string {
  if (v instanceof Ref) return `${snake(v.ident)}.id`;
  if (v instanceof Secret) return `config.require_secret(${JSON.stringify(v.key)})`;
  if (v instanceof SandboxVar) return "sandbox_name";
  if (v === null) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v !== "object") return JSON.stringify(v);
  const inner = `${indent}    `;
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    const items = v.map((x) => value(x, elementOf(type), inner));
    const flat = `[${items.join(", ")}]`;
    return flat.length <= 80 && !flat.includes("\n") ? flat : `[\n${items.map((i) => `${inner}${i},`).join("\n")}\n${indent}]`;
  }
  const members = membersOf(type);
  const entries = Object.entries(v).map(([k, x]) => `${inner}${JSON.stringify(members ? snake(k) : k)}: ${value(x, members?.[k], inner)},`);
  return entries.length === 0 ? "{}" : `{\n${entries.join("\n")}\n${indent}}`;
}

const descOf = (kind: string) => DESCRIPTIONS.find((d) => d.kind === kind) as AnyDescription;

export function renderPython(p: Program, header: string[]): string {
  const lines = [
    `"""${header.join("\n").replace(/\\/g, "\\\\").replace(/"""/g, '\\"\\"\\"')}\n"""`,
    "import pulumi",
    "import pulumi_flowservice as flowservice",
    "",
    "config = pulumi.Config()",
    `sandbox_name = ${JSON.stringify(p.sandbox)}`,
  ];
  for (const r of p.resources) {
    const shape = (descOf(r.kind).inputs as unknown as z.ZodObject).shape as Record<string, z.ZodType>;
    const args = Object.entries(r.args).map(([k, v]) => `    ${snake(k)}=${value(v, shape[k], "    ")},`);
    args.push(`    opts=pulumi.ResourceOptions(import_=${JSON.stringify(r.id)}),`);
    lines.push("", `# ${r.kind} ${r.id}`, `${snake(r.ident)} = flowservice.${r.kind}(`, `    ${JSON.stringify(r.ident)},`, ...args, ")");
  }
  return `${lines.join("\n")}\n`;
}

export function requirementsTxt(version: string): string {
  return `pulumi>=3.248.0,<4.0.0\npulumi-flowservice==${version}\n`;
}
