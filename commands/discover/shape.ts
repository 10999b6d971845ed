// The package schema's view of an input type, read from the same zod schemas (as
// provider/plugin/schema.ts does): an object type has declared members (SDK properties, written in
// their declared order, snake_case in Python); a map (a record, or an object open to more members)
// keeps its keys as they are.
import type { z } from "zod";

interface ZodDef {
  type: string;
  innerType?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
}
const defOf = (t: z.ZodType | undefined): ZodDef | undefined => (t as unknown as { def?: ZodDef } | undefined)?.def;

/** Through optional/default wrappers. */
export function unwrap(t: z.ZodType | undefined): z.ZodType | undefined {
  let d = defOf(t);
  while (d && ["optional", "default", "nullable", "prefault"].includes(d.type) && d.innerType) {
    t = d.innerType;
    d = defOf(t);
  }
  return t;
}

/** The declared members of an object type; undefined for a map, Any or a scalar. */
export function membersOf(t: z.ZodType | undefined): Record<string, z.ZodType> | undefined {
  const d = defOf(unwrap(t));
  if (d?.type !== "object" || (d.catchall && defOf(d.catchall)?.type !== "never")) return undefined;
  return d.shape ?? {};
}

/** The element type of an array type. */
export function elementOf(t: z.ZodType | undefined): z.ZodType | undefined {
  const d = defOf(unwrap(t));
  return d?.type === "array" ? d.element : undefined;
}
