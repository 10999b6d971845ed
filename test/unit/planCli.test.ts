// flowservice-plan on previews captured from the real engine and emulator (fixtures/preview-*.json,
// written by test/e2e/plan.test.ts with UPDATE_PLAN_FIXTURES=1), and on variants derived from them.
import assert from "node:assert";
import fc from "fast-check";
import fs from "node:fs";
import path from "node:path";
import { EXIT_CHANGES, EXIT_ERROR, EXIT_NO_CHANGES, HELP, Io, parseArgs, run } from "../../commands/plan/cli";
import { buildPlan, CONNECTION_TYPE, Plan, PlanEntry } from "../../commands/plan/plan";
import { parsePreview, PreviewJson } from "../../commands/plan/preview";
import { MARKDOWN_MARKER, renderJson, renderMarkdown, renderText } from "../../commands/plan/render";
import { diffConnection } from "../helpers/connectionChecks";
import { changedSecrets, maskOps } from "../../provider/core/planner";
import { ConnectionOutputs } from "../../provider/core/schemas";
import { checkConnection, UNKNOWN } from "../helpers/connectionChecks";

const FIXTURES = path.join(__dirname, "fixtures");
const fixtureText = (name: string) => fs.readFileSync(path.join(FIXTURES, `preview-${name}.json`), "utf8");
/** A fresh copy of a captured preview, to derive variants from. */
const fixture = (name: string): any => JSON.parse(fixtureText(name));
const planOf = (preview: unknown): Plan => buildPlan(preview as PreviewJson);
const entry = (plan: Plan, resourceName: string): PlanEntry => {
  const e = plan.connections.find((c) => c.resourceName === resourceName);
  assert.ok(e, `${resourceName} is not in the plan: ${plan.connections.map((c) => c.resourceName).join(", ")}`);
  return e;
};
const stepOf = (preview: any, resourceName: string): any => preview.steps.find((s: any) => s.urn.endsWith(`::${resourceName}`));
const allRenderings = (plan: Plan) => [renderText(plan), renderMarkdown(plan), renderJson(plan)];

/** Runs the command with in-memory I/O. */
async function runCli(argv: string[], files: Record<string, string> = {}, stdin = "") {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    readFile: (p) => {
      if (!(p in files)) throw new Error(`ENOENT: no such file or directory, open '${p}'`);
      return files[p];
    },
    readStdin: async () => stdin,
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

describe("flowservice-plan: reading a preview", () => {
  it("accepts every captured preview", () => {
    for (const f of fs.readdirSync(FIXTURES).filter((n) => /^preview-.*\.json$/.test(n))) {
      assert.doesNotThrow(() => parsePreview(fs.readFileSync(path.join(FIXTURES, f), "utf8")), f);
    }
  });

  it("rejects empty input, text that is not JSON, and JSON that is not a preview", () => {
    assert.throws(() => parsePreview("  \n"), /empty/);
    assert.throws(() => parsePreview("Previewing update (dev):"), /not JSON/);
    assert.throws(
      () => parsePreview("password: hunter2"),
      (e: Error) => /not JSON/.test(e.message) && !e.message.includes("hunter2"),
      "the input is not quoted back",
    );
    assert.throws(() => parsePreview('{"deployment":{}}'), /not the output of `pulumi preview --json`/);
    assert.throws(() => parsePreview('{"steps":{}}'), /not a list/);
    assert.throws(() => parsePreview('{"steps":[{"urn":"x"}]}'), /no `op`/);
  });
});

describe("flowservice-plan: the plan of a real preview", () => {
  it("lists a rename with a removed description, and a password rotation, as the exact ops with If-Match", () => {
    const preview = fixture("update");
    const plan = planOf(preview);
    assert.deepStrictEqual(plan.summary, { create: 0, update: 2, replace: 0, delete: 0, adopt: 0, unchanged: 0 });
    const crm = entry(plan, "crm");
    assert.strictEqual(crm.action, "update");
    assert.match(crm.connectionId!, /^[0-9a-f-]{36}$/);
    assert.strictEqual(crm.connectionId, stepOf(preview, "crm").oldState.id);
    assert.match(crm.ifMatch!, /^"[0-9a-f-]+"$/);
    assert.strictEqual(crm.ifMatch, stepOf(preview, "crm").oldState.outputs.etag);
    assert.deepStrictEqual(crm.ops, [
      { op: "replace", path: "/name", value: "CRM accounts (EU)" },
      { op: "remove", path: "/description" },
    ]);
    assert.deepStrictEqual(entry(plan, "partners").ops, [{ op: "replace", path: "/auth/params/password", value: "[secret]" }]);
    assert.strictEqual(plan.stack, "plan");
  });

  it("plans from the state last applied (the old outputs), as the provider's diff does, not from the old inputs", () => {
    const preview = fixture("update");
    const step = stepOf(preview, "crm");
    // As if the last up had applied something other than the recorded inputs say.
    step.oldState.inputs.name = "CRM accounts (EU)";
    step.oldState.outputs.username = "ignored: not a patchable field";
    assert.deepStrictEqual(entry(planOf(preview), "crm").ops, [
      { op: "replace", path: "/name", value: "CRM accounts (EU)" },
      { op: "remove", path: "/description" },
    ]);
    step.oldState.outputs.name = "CRM accounts (EU)";
    assert.deepStrictEqual(entry(planOf(preview), "crm").ops, [{ op: "remove", path: "/description" }]);
  });

  it("plans the change after the refresh steps of preview --refresh, from the refreshed state", () => {
    const preview = fixture("refresh");
    assert.deepStrictEqual(
      preview.steps.filter((s: any) => s.urn.endsWith("::crm")).map((s: any) => s.op),
      ["refresh", "update"],
    );
    const crm = entry(planOf(preview), "crm");
    // Someone renamed it in the UI; the refresh found a new etag, so the secrets are unverified and re-sent.
    assert.deepStrictEqual(crm.ops, [
      { op: "replace", path: "/name", value: "CRM accounts (EU)" },
      { op: "add", path: "/auth/params/password", value: "[secret]" },
      { op: "add", path: "/auth/params/securityToken", value: "[secret]" },
    ]);
    assert.deepStrictEqual(
      planOf(preview).connections.map((c) => c.resourceName),
      ["crm"],
    );
  });

  it("names each kind of change: create, adopt, update, replace, delete and delete kept remotely", () => {
    const plan = planOf(fixture("actions"));
    assert.deepStrictEqual(
      plan.connections.map((c) => [c.resourceName, c.action, c.keptRemotely ?? false]),
      [
        ["reporting", "create", false],
        ["ui2", "adopt", false],
        ["crm", "update", false],
        ["partners", "replace", false],
        ["legacy", "delete", false],
        ["ui", "delete", true],
      ],
    );
    assert.deepStrictEqual(plan.summary, { create: 1, update: 1, replace: 1, delete: 2, adopt: 1, unchanged: 0 });
  });

  it("gives the property that forces a replacement, with its old and new value", () => {
    const partners = entry(planOf(fixture("actions")), "partners");
    assert.deepStrictEqual(partners.replaceReasons, ["connectionSpec", "auth.specName"]);
    assert.match(
      partners.replaceDetails!.join("\n"),
      /connectionSpec: cfc0fee1-7dc0-40ef-b73e-d8b134c436f5 v1\.0 → ecadc60c-7455-4d87-84dc-2a0e293d997b/,
    );
    assert.match(partners.replaceDetails!.join("\n"), /auth\.specName: "Basic Authentication" → "Access Key"/);
    assert.deepStrictEqual(partners.body, {
      name: "Partner portal",
      connectionSpec: { id: "ecadc60c-7455-4d87-84dc-2a0e293d997b", version: "1.0" },
      auth: { specName: "Access Key", params: { s3AccessKey: "AKIAEXAMPLE", s3SecretKey: "[secret]" } },
    });
  });

  it("names adoptId as the reason when a replacement adopts another connection", () => {
    const preview = fixture("actions");
    const step = stepOf(preview, "crm");
    step.op = "replace";
    step.newState.inputs.adoptId = "139f6a5f-a78b-4744-9f6a-5fa78bd74431";
    const crm = entry(planOf(preview), "crm");
    assert.deepStrictEqual(crm.replaceReasons, ["adoptId"]);
    assert.match(crm.notes!.join("\n"), /adopts connection 139f6a5f-a78b-4744-9f6a-5fa78bd74431/);
  });

  it("shows a create's POST body with its secret params as [secret]", () => {
    const reporting = entry(planOf(fixture("actions")), "reporting");
    assert.deepStrictEqual(reporting.body, {
      name: "Reporting",
      description: "BI exports",
      connectionSpec: { id: "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5", version: "1.0" },
      auth: {
        specName: "Basic Authentication",
        params: { environmentUrl: "login.salesforce.com", password: "[secret]", securityToken: "[secret]", username: "reporting-user" },
      },
    });
  });

  it("gives the adopted connection's id for an adopt", () => {
    const ui2 = entry(planOf(fixture("actions")), "ui2");
    assert.strictEqual(ui2.connectionId, stepOf(fixture("actions"), "ui2").newState.inputs.adoptId);
  });

  it("lists unchanged connections when the preview ran with --show-sames, and none otherwise", () => {
    assert.deepStrictEqual(planOf(fixture("unchanged")).connections, []);
    const plan = planOf(fixture("unchanged-show-sames"));
    assert.deepStrictEqual(
      plan.connections.map((c) => [c.resourceName, c.action]),
      [
        ["crm", "unchanged"],
        ["partners", "unchanged"],
      ],
    );
    assert.deepStrictEqual(plan.summary, { create: 0, update: 0, replace: 0, delete: 0, adopt: 0, unchanged: 2 });
  });

  it("keeps the error of a failed preview, and what it did plan", () => {
    const plan = planOf(fixture("failed"));
    assert.strictEqual(plan.errors.length, 1);
    assert.match(
      plan.errors[0],
      /^pulumi-nodejs:dynamic\/flowservice:Connection resource 'crm': property auth\.params\.password .*is required/,
    );
    assert.ok(!plan.connections.some((c) => c.resourceName === "crm"));
    // The engine stops at the first error; a connection it planned before that stays in the plan.
    const preview = fixture("failed");
    preview.steps = preview.steps.filter((s: any) => !s.urn.endsWith("::partners"));
    preview.steps.push(stepOf(fixture("update"), "partners"));
    assert.deepStrictEqual(
      planOf(preview).connections.map((c) => c.resourceName),
      ["partners"],
    );
  });

  it("ignores resources of other types", () => {
    const preview = fixture("update");
    const foreign = JSON.parse(
      JSON.stringify(stepOf(preview, "crm")).replace(new RegExp(CONNECTION_TYPE.replace(/[/]/g, "\\/"), "g"), "aws:s3/bucket:Bucket"),
    );
    preview.steps = [preview.steps[0], foreign];
    assert.deepStrictEqual(planOf(preview).connections, []);
  });

  it("reports a replacement given as create-replacement and delete-replaced steps as one replace", () => {
    const preview = fixture("actions");
    const replace = stepOf(preview, "partners");
    preview.steps = [
      { ...replace, op: "create-replacement", oldState: undefined },
      { ...replace, op: "delete-replaced", newState: undefined, replaceReasons: undefined },
    ];
    const plan = planOf(preview);
    assert.deepStrictEqual(
      plan.connections.map((c) => [c.resourceName, c.action, c.connectionId]),
      [["partners", "replace", replace.oldState.id]],
    );
    assert.deepStrictEqual(plan.connections[0].replaceReasons, ["connectionSpec", "auth.specName"]);
  });
});

describe("flowservice-plan: secrets", () => {
  it("re-sends only the secret params that check recorded as changed, though preview masks both sides alike", () => {
    const preview = fixture("update");
    // The captured preview: partners' password rotated, its token not; both read [secret] on both sides.
    const step = stepOf(preview, "partners");
    assert.deepStrictEqual(changedSecrets(step.oldState.inputs.__secretVersions, step.newState.inputs.__secretVersions), ["password"]);
    assert.strictEqual(step.oldState.outputs.auth.params.securityToken, step.newState.inputs.auth.params.securityToken);
    const versions = step.newState.inputs.__secretVersions;
    step.newState.inputs.__secretVersions = { ...versions, securityToken: versions.securityToken + 1 };
    assert.deepStrictEqual(entry(planOf(preview), "partners").ops, [
      { op: "replace", path: "/auth/params/password", value: "[secret]" },
      { op: "replace", path: "/auth/params/securityToken", value: "[secret]" },
    ]);
  });

  it("never prints a secret param's value, even one the preview did not mask", () => {
    const preview = fixture("actions");
    stepOf(preview, "reporting").newState.inputs.auth.params.password = "plain-new-password";
    const crm = stepOf(preview, "crm");
    crm.oldState.outputs.auth.params.securityToken = "plain-old-token";
    crm.newState.inputs.auth.params.securityToken = "plain-new-token";
    crm.oldState.outputs.auth.params.password = "plain-same-password";
    crm.newState.inputs.auth.params.password = "plain-same-password";
    const plan = planOf(preview);
    for (const out of allRenderings(plan)) assert.doesNotMatch(out, /plain-/);
    assert.deepStrictEqual(entry(plan, "crm").ops, [{ op: "replace", path: "/auth/params/securityToken", value: "[secret]" }]);
    // Readable and different, though check recorded no change: the provider compares values, so it is sent.
    crm.newState.inputs.auth.params.password = "plain-other-password";
    assert.deepStrictEqual(entry(planOf(preview), "crm").ops, [
      { op: "replace", path: "/auth/params/password", value: "[secret]" },
      { op: "replace", path: "/auth/params/securityToken", value: "[secret]" },
    ]);
  });

  it("shows an added secret param as an add and a dropped one as a remove", () => {
    const preview = fixture("update");
    const inputs = stepOf(preview, "crm").newState.inputs;
    inputs.auth.params.apiToken = "[secret]";
    inputs.secretKeys = [...inputs.secretKeys, "apiToken"];
    inputs.__secretVersions = { ...inputs.__secretVersions, apiToken: 1 };
    delete inputs.__secretVersions.securityToken;
    delete inputs.auth.params.securityToken;
    inputs.secretKeys = inputs.secretKeys.filter((k: string) => k !== "securityToken");
    assert.deepStrictEqual(entry(planOf(preview), "crm").ops, [
      { op: "replace", path: "/name", value: "CRM accounts (EU)" },
      { op: "remove", path: "/description" },
      { op: "add", path: "/auth/params/apiToken", value: "[secret]" },
      { op: "remove", path: "/auth/params/securityToken" },
    ]);
  });

  it("says which secret params it cannot judge when the preview has no __secretVersions, and lists no op for them", () => {
    const preview = fixture("update");
    delete stepOf(preview, "partners").newState.inputs.__secretVersions;
    const partners = entry(planOf(preview), "partners");
    assert.deepStrictEqual(partners.ops, []);
    assert.match(partners.notes!.join("\n"), /does not say whether secret params password, securityToken change/);
  });

  it("treats every param as secret when the preview does not show secretKeys as a list", () => {
    const preview = fixture("update");
    const step = stepOf(preview, "crm");
    step.newState.inputs.secretKeys = "[secret]";
    step.newState.inputs.auth.params.username = "new-user";
    const plan = planOf(preview);
    for (const out of allRenderings(plan)) assert.doesNotMatch(out, /new-user/);
    assert.ok(entry(plan, "crm").ops!.some((op) => op.path === "/auth/params/username" && op.value === "[secret]"));
  });

  it("agrees with the provider's own diff on any change of name, description and params, once masked as preview masks", () => {
    // Names beginning with "s" are secret, as isSecretParam marks credentials by name.
    const key = fc.constantFrom("s1", "s2", "p1", "p2");
    const val = fc.constantFrom("a", "b", "c");
    const side = fc.record({
      name: fc.constantFrom("n1", "n2"),
      description: fc.option(fc.constantFrom("d1", "d2"), { nil: undefined }),
      params: fc.dictionary(key, val, { maxKeys: 4 }),
    });
    const mask = (params: Record<string, string>) =>
      Object.fromEntries(Object.entries(params).map(([k, v]) => [k, k.startsWith("s") ? "[secret]" : v]));
    fc.assert(
      fc.property(side, side, fc.boolean(), (before, after, providerChanged) => {
        const args = (s: typeof before) => ({
          name: s.name,
          ...(s.description !== undefined ? { description: s.description } : {}),
          connectionSpec: { id: "00000000-0000-4000-8000-0000000000aa" }, // a connector the catalog does not know
          auth: { specName: "Basic", params: s.params },
          secretKeys: Object.keys(s.params)
            .filter((k) => k.startsWith("s"))
            .sort(),
        });
        const oldInputs = checkConnection({}, args(before)).inputs;
        const newInputs = checkConnection(oldInputs, args(after)).inputs;
        const { __secretVersions: _dropped, ...applied } = oldInputs;
        const oldOutputs: Record<string, unknown> = {
          ...applied,
          connectionId: "139f6a5f-a78b-4744-9f6a-5fa78bd74431",
          etag: '"1"',
          adopted: false,
          __provider: "p1",
        };
        const news: Record<string, unknown> = { ...newInputs, __provider: providerChanged ? "p2" : "p1" };
        const real = diffConnection(oldOutputs as unknown as ConnectionOutputs, news, oldOutputs.__provider, news.__provider);
        const preview = {
          steps: [
            {
              op: "update",
              urn: `urn:pulumi:dev::proj::${CONNECTION_TYPE}::c`,
              oldState: {
                type: CONNECTION_TYPE,
                id: oldOutputs.connectionId,
                inputs: oldInputs,
                outputs: { ...oldOutputs, auth: { ...(oldOutputs.auth as object), params: mask(before.params) } },
              },
              newState: { type: CONNECTION_TYPE, inputs: { ...news, auth: { ...(news.auth as object), params: mask(after.params) } } },
            },
          ],
        };
        const planned = entry(planOf(preview), "c");
        assert.deepStrictEqual(planned.ops, maskOps(real.ops, ["s1", "s2"]));
        // An update the engine would run (diff says changes) without a request is "state only".
        if (real.changes && real.ops.length === 0) assert.ok(planned.stateOnly && planned.stateOnly.length > 0);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("flowservice-plan: updates without a request", () => {
  it("calls an update whose only change is the provider's code 'update (no request: state only)'", () => {
    const preview = fixture("unchanged-show-sames");
    const step = stepOf(preview, "crm");
    step.op = "update";
    step.newState.inputs = { ...step.oldState.inputs, __provider: step.oldState.inputs.__provider + "\n// v2" };
    const crm = entry(planOf(preview), "crm");
    assert.deepStrictEqual(crm.ops, []);
    assert.deepStrictEqual(crm.stateOnly, ["provider code"]);
    assert.match(
      renderText(planOf(preview)),
      /crm: update \(no request: state only\)[\s\S]*no request[\s\S]*changes in state only: provider code/,
    );
  });

  it("gives no patch for an update whose values are known only at up, and says so", () => {
    const preview = fixture("update");
    stepOf(preview, "crm").newState.inputs.name = UNKNOWN;
    const crm = entry(planOf(preview), "crm");
    assert.strictEqual(crm.pending, true);
    assert.strictEqual(crm.ops, undefined);
    assert.match(renderText(planOf(preview)), /crm: update \(patch decided at up\)/);
  });
});

describe("flowservice-plan: deletes", () => {
  const deleteWith = (outputs: Record<string, unknown>) => {
    const preview = fixture("actions");
    Object.assign(stepOf(preview, "legacy").oldState.outputs, outputs);
    return entry(planOf(preview), "legacy");
  };

  it("sends a DELETE for a connection the stack created, and none for an adopted one", () => {
    assert.strictEqual(deleteWith({}).keptRemotely, undefined);
    assert.strictEqual(deleteWith({ adopted: true }).keptRemotely, true);
  });

  it("follows deleteOnDestroy over the default either way", () => {
    assert.strictEqual(deleteWith({ adopted: true, deleteOnDestroy: true }).keptRemotely, undefined);
    assert.strictEqual(deleteWith({ adopted: false, deleteOnDestroy: false }).keptRemotely, true);
  });
});

describe("flowservice-plan: renderings", () => {
  it("writes markdown for a pull request: marker, heading, summary, a table row per connection, ops in a json block", () => {
    const md = renderMarkdown(planOf(fixture("update")));
    const lines = md.split("\n");
    assert.strictEqual(lines[0], MARKDOWN_MARKER);
    assert.strictEqual(lines[1], "### Flow Service plan for `plan`");
    assert.ok(lines.includes("**2 to update**"));
    assert.ok(lines.includes("| Resource | Action | Connection | Sent to Flow Service |"));
    assert.strictEqual(lines.filter((l) => /^\| `(crm|partners)` \| update \|/.test(l)).length, 2);
    assert.ok(
      md.includes(
        '```json\n[\n  {"op":"replace","path":"/name","value":"CRM accounts (EU)"},\n  {"op":"remove","path":"/description"}\n]\n```',
      ),
      md,
    );
  });

  it("keeps a value with backticks or pipes from breaking the markdown", () => {
    const preview = fixture("update");
    stepOf(preview, "crm").newState.inputs.name = "a | b ``` c";
    const md = renderMarkdown(planOf(preview));
    assert.ok(md.includes('````json\n[\n  {"op":"replace","path":"/name","value":"a | b ``` c"}'), md);
    assert.match(md, /\| a \\\| b ''' c<br>/);
  });

  it("says in markdown when no connection is touched", () => {
    assert.match(
      renderMarkdown(planOf(fixture("unchanged"))),
      /\*\*no changes\*\*\n\nNo Flow Service connection is touched by this change\./,
    );
  });

  it("writes json with the documented fields and a summary of every action", () => {
    const out = JSON.parse(renderJson(planOf(fixture("actions"))));
    assert.deepStrictEqual(Object.keys(out.summary), ["create", "update", "replace", "delete", "adopt", "unchanged"]);
    for (const c of out.connections) {
      assert.strictEqual(typeof c.urn, "string");
      assert.strictEqual(typeof c.resourceName, "string");
      assert.ok(["create", "update", "replace", "delete", "adopt", "unchanged"].includes(c.action));
    }
    const partners = out.connections.find((c: any) => c.resourceName === "partners");
    assert.deepStrictEqual(partners.replaceReasons, ["connectionSpec", "auth.specName"]);
    assert.ok(!("ops" in partners), "a replacement sends no patch");
  });

  it("labels the text plan with the action as people read it", () => {
    const preview = fixture("actions");
    const text = renderText(planOf(preview));
    assert.match(text, /^Flow Service plan for stack plan: 1 to create, 1 to adopt, 1 to update, 1 to replace, 2 to delete\n/);
    assert.match(text, /\n- {2}ui: delete \(kept remotely\) "Made in the UI"/);
    assert.ok(
      text.includes(`\n+- partners: replace "Partner portal" [${stepOf(preview, "partners").oldState.id}]\n     forced by connectionSpec`),
      text,
    );
  });
});

describe("flowservice-plan: the command", () => {
  it("exits 0 when nothing changes", async () => {
    const r = await runCli(["preview.json"], { "preview.json": fixtureText("unchanged-show-sames") });
    assert.strictEqual(r.code, EXIT_NO_CHANGES);
    assert.strictEqual(r.stderr, "");
    assert.match(r.stdout, /no changes, 2 unchanged/);
  });

  it("exits 2 when a connection changes, in every format", async () => {
    for (const format of ["text", "markdown", "json"]) {
      const r = await runCli(["--format", format, "preview.json"], { "preview.json": fixtureText("update") });
      assert.strictEqual(r.code, EXIT_CHANGES, format);
    }
  });

  it("reads stdin when given no file or '-'", async () => {
    for (const argv of [[], ["-"], ["--format=json"]]) {
      const r = await runCli(argv, {}, fixtureText("update"));
      assert.strictEqual(r.code, EXIT_CHANGES, argv.join(" "));
      assert.match(r.stdout, /CRM accounts \(EU\)/);
    }
  });

  it("exits 1 with a message on stderr, and nothing on stdout, for bad JSON, an unreadable file or a bad option", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["bad.json"], /bad\.json: the input is not JSON/],
      [["missing.json"], /cannot read missing\.json: ENOENT/],
      [["--colour", "preview.json"], /unknown option --colour/],
      [["--format", "yaml", "preview.json"], /unknown format "yaml"/],
      [["--format"], /--format needs a value/],
      [["a.json", "b.json"], /one input at a time/],
    ];
    for (const [argv, message] of cases) {
      const r = await runCli(argv, { "bad.json": "{not json", "preview.json": fixtureText("update") });
      assert.strictEqual(r.code, EXIT_ERROR, argv.join(" "));
      assert.match(r.stderr, message);
      assert.strictEqual(r.stdout, "", argv.join(" "));
    }
    const empty = await runCli([], {}, "");
    assert.strictEqual(empty.code, EXIT_ERROR);
    assert.match(empty.stderr, /stdin: the input is empty/);
  });

  it("exits 1 for a failed preview, still printing the plan it has, flagged incomplete", async () => {
    const r = await runCli(["preview.json", "--format", "markdown"], { "preview.json": fixtureText("failed") });
    assert.strictEqual(r.code, EXIT_ERROR);
    assert.match(r.stderr, /the preview failed[\s\S]*is required by Salesforce/);
    assert.match(r.stdout, /> \*\*Error:\*\* the preview failed, so this plan is incomplete/);
  });

  it("prints the help and exits 0 for --help", async () => {
    const r = await runCli(["--help"]);
    assert.strictEqual(r.code, EXIT_NO_CHANGES);
    assert.strictEqual(r.stdout, HELP);
    assert.match(HELP, /--format FORMAT/);
  });

  it("takes options before or after the file, and -- before a file named like an option", () => {
    assert.deepStrictEqual(parseArgs(["p.json", "-f", "json"]), { format: "json", file: "p.json", help: false });
    assert.deepStrictEqual(parseArgs(["--", "--odd.json"]), { format: "text", file: "--odd.json", help: false });
  });
});
