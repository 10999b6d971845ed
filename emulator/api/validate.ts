// Validation of auth.params against an authSpec's JSON Schema — only the subset the fixtures use:
// type, required, enum, additionalProperties. `format: password` adds no constraint beyond `type`;
// it only marks a param as secret (see specs.secretParamNames).
import type { AuthSpec, JsonType } from "../data/specs";

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function hasType(value: unknown, type: JsonType): boolean {
  const actual = typeOf(value);
  if (type === "number") return actual === "number" || actual === "integer";
  return actual === type;
}

/**
 * Returns one message per offending field, each naming it (`auth.params.password ...`); empty when
 * the params are valid.
 */
export function validateAuthParams(authSpec: AuthSpec, params: unknown, label = "auth.params"): string[] {
  const schema = authSpec.spec;
  if (typeOf(params) !== "object") {
    return [`${label} must be an object (got ${typeOf(params)})`];
  }
  const obj = params as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of schema.required ?? []) {
    if (!Object.hasOwn(obj, key)) {
      problems.push(`Missing field "${key}": ${label}.${key} is required by auth spec '${authSpec.name}'`);
    }
  }
  for (const [key, value] of Object.entries(obj)) {
    const prop = schema.properties[key];
    if (!prop) {
      if (schema.additionalProperties === false) {
        problems.push(
          `${label}.${key} is not a parameter of auth spec '${authSpec.name}' (its parameters: ${Object.keys(schema.properties).join(
            ", ",
          )})`,
        );
      }
      continue;
    }
    if (!hasType(value, prop.type)) {
      problems.push(`${label}.${key} must be of type ${prop.type} (got ${typeOf(value)})`);
      continue;
    }
    if (prop.enum && !prop.enum.some((e) => e === value)) {
      problems.push(`${label}.${key} must be one of ${prop.enum.map((e) => JSON.stringify(e)).join(", ")}`);
    }
  }
  return problems;
}
