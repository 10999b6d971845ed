// flowservice-plan on previews of the S3 → Data Lake pipeline (captured from the real engine
// against the emulator): what `up` sends for each of the four resource types.
import assert from "node:assert";
import fs from "node:fs";
import path from "node:path";
import { run } from "../../commands/plan/cli";
import { buildPlan, Plan, PlanEntry } from "../../commands/plan/plan";
import { parsePreview } from "../../commands/plan/preview";
import { renderJson, renderMarkdown, renderText } from "../../commands/plan/render";

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, "fixtures", `preview-pipeline-${name}.json`), "utf8");
const planOf = (name: string): Plan => buildPlan(parsePreview(fixture(name)));
const entry = (plan: Plan, resourceName: string): PlanEntry => {
  const e = plan.connections.find((c) => c.resourceName === resourceName);
  assert.ok(e, `no entry for ${resourceName}`);
  return e;
};

describe("flowservice-plan for the pipeline resources", () => {
  it("lists the POST body of each new object, secrets masked and references known only at up marked so", () => {
    const plan = planOf("create");
    assert.deepStrictEqual(plan.summary.create, 4);
    const files = entry(plan, "files");
    assert.deepStrictEqual([files.resourceType, files.action], ["SourceConnection", "create"]);
    assert.deepStrictEqual(files.body, {
      name: "Landing files",
      baseConnectionId: "[known at up]",
      connectionSpec: { id: "ecadc60c-7455-4d87-84dc-2a0e293d997b", version: "1.0" },
      data: { format: "delimited" },
      params: { apiToken: "[secret]", path: "/landing/customers.csv" },
    });
    const flow = entry(plan, "flow");
    assert.deepStrictEqual((flow.body as any).sourceConnectionIds, ["[known at up]"]);
    assert.deepStrictEqual(
      flow.actions,
      ["POST /flows/{id}/action?op=DISABLE"],
      "a flow declared disabled is disabled right after its POST",
    );
    assert.match(renderText(plan), /\+ {2}flow: create "Customers from S3"\n {5}POST \/flows\n/);
  });

  it("gives each update's exact ops and If-Match, a flow's action call apart from its PATCH, and the rotated secrets masked", () => {
    const plan = planOf("update");
    assert.deepStrictEqual(plan.summary.update, 4);
    const flow = entry(plan, "flow");
    assert.deepStrictEqual(flow.ops, [
      {
        op: "replace",
        path: "/transformations/0",
        value: { name: "Mapping", params: { mappingId: "c5f22f04e09f44498e528901546a83b1", mappingVersion: "0" } },
      },
      { op: "replace", path: "/scheduleParams/interval", value: 30 },
    ]);
    assert.deepStrictEqual(flow.actions, [`POST /flows/${flow.connectionId}/action?op=ENABLE`]);
    assert.match(flow.ifMatch ?? "", /^".+"$/);
    assert.deepStrictEqual(entry(plan, "files").ops, [
      { op: "replace", path: "/params/apiToken", value: "[secret]" },
      { op: "replace", path: "/params/path", value: "/landing/2024.csv" },
    ]);
    assert.deepStrictEqual(entry(plan, "dataset").ops, [{ op: "add", path: "/description", value: "customers" }]);
    assert.deepStrictEqual(entry(plan, "storage").ops, [{ op: "replace", path: "/auth/params/s3SecretKey", value: "[secret]" }]);
    const text = renderText(plan);
    assert.ok(text.includes(`PATCH /sourceConnections/${entry(plan, "files").connectionId} (If-Match: `));
    assert.ok(text.includes(`     POST /flows/${flow.connectionId}/action?op=ENABLE`));
    assert.ok(renderMarkdown(plan).includes(`POST /flows/${flow.connectionId}/action?op=ENABLE`));
  });

  it("names what forces a replacement, with old and new values, for the target connection and the flow writing to it", () => {
    const plan = planOf("replace");
    const dataset = entry(plan, "dataset");
    assert.deepStrictEqual(dataset.replaceReasons, ["params.dataSetId"]);
    assert.deepStrictEqual(dataset.replaceDetails, ['params.dataSetId: "638e6c7b5679741b63ff5c24" → "6500aa7b5679741b63ff5c99"']);
    const flow = entry(plan, "flow");
    assert.deepStrictEqual(flow.replaceReasons, ["targetConnectionIds"]);
    assert.match(flow.replaceDetails?.[0] ?? "", /targetConnectionIds: \[".+"\] → \["\[known at up\]"\]/);
    assert.deepStrictEqual(flow.actions, ["POST /flows/{id}/action?op=DISABLE"]);
    assert.ok(flow.notes?.some((n) => n.includes("a new dataflow is created first (POST /flows)")));
    assert.ok(flow.notes?.some((n) => n.includes(`the old dataflow ${flow.connectionId} is deleted`)));
  });

  it("sends a DELETE to the flow's own collection", () => {
    const plan = planOf("delete");
    const flow = entry(plan, "flow");
    assert.deepStrictEqual([flow.action, flow.resourceType, flow.keptRemotely], ["delete", "Dataflow", undefined]);
    assert.ok(renderText(plan).includes(`DELETE /flows/${flow.connectionId}`));
  });

  it("writes the resource type and action calls in json, and exits 2 when the pipeline changes", async () => {
    const json = JSON.parse(renderJson(planOf("update")));
    const flow = json.connections.find((c: any) => c.resourceName === "flow");
    assert.strictEqual(flow.resourceType, "Dataflow");
    assert.strictEqual(flow.actions.length, 1);
    const out: string[] = [];
    const code = await run(["-"], {
      stdout: (t) => out.push(t),
      stderr: () => undefined,
      readFile: () => "",
      readStdin: async () => fixture("update"),
    });
    assert.strictEqual(code, 2);
  });
});
