// flowservice-plan shows the credential test `up` makes after each credential write,
// on previews captured from the real engine (fixtures/preview-*.json).
import assert from "node:assert";
import fs from "node:fs";
import path from "node:path";
import { buildPlan, Plan, PlanEntry } from "../../commands/plan/plan";
import type { PreviewJson } from "../../commands/plan/preview";
import { renderJson, renderMarkdown, renderText } from "../../commands/plan/render";

const fixture = (name: string): any => JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", `preview-${name}.json`), "utf8"));
const planOf = (preview: unknown): Plan => buildPlan(preview as PreviewJson);
const entry = (plan: Plan, name: string): PlanEntry => plan.connections.find((c) => c.resourceName === name)!;
const stepOf = (preview: any, name: string): any => preview.steps.find((s: any) => s.urn.endsWith(`::${name}`));

describe("flowservice-plan: the credential test after a write", () => {
  it("shows the test after a PATCH that touches auth, and none after a rename", () => {
    const plan = planOf(fixture("update"));
    const partners = entry(plan, "partners");
    assert.strictEqual(
      partners.test,
      `GET /connections/${partners.connectionId}/test (unless flowservice:verifyCredentials is false); if the source system refuses the credentials, the PATCH is rolled back and \`up\` fails`,
    );
    assert.strictEqual(entry(plan, "crm").test, undefined, "a rename writes no credential");
    const text = renderText(plan);
    const lines = text.split("\n");
    const patchLine = lines.findIndex((l) => l.includes(`PATCH /connections/${partners.connectionId}`));
    assert.match(lines[patchLine + 1], /"\/auth\/params\/password"/);
    assert.match(lines[patchLine + 2], new RegExp(`^ +then GET /connections/${partners.connectionId}/test \\(unless`));
    assert.ok(renderMarkdown(plan).includes(`then GET /connections/${partners.connectionId}/test`));
    assert.strictEqual(JSON.parse(renderJson(plan)).connections.find((c: any) => c.resourceName === "partners").test, partners.test);
  });

  it("shows the create-time test, where a refusal deletes the new connection, and the adoption's, where it is PATCHed back", () => {
    const plan = planOf(fixture("actions"));
    assert.match(
      entry(plan, "reporting").test!,
      /^GET \/connections\/\{new id\}\/test \(unless flowservice:verifyCredentials is false\); .*the new connection is deleted/,
    );
    assert.match(renderText(plan), /\n +then GET \/connections\/\{new id\}\/test/);
    assert.match(entry(plan, "ui2").test!, /test if the PATCH writes credentials .*PATCHed back to what was read \(never deleted\)/);
    assert.match(entry(plan, "partners").test!, /new id.*the old one is kept/, "a replacement creates, so it tests");
  });

  it("follows the resource's verifyCredentials: no test when false, no condition when true", () => {
    const preview = fixture("update");
    stepOf(preview, "partners").newState.inputs.verifyCredentials = false;
    const off = entry(planOf(preview), "partners");
    assert.strictEqual(off.test, undefined);
    assert.ok(!renderText(planOf(preview)).includes("/test"));
    stepOf(preview, "partners").newState.inputs.verifyCredentials = true;
    assert.match(entry(planOf(preview), "partners").test!, /^GET \/connections\/[0-9a-f-]+\/test; if the source system refuses/);
  });

  it("lists a change of verifyCredentials alone as a change in state only", () => {
    const preview = fixture("update");
    const step = stepOf(preview, "crm");
    step.newState.inputs = { ...step.oldState.inputs, verifyCredentials: false };
    const crm = entry(planOf(preview), "crm");
    assert.deepStrictEqual(crm.ops, []);
    assert.ok(crm.stateOnly?.includes("verifyCredentials"), String(crm.stateOnly));
  });
});
