// `check`, as a pure function: validates the program's args into failures that name the
// property and the fix, and normalizes them into the inputs the engine stores. No network, no
// credentials: previews of pull requests run this.
import { CONNECTORS, lookupAuthSpec, ParamSpec } from "./catalog";
import { secretVersions } from "./planner";
import { ConnectionInputs, Params, SANDBOX_NAME_RULE } from "./schemas";

/** What the engine sends for a value not known until `up` (an output of another resource). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface CheckOutcome {
  inputs: Record<string, unknown>;
  failures: CheckFailure[];
}

const INPUT_KEYS = ["name", "description", "connectionSpec", "auth", "adoptId", "deleteOnDestroy", "sandboxName", "secretKeys", "verifyCredentials"] as const;

/** What `check` takes from the stack's configuration (the host configures the provider before it checks). */
export interface StackDefaults {
  /** flowservice:sandboxName, for connections that declare no sandboxName. */
  sandboxName?: string;
}

export function checkConnection(olds: Record<string, unknown>, news: Record<string, unknown>, stack: StackDefaults = {}): CheckOutcome {
  // Keep only the declared inputs (output placeholders such as `etag` are dropped).
  const inputs: Record<string, unknown> = {};
  for (const k of INPUT_KEYS) if (news[k] !== undefined) inputs[k] = news[k];
  // The effective sandbox is recorded, so that `diff` sees a connection move when the stack's
  // default changes, and only the connections that rely on it.
  if (inputs.sandboxName === undefined && stack.sandboxName !== undefined) {
    inputs.sandboxName = stack.sandboxName;
    inputs.__sandboxFromStack = true;
  }

  const failures: CheckFailure[] = [];
  // Unknown values are checked at `up`, when they are known: replace them with valid stand-ins.
  const parsed = ConnectionInputs.safeParse(withStandIns(inputs));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const property = issue.path.join(".") || "(args)";
      // One reason per property: an empty sandbox name is too short and malformed at once.
      if (failures.some((f) => f.property === property)) continue;
      failures.push({ property, reason: reasonFor(property, issue.message, issue.code, inputs) });
    }
  }
  // Report every problem at once, not one per preview.
  for (const f of checkAgainstCatalog(inputs)) {
    if (!failures.some((g) => g.property === f.property)) failures.push(f);
  }
  if (parsed.success && !containsUnknown(inputs.auth)) {
    const oldParams = (olds.auth as { params?: Params } | undefined)?.params;
    const oldVersions = olds.__secretVersions as Record<string, number> | undefined;
    inputs.__secretVersions = secretVersions(oldParams, oldVersions, parsed.data.auth.params, parsed.data.secretKeys);
  }
  return { inputs, failures };
}

function withStandIns(value: unknown, key?: string): unknown {
  if (value === UNKNOWN) return key === "adoptId" ? "00000000-0000-0000-0000-000000000000" : key === "secretKeys" ? [] : "unknown";
  if (Array.isArray(value)) return value.map((v) => withStandIns(v));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withStandIns(v, k)]));
  }
  return value;
}

function reasonFor(property: string, message: string, code: string, inputs: Record<string, unknown>): string {
  if (property === "sandboxName") {
    const rule = code === "invalid_type" ? `must be a string: ${SANDBOX_NAME_RULE}` : message;
    return inputs.__sandboxFromStack
      ? `comes from the stack's flowservice:sandboxName (${JSON.stringify(inputs.sandboxName)}), which ${rule}. Fix it with 'pulumi config set flowservice:sandboxName NAME' (or AEP_SANDBOX_NAME), or declare sandboxName on the connection`
      : `${inputs.sandboxName === "" ? "" : `${JSON.stringify(inputs.sandboxName)} `}${rule}. Leave sandboxName out to use the stack's flowservice:sandboxName`;
  }
  if (property.startsWith("auth.params.")) {
    return `${message}: each auth param must be a string, number or boolean (wrap secrets with pulumi.secret())`;
  }
  if (code === "invalid_type" && /undefined/.test(message)) return `is required (${message})`;
  return message;
}

/**
 * For connectors the provider knows: the auth spec exists, every required param is there, no param
 * the auth spec does not know (Flow Service refuses it at `up`), and types match.
 */
function checkAgainstCatalog(raw: Record<string, unknown>): CheckFailure[] {
  const specId = (raw.connectionSpec as { id?: unknown } | undefined)?.id;
  const auth = raw.auth as { specName?: unknown; params?: Record<string, unknown> } | undefined;
  const specName = auth?.specName;
  const connector = typeof specId === "string" ? CONNECTORS[specId] : undefined;
  if (!connector || typeof specName !== "string" || specName === UNKNOWN) return [];
  const spec = lookupAuthSpec(specId as string, specName);
  if (!spec) {
    const names = Object.keys(connector.authSpecs).map((n) => `"${n}"`).join(", ");
    return [{ property: "auth.specName", reason: `"${specName}" is not an auth spec of ${connector.name} (${specId}); use one of ${names}` }];
  }
  const where = `${connector.name} auth spec "${specName}"`;
  const failures: CheckFailure[] = [];
  const given = auth?.params ?? {};
  for (const [key, p] of Object.entries(spec.params)) {
    const value = given[key];
    if (value === UNKNOWN) continue;
    if (value === undefined) {
      if (p.required) failures.push({ property: `auth.params.${key}`, reason: `is required by ${where}: add it to auth.params` });
    } else if (!hasType(value, p.type)) {
      failures.push({ property: `auth.params.${key}`, reason: `must be ${p.type === "integer" ? "an integer" : `a ${p.type}`} for ${where}, got ${p.secret ? `a ${typeof value} (value not shown: a secret)` : JSON.stringify(value)}` });
    }
  }
  const known = Object.keys(spec.params);
  for (const key of Object.keys(given)) {
    if (!(key in spec.params)) {
      failures.push({ property: `auth.params.${key}`, reason: `is not a param of ${where} (Flow Service would refuse it); known params: ${known.join(", ")}` });
    }
  }
  return failures;
}

function hasType(value: unknown, type: ParamSpec["type"]): boolean {
  return type === "integer" ? Number.isInteger(value) : typeof value === type;
}
