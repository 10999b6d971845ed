// flowservice-plan and sandboxes: every change labelled and grouped by the sandbox it touches, and
// a move between sandboxes explained. Variants of the previews captured from the real engine.
import assert from "node:assert";
import fs from "node:fs";
import path from "node:path";
import { buildPlan, Plan, PlanEntry } from "../../commands/plan/plan";
import { PreviewJson } from "../../commands/plan/preview";
import { renderJson, renderMarkdown, renderText } from "../../commands/plan/render";
import { UNKNOWN } from "../helpers/connectionChecks";

const fixture = (name: string): any => JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", `preview-${name}.json`), "utf8"));
const planOf = (preview: unknown): Plan => buildPlan(preview as PreviewJson);
const stepOf = (preview: any, resourceName: string): any => preview.steps.find((s: any) => s.urn.endsWith(`::${resourceName}`));
const entry = (plan: Plan, resourceName: string): PlanEntry => {
  const e = plan.connections.find((c) => c.resourceName === resourceName);
  assert.ok(e, `${resourceName} is not in the plan`);
  return e;
};

describe("flowservice-plan: sandboxes", () => {
  /** The actions preview, as if `check` had recorded reporting in dev and crm in stage. */
  const threeSandboxes = () => {
    const preview = fixture("actions");
    stepOf(preview, "reporting").newState.inputs.sandboxName = "dev";
    const crm = stepOf(preview, "crm");
    crm.oldState.outputs.sandboxName = "stage";
    crm.newState.inputs.sandboxName = "stage";
    return preview;
  };

  it("labels each connection with its sandbox: the recorded one, or for previews of earlier releases the state's or the stack's", () => {
    const plan = planOf(fixture("actions"));
    assert.deepStrictEqual(
      plan.connections.map((c) => [c.resourceName, c.sandboxName]),
      [
        ["reporting", "prod"], // no sandboxName in the inputs: the stack's flowservice:sandboxName
        ["ui2", "prod"],
        ["crm", "prod"], // from the old outputs
        ["partners", "prod"],
        ["legacy", "prod"],
        ["ui", "prod"],
      ],
    );
    const json = JSON.parse(renderJson(planOf(threeSandboxes())));
    assert.deepStrictEqual(
      json.connections.map((c: any) => [c.resourceName, c.sandboxName]),
      [
        ["reporting", "dev"],
        ["ui2", "prod"],
        ["crm", "stage"],
        ["partners", "prod"],
        ["legacy", "prod"],
        ["ui", "prod"],
      ],
    );
  });

  it("groups the text and markdown plans by sandbox, so a reviewer sees which changes reach prod", () => {
    const plan = planOf(threeSandboxes());
    const text = renderText(plan);
    const at = (needle: string) => {
      const i = text.indexOf(needle);
      assert.ok(i >= 0, `${needle} is not in:\n${text}`);
      return i;
    };
    assert.ok(
      at("\nSandbox dev: 1 to create\n") < at("\n+  reporting: create") &&
        at("\n+  reporting: create") < at("\nSandbox prod: 1 to adopt, 1 to replace, 2 to delete\n"),
    );
    assert.ok(at("\nSandbox prod:") < at("\n-  legacy: delete") && at("\n-  legacy: delete") < at("\nSandbox stage: 1 to update\n"));
    assert.ok(at("\nSandbox stage:") < at("\n~  crm: update"));
    const md = renderMarkdown(plan);
    assert.match(
      md,
      /#### Sandbox `dev`: 1 to create\n\n\| Resource \| Action \| Connection \| Sent to Flow Service \|\n\| --- \| --- \| --- \| --- \|\n\| `reporting` \| create \|/,
    );
    assert.match(md, /#### Sandbox `stage`: 1 to update\n\n[^#]*\| `crm` \| update \|/);
    assert.match(md, /#### `crm`: update in sandbox `stage`/);
  });

  it("names sandboxName as what forces a move, says whether the program or the stack's default moved it, and where each request goes", () => {
    const preview = fixture("actions");
    const step = stepOf(preview, "crm");
    step.op = "replace";
    step.replaceReasons = ["sandboxName"];
    step.newState.inputs.sandboxName = "stage";
    step.newState.inputs.__sandboxFromStack = true;
    const crm = entry(planOf(preview), "crm");
    assert.deepStrictEqual(
      [crm.action, crm.replaceReasons, crm.sandboxName, crm.fromSandboxName],
      ["replace", ["sandboxName"], "stage", "prod"],
    );
    assert.match(crm.replaceDetails!.join("\n"), /sandboxName: "prod" → "stage" \(the stack's default flowservice:sandboxName changed/);
    assert.deepStrictEqual(crm.notes, [
      "a new connection is created first in sandbox stage (POST /connections)",
      `then the old connection ${step.oldState.id} is deleted from sandbox prod (DELETE)`,
    ]);
    delete step.newState.inputs.__sandboxFromStack;
    assert.match(entry(planOf(preview), "crm").replaceDetails!.join("\n"), /the program's sandboxName changed/);
    assert.strictEqual(
      JSON.parse(renderJson(planOf(preview))).connections.find((c: any) => c.resourceName === "crm").fromSandboxName,
      "prod",
    );
    assert.match(
      renderText(planOf(preview)),
      /\nSandbox stage: 1 to replace\n\n\+- crm: replace \(moved from sandbox prod\) "CRM accounts \(EU\)"/,
    );
  });

  it("says so when a sandbox is known only at up", () => {
    const preview = fixture("actions");
    stepOf(preview, "reporting").newState.inputs.sandboxName = UNKNOWN;
    assert.strictEqual(entry(planOf(preview), "reporting").sandboxName, undefined);
    assert.match(renderText(planOf(preview)), /\nSandbox not known before `up`[^\n]*: 1 to create\n\n\+ {2}reporting: create/);
  });
});
