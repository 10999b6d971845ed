// flowservice-plan for resources of either door: a preview captured from a YAML program served by
// the provider plugin (fixtures/preview-plugin-rotation.json: a password rotation of a Connection,
// and its SourceConnection unchanged, with --show-sames), variants derived from it, and steps of a
// flowservice type no description covers, which must make the plan fail rather than read "no changes".
import assert from "node:assert";
import fs from "node:fs";
import path from "node:path";
import { EXIT_CHANGES, EXIT_ERROR, Io, run } from "../../commands/plan/cli";
import { buildPlan, Plan, PlanEntry } from "../../commands/plan/plan";
import type { PreviewJson } from "../../commands/plan/preview";
import { renderJson, renderMarkdown, renderText } from "../../commands/plan/render";

const text = (name: string) => fs.readFileSync(path.join(__dirname, "fixtures", `preview-${name}.json`), "utf8");
const fixture = (name: string): any => JSON.parse(text(name));
const planOf = (preview: unknown): Plan => buildPlan(preview as PreviewJson);
const entry = (plan: Plan, resourceName: string): PlanEntry => {
  const e = plan.connections.find((c) => c.resourceName === resourceName);
  assert.ok(e, `no entry for ${resourceName}: ${plan.connections.map((c) => c.resourceName).join(", ")}`);
  return e;
};
const stepOf = (preview: any, resourceName: string): any => preview.steps.find((s: any) => s.urn.endsWith(`::${resourceName}`));

async function runCli(argv: string[], input: string) {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    readFile: () => input,
    readStdin: async () => input,
  };
  return { code: await run(argv, io), stdout, stderr };
}

/** The same preview as the dynamic resources would give it: the plugin's tokens renamed. */
function asDynamic(preview: any): any {
  const rename = (s: string) => s.replace(/flowservice:index:(\w+)/g, "pulumi-nodejs:dynamic/flowservice:$1");
  return JSON.parse(rename(JSON.stringify(preview)));
}

/** A step's type renamed, in its states and its URN. */
function retype(preview: any, resourceName: string, type: string): void {
  const step = stepOf(preview, resourceName);
  const parts = step.urn.split("::");
  parts[2] = type;
  step.urn = parts.join("::");
  for (const s of [step.oldState, step.newState]) if (s) Object.assign(s, { type, urn: step.urn });
}

describe("flowservice-plan: resources of the provider plugin (flowservice:index:*)", () => {
  it("plans a plugin Connection's password rotation as the PATCH of that one param, with If-Match from state, and its credential test", () => {
    const preview = fixture("plugin-rotation");
    const salesforce = entry(planOf(preview), "salesforce");
    const step = stepOf(preview, "salesforce");
    assert.deepStrictEqual(
      [salesforce.type, salesforce.door, salesforce.action, salesforce.connectionId, salesforce.id],
      ["Connection", "plugin", "update", step.oldState.id, step.oldState.id],
    );
    assert.deepStrictEqual(salesforce.ops, [{ op: "replace", path: "/auth/params/password", value: "[secret]" }]);
    assert.strictEqual(salesforce.ifMatch, step.oldState.outputs.etag);
    assert.match(salesforce.test ?? "", new RegExp(`^GET /connections/${step.oldState.id}/test`));
    const accounts = entry(planOf(preview), "accounts");
    assert.deepStrictEqual(
      [accounts.type, accounts.door, accounts.resourceType, accounts.action],
      ["SourceConnection", "plugin", "SourceConnection", "unchanged"],
    );
  });

  it("exits 2 for the plugin stack's rotation, in every format", async () => {
    for (const format of ["text", "markdown", "json"]) {
      const r = await runCli(["preview.json", "--format", format], text("plugin-rotation"));
      assert.strictEqual(r.code, EXIT_CHANGES, `${format}: ${r.stderr}`);
      assert.match(r.stdout, /If-Match|ifMatch/);
    }
  });

  it("plans the same change the same way from either door: only `door` differs", () => {
    const plugin = planOf(fixture("plugin-rotation"));
    const dynamic = planOf(asDynamic(fixture("plugin-rotation")));
    const strip = (p: Plan) => p.connections.map(({ urn: _u, door: _d, ...rest }) => rest);
    assert.deepStrictEqual(strip(dynamic), strip(plugin));
    assert.deepStrictEqual(
      dynamic.connections.map((c) => c.door),
      ["dynamic", "dynamic"],
    );
  });
});

describe("flowservice-plan: steps it cannot plan", () => {
  for (const type of ["flowservice:index:Schedule", "pulumi-nodejs:dynamic/flowservice:Schedule"]) {
    it(`fails (exit 1) on a step of ${type}, naming the resource and the type, and never reads "no changes"`, async () => {
      const preview = fixture("plugin-rotation");
      retype(preview, "salesforce", type);
      const r = await runCli(["preview.json"], JSON.stringify(preview));
      assert.strictEqual(r.code, EXIT_ERROR, r.stdout);
      assert.ok(r.stderr.includes(`salesforce (${type}, update)`), r.stderr);
      assert.doesNotMatch(r.stdout.split("\n")[0], /no changes/);
      const plan = planOf(preview);
      assert.deepStrictEqual(
        plan.unplanned.map((u) => [u.resourceName, u.type]),
        [["salesforce", type]],
      );
      assert.match(renderMarkdown(plan), /\*\*Error:\*\* salesforce/);
      assert.deepStrictEqual(JSON.parse(renderJson(plan)).unplanned[0].type, type);
    });
  }

  it("fails (exit 1) on a step whose inputs it cannot read, saying so", async () => {
    const preview = fixture("pipeline-replace");
    const step = preview.steps.find((s: any) => s.urn.endsWith("::flow") && ["replace", "create-replacement"].includes(s.op));
    delete step.newState.inputs.flowSpec;
    const r = await runCli(["preview.json"], JSON.stringify(preview));
    assert.strictEqual(r.code, EXIT_ERROR);
    assert.match(r.stderr, /flow \(pulumi-nodejs:dynamic\/flowservice:Dataflow, .*\): its state or inputs cannot be read/);
  });

  it("fails (exit 1) on a step it has no plan for (an import), rather than reading it as nothing", async () => {
    const preview = fixture("plugin-rotation");
    stepOf(preview, "salesforce").op = "import";
    const r = await runCli(["preview.json"], JSON.stringify(preview));
    assert.strictEqual(r.code, EXIT_ERROR);
    assert.match(
      r.stderr,
      /salesforce \(flowservice:index:Connection, import\): this version of flowservice-plan has no plan for a "import" step/,
    );
  });

  it("lists a resource discarded by retainOnDelete as a delete kept remotely (no DELETE), and a refresh step as nothing", async () => {
    const preview = fixture("plugin-rotation");
    const step = stepOf(preview, "salesforce");
    step.op = "discard";
    delete step.newState;
    stepOf(preview, "accounts").op = "refresh";
    const plan = planOf(preview);
    assert.deepStrictEqual(
      plan.connections.map((c) => [c.resourceName, c.action, c.keptRemotely]),
      [["salesforce", "delete", true]],
    );
    assert.match(renderText(plan), /no request \(the connection stays in Flow Service\)/);
    assert.strictEqual((await runCli(["preview.json"], JSON.stringify(preview))).code, EXIT_CHANGES);
  });

  it("still ignores resources of other packages", () => {
    const preview = fixture("plugin-rotation");
    retype(preview, "salesforce", "aws:s3/bucket:Bucket");
    assert.deepStrictEqual(planOf(preview).unplanned, []);
  });
});

describe("flowservice-plan: the JSON that CI tools read", () => {
  it("keeps the connections array and connectionId for every type, and adds type, door and id", () => {
    const json = JSON.parse(renderJson(planOf(fixture("pipeline-update"))));
    assert.ok(Array.isArray(json.connections));
    const flow = json.connections.find((c: any) => c.resourceName === "flow");
    assert.deepStrictEqual([flow.type, flow.door, flow.resourceType], ["Dataflow", "dynamic", "Dataflow"]);
    assert.strictEqual(flow.connectionId, flow.id);
    const storage = json.connections.find((c: any) => c.resourceName === "storage");
    assert.strictEqual(storage.type, "Connection");
    assert.strictEqual(storage.resourceType, undefined, "resourceType stays absent for a Connection, as before");
  });
});

describe("flowservice-plan: the stack's default sandbox moved", () => {
  it("says of each object that declares no sandbox and that `up` leaves where it is that it stays there", () => {
    const preview = fixture("pipeline-update");
    preview.config["flowservice:sandboxName"] = "stage";
    const plan = planOf(preview);
    for (const name of ["files", "dataset", "flow"]) {
      const e = entry(plan, name);
      assert.strictEqual(e.sandboxName, "prod");
      assert.ok(
        e.notes?.some((n) =>
          n.startsWith("stays in sandbox prod, although it declares no sandboxName and the stack's flowservice:sandboxName is now stage"),
        ),
        `${name}: ${e.notes}`,
      );
    }
    assert.match(renderText(plan), /note: stays in sandbox prod/);
  });

  it("shows a replacement that moves an object to the stack's new default as a move, with the old sandbox", () => {
    const preview = fixture("pipeline-update");
    preview.config["flowservice:sandboxName"] = "stage";
    const step = stepOf(preview, "dataset");
    step.op = "replace";
    step.replaceReasons = ["sandboxName"];
    step.newState.inputs.sandboxName = "stage";
    step.newState.inputs.__sandboxFromStack = true;
    const dataset = entry(planOf(preview), "dataset");
    assert.deepStrictEqual([dataset.action, dataset.sandboxName, dataset.fromSandboxName], ["replace", "stage", "prod"]);
    assert.ok(
      dataset.replaceDetails?.some((d) => /sandboxName: "prod" → "stage" \(the stack's default flowservice:sandboxName changed/.test(d)),
    );
    assert.ok(
      dataset.notes?.includes("a new target connection is created first in sandbox stage (POST /targetConnections)"),
      String(dataset.notes),
    );
    assert.ok(!dataset.notes?.some((n) => n.startsWith("stays")));
  });
});
