// The words every resource shares, declared once with one wording per rule: Flow Service ids,
// sandbox names, param values, JSON. Schemas of resources and replies are built from these.
import { z } from "zod";

/** Flow Service ids (connections, source and target connections, flows) are UUIDs; anything else never reaches a URL. */
export const FlowId = z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, {
  message: "must be a Flow Service id (a UUID such as 139f6a5f-a78b-4744-9f6a-5fa78bd74431)",
});

/**
 * Experience Platform sandbox names, as `x-sandbox-name` takes them (the name, never the title):
 * lowercase letters, digits and hyphens, beginning with a letter or digit, such as "prod" or "dev-2".
 */
export const SANDBOX_NAME_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
export const SANDBOX_NAME_RULE =
  'a sandbox name is lowercase letters, digits and hyphens, beginning with a letter or digit (such as "prod" or "dev-2"); use the sandbox\'s name, not its title';
export const SandboxName = z
  .string()
  .min(1, { message: `must not be empty: ${SANDBOX_NAME_RULE}` })
  .regex(SANDBOX_NAME_PATTERN, { message: `is not a sandbox name: ${SANDBOX_NAME_RULE}` });

/** A param value as Flow Service stores it. */
export const ParamValue = z.union([z.string(), z.number(), z.boolean()]);
export type ParamValue = z.infer<typeof ParamValue>;

export const Params = z.record(z.string(), ParamValue);
export type Params = z.infer<typeof Params>;

/** JSON-only copy without undefined members: the dynamic-provider host rejects anything else. */
export function plainJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** One RFC 6902 operation, as a Flow Service PATCH takes it (only add, replace and remove are documented). */
export const PatchOp = z.object({
  op: z.enum(["add", "replace", "remove"]),
  path: z.string(),
  value: z.unknown().optional(),
});
export type PatchOp = z.infer<typeof PatchOp>;
