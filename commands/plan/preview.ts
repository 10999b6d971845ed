// The input of `flowservice-plan`: what `pulumi preview --json` prints, parsed and shape-checked.

export interface StateJson {
  urn?: string;
  type?: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

export interface StepJson {
  op: string;
  urn: string;
  oldState?: StateJson;
  newState?: StateJson;
  replaceReasons?: string[];
}

export interface PreviewJson {
  /** The stack's configuration (secrets masked): gives the default sandbox, flowservice:sandboxName. */
  config?: Record<string, unknown>;
  steps?: StepJson[];
  diagnostics?: Array<{ urn?: string; message?: string; severity?: string }>;
  changeSummary?: Record<string, number>;
}

/** Thrown for input that is not the output of `pulumi preview --json`. */
export class PlanInputError extends Error {}

/** Parses and shape-checks the preview's JSON text. */
export function parsePreview(text: string): PreviewJson {
  if (text.trim() === "") throw new PlanInputError("the input is empty: expected the output of `pulumi preview --json`");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    // The parser's message quotes the input, which may be anything: only the position is kept.
    const at = /position (\d+)/.exec((e as Error).message);
    throw new PlanInputError(
      `the input is not JSON${at ? ` (at character ${at[1]})` : ""}: expected the output of \`pulumi preview --json\` (was --json given?)`,
    );
  }
  if (!isObject(json) || (!("steps" in json) && !("diagnostics" in json) && !("changeSummary" in json))) {
    throw new PlanInputError("the input is JSON but not the output of `pulumi preview --json` (no steps, diagnostics or changeSummary)");
  }
  if ("steps" in json && json.steps !== undefined && !Array.isArray(json.steps)) {
    throw new PlanInputError("`steps` in the input is not a list: expected the output of `pulumi preview --json`");
  }
  for (const s of (json.steps as unknown[] | undefined) ?? []) {
    if (!isObject(s) || typeof s.op !== "string" || typeof s.urn !== "string") {
      throw new PlanInputError("a step in the input has no `op` or `urn`: expected the output of `pulumi preview --json`");
    }
  }
  return json as PreviewJson;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
