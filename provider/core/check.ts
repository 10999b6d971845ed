// `check`, as a pure function: validates the program's args into failures that name the
// property and the fix, and normalizes them into the inputs the engine stores. No network, no
// credentials: previews of pull requests run this.
import { connection } from "./entities/connection";
import { secretVersions } from "./planner";
import { ConnectionInputs, Params, SANDBOX_NAME_RULE } from "./schemas";
import { CheckFailure, CheckOutcome, containsUnknown, UNKNOWN } from "./unknown";

export { UNKNOWN, containsUnknown } from "./unknown";
export type { CheckFailure, CheckOutcome } from "./unknown";

/** What `check` takes from the stack's configuration (the host configures the provider before it checks). */
export interface StackDefaults {
  /** flowservice:sandboxName, for connections that declare no sandboxName. */
  sandboxName?: string;
}

export function checkConnection(olds: Record<string, unknown>, news: Record<string, unknown>, stack: StackDefaults = {}): CheckOutcome {
  // Keep only the declared inputs (output placeholders such as `etag` are dropped).
  const inputs: Record<string, unknown> = {};
  for (const k of connection.inputKeys) if (news[k] !== undefined) inputs[k] = news[k];
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
  for (const f of connection.validate?.(inputs, olds ?? {}, Date.now()) ?? []) {
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
    // Worded for every language: the same check serves TypeScript, Python, Go and YAML programs.
    return `${message}: each auth param must be a string, number or boolean (to keep one secret, mark it secret in the program or take it from secret stack config)`;
  }
  if (code === "invalid_type" && /undefined/.test(message)) return `is required (${message})`;
  return message;
}
