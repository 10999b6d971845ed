// flowservice-plan shows the re-trigger step after a credential update's test for a connection
// that sets retriggerFailedRuns (docs/health.md), on a preview captured from the real engine.
import assert from "node:assert";
import fs from "node:fs";
import path from "node:path";
import { buildPlan, type Plan } from "../../commands/plan/plan";
import type { PreviewJson } from "../../commands/plan/preview";

const fixture = (): any => JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "preview-update.json"), "utf8"));
const planOf = (preview: unknown): Plan => buildPlan(preview as PreviewJson);

function withRetrigger(preview: any, name: string, value: boolean): any {
  for (const s of preview.steps) if (s.urn.endsWith(`::${name}`) && s.newState?.inputs) s.newState.inputs.retriggerFailedRuns = value;
  return preview;
}

describe("flowservice-plan: the re-trigger of failed runs after a credential update", () => {
  it("shows the re-trigger after the test of a connection with retriggerFailedRuns: true", () => {
    const partners = planOf(withRetrigger(fixture(), "partners", true)).connections.find((c) => c.resourceName === "partners");
    assert.match(
      partners?.test ?? "",
      /`up` fails; once it passes, POST \/runs\/\{id\}\/action\?op=re-trigger for each run of the dataflows reading through it that failed on credentials/,
    );
  });

  it("shows none without it, and none for a connection that writes no credential", () => {
    const plan = planOf(fixture());
    assert.doesNotMatch(plan.connections.find((c) => c.resourceName === "partners")?.test ?? "", /re-trigger/);
    const renamed = planOf(withRetrigger(fixture(), "crm", true)).connections.find((c) => c.resourceName === "crm");
    assert.equal(renamed?.test, undefined);
  });
});
