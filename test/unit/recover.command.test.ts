// flowservice-recover as a command, over stand-ins for the pulumi CLI and Flow Service
// (test/helpers/recoverFakes.ts); and flowservice-plan's --stack-export. The real engine and
// emulator run it in test/e2e/interrupted.test.ts.
import assert from "node:assert";
import { run as runPlan } from "../../commands/plan/cli";
import { EXIT_DECIDE, EXIT_ERROR, EXIT_OK, EXIT_PENDING, parseArgs, run, UsageError } from "../../commands/recover/cli";
import { recover, RecoverOptions } from "../../commands/recover/recover";
import { renderText } from "../../commands/recover/render";
import { ApiError } from "../../provider/core/errors";
import { fakeDeps, FakeFlow, FakePulumi, FIXTURE_EXPORT, live, T0 } from "../helpers/recoverFakes";

const opts = (over: Partial<RecoverOptions> = {}): RecoverOptions => ({
  check: false,
  yes: true,
  wait: true,
  otherStacks: true,
  takes: new Map(),
  ...over,
});
const lock = { timestamp: T0, pid: 4242, hostname: "ci-runner" };
const ownFive = () => [0, 1, 2, 3, 4].map((i) => live(i));

/** A neighbour stack of the same backend whose state holds `connection`. */
function neighbourHolding(connection: { id: string }): string {
  const exp = JSON.parse(FIXTURE_EXPORT);
  exp.deployment.pending_operations = [];
  exp.deployment.resources.push({
    urn: "urn:pulumi:neighbour::orph::pulumi-nodejs:dynamic/flowservice:Connection::c0",
    type: "pulumi-nodejs:dynamic/flowservice:Connection",
    custom: true,
    id: connection.id,
  });
  return JSON.stringify(exp);
}

describe("flowservice-recover: the command over its dependencies", () => {
  it("--check lists the interrupted operations without credentials or a single request", async () => {
    const pulumi = new FakePulumi();
    const flow = new FakeFlow(ownFive());
    const report = await recover(opts({ check: true, yes: false }), fakeDeps(pulumi, flow));
    assert.strictEqual(report.status, "pending");
    assert.strictEqual(report.items.length, 5);
    assert.deepStrictEqual(flow.requests, []);
    assert.ok(!pulumi.calls.includes("config"));
    assert.match(renderText(report), /Run `flowservice-recover` before `pulumi up`/);
  });

  it("takes each orphan into state and releases the killed run's lock, leaving the neighbour's same-named connection alone", async () => {
    const theirs = live(0, { id: "neighbours-0", createdAt: T0 + 9000 });
    const pulumi = new FakePulumi({ "organization/orph/dev": FIXTURE_EXPORT, "organization/orph/neighbour": neighbourHolding(theirs) });
    pulumi.locked = [lock];
    const flow = new FakeFlow([...ownFive(), theirs]);
    const report = await recover(opts(), fakeDeps(pulumi, flow));
    assert.strictEqual(report.status, "written");
    assert.deepStrictEqual(report.runStart?.at, T0);
    assert.ok(report.items.every((i) => i.outcome === "recovered"));
    const resources = pulumi.imported.deployment.resources.filter((r: any) => r.type.endsWith("flowservice:Connection"));
    assert.deepStrictEqual(
      resources.map((r: any) => r.id).sort(),
      ownFive()
        .map((c) => c.id)
        .sort(),
    );
    const c0 = resources.find((r: any) => r.urn.endsWith("::c0"));
    assert.strictEqual(c0.outputs.etag, live(0).etag, "the live etag");
    assert.strictEqual(c0.outputs.connectionId, live(0).id);
    assert.deepStrictEqual(
      c0.outputs.auth.params.password,
      c0.inputs.auth.params.password,
      "secrets stay as the pending inputs held them (encrypted)",
    );
    assert.ok(!("__secretVersions" in c0.outputs), "outputs are what the provider's create returns");
    assert.deepStrictEqual(pulumi.imported.deployment.pending_operations, []);
    assert.deepStrictEqual(
      pulumi.calls.filter((c) => c.startsWith("remove lock") || c === "import"),
      ["remove lock of pid 4242", "import"],
    );
    assert.ok(!flow.requests.some((r) => r.includes("POST")));
  });

  it("searches with fewer filters when Flow Service refuses one", async () => {
    const flow = new FakeFlow(ownFive());
    const list = flow.list.bind(flow);
    flow.list = async (collection, schema, filters, o) => {
      if (filters.some((f) => f.startsWith("name==")))
        throw new ApiError("API", 400, "FLOW-1440-400", "Bad Request", "unsupported filter", undefined, "GET /connections");
      return list(collection, schema, filters, o);
    };
    const report = await recover(opts({ yes: false }), fakeDeps(new FakePulumi(), flow));
    assert.ok(report.items.every((i) => i.outcome === "recovered"));
    assert.ok(flow.requests.some((r) => r.startsWith("list connectionSpec.id==")));
  });

  it("writes nothing without --yes: a dry run", async () => {
    const pulumi = new FakePulumi();
    const report = await recover(opts({ yes: false }), fakeDeps(pulumi, new FakeFlow(ownFive())));
    assert.strictEqual(report.status, "pending");
    assert.strictEqual(pulumi.imported, undefined);
    assert.match(renderText(report), /Nothing was written \(dry run\)/);
  });

  it("reports two possible orphans with their ids and the command that settles it, and writes nothing", async () => {
    const pulumi = new FakePulumi();
    const second = live(3, { id: "another-3" });
    const report = await recover(opts(), fakeDeps(pulumi, new FakeFlow([...ownFive(), second])));
    assert.strictEqual(report.status, "ambiguous");
    assert.strictEqual(pulumi.imported, undefined);
    const text = renderText(report);
    assert.match(text, new RegExp(`c3 +create +AMBIGUOUS: 2 connections could be its orphan: ${live(3).id} .*another-3`));
    assert.match(text, /flowservice-recover --yes --take c3=/);
    assert.match(text, /delete the objects no resource takes: DELETE \/connections\/{id}/);
  });

  it("follows --take, refusing an id another stack holds", async () => {
    const second = live(3, { id: "another-3" });
    const pulumi = new FakePulumi();
    const report = await recover(opts({ takes: new Map([["c3", "another-3"]]) }), fakeDeps(pulumi, new FakeFlow([...ownFive(), second])));
    assert.strictEqual(report.status, "written");
    assert.strictEqual(pulumi.imported.deployment.resources.find((r: any) => r.urn.endsWith("::c3")).id, "another-3");
    const theirs = live(3, { id: "neighbours-3" });
    const guarded = new FakePulumi({ "organization/orph/dev": FIXTURE_EXPORT, "organization/orph/neighbour": neighbourHolding(theirs) });
    await assert.rejects(
      recover(opts({ takes: new Map([["c3", "neighbours-3"]]) }), fakeDeps(guarded, new FakeFlow([...ownFive(), theirs]))),
      /held by a stack's state/,
    );
  });

  it("drops a pending create whose POST never landed, so that the next up creates it", async () => {
    const pulumi = new FakePulumi();
    const report = await recover(opts(), fakeDeps(pulumi, new FakeFlow(ownFive().slice(1))));
    assert.strictEqual(report.items.find((i) => i.resourceName === "c0")?.outcome, "not-created");
    assert.ok(!pulumi.imported.deployment.resources.some((r: any) => r.urn.endsWith("::c0")));
    assert.match(renderText(report), /c0 +create +not created: .*the next `pulumi up` creates it/);
  });

  it("asks which to keep when an up after the interruption created the resource again and the interrupted run's connection exists too", async () => {
    const exp = JSON.parse(FIXTURE_EXPORT);
    const c0 = exp.deployment.pending_operations.find((o: any) => o.resource.urn.endsWith("::c0")).resource;
    exp.deployment.resources.push({ ...c0, id: "created-again", outputs: {} });
    const text = JSON.stringify(exp);
    const twice = await recover(opts(), fakeDeps(new FakePulumi({ "organization/orph/dev": text }), new FakeFlow(ownFive())));
    assert.strictEqual(twice.status, "ambiguous");
    assert.match(renderText(twice), new RegExp(`c0 +create +DECIDE: in state as connection created-again .*${live(0).id}`));
    const pulumi = new FakePulumi({ "organization/orph/dev": text });
    const once = await recover(opts(), fakeDeps(pulumi, new FakeFlow(ownFive().slice(1))));
    assert.strictEqual(once.items.find((i) => i.resourceName === "c0")?.outcome, "in-state");
    const kept = pulumi.imported.deployment.resources.filter((r: any) => r.urn.endsWith("::c0"));
    assert.deepStrictEqual(
      kept.map((r: any) => [r.id, r.delete]),
      [["created-again", undefined]],
    );
  });

  it("waits, before writing, until the killed run's provider can no longer send, unless told it is stopped; a dry run does not wait", async () => {
    const manifest = Date.parse(JSON.parse(FIXTURE_EXPORT).deployment.manifest.time);
    const now = manifest + 10_000;
    const waited = fakeDeps(new FakePulumi(), new FakeFlow(ownFive()), { now: () => now });
    await recover(opts({ yes: true }), waited);
    assert.deepStrictEqual(waited.slept, [120_000 + 30_000 - 10_000], "the default retry budget and request timeout");
    assert.match(waited.progressed[0], /may still send a create until/);
    const skipped = fakeDeps(new FakePulumi(), new FakeFlow(ownFive()), { now: () => now });
    await recover(opts({ yes: true, wait: false }), skipped);
    assert.deepStrictEqual(skipped.slept, []);
    const dry = fakeDeps(new FakePulumi(), new FakeFlow(ownFive()), { now: () => now });
    const report = await recover(opts({ yes: false }), dry);
    assert.deepStrictEqual(dry.slept, [], "a dry run writes nothing, so it does not wait");
    assert.strictEqual(report.status, "pending");
    assert.match(renderText(report), /may still send a create until .*--yes waits for it/);
  });

  it("refreshes interrupted updates after the write", async () => {
    const exp = JSON.parse(FIXTURE_EXPORT);
    const upd = exp.deployment.pending_operations.pop();
    exp.deployment.resources.push({ ...upd.resource, id: live(4).id, outputs: {} });
    exp.deployment.pending_operations.push({ type: "updating", resource: { ...upd.resource, id: live(4).id } });
    const pulumi = new FakePulumi({ "organization/orph/dev": JSON.stringify(exp) });
    const report = await recover(opts(), fakeDeps(pulumi, new FakeFlow(ownFive())));
    assert.strictEqual(report.items.find((i) => i.kind === "updating")?.outcome, "refresh");
    assert.deepStrictEqual(
      pulumi.calls.filter((c) => c.startsWith("refresh")),
      [`refresh ${upd.resource.urn}`],
    );
  });

  it("stops, with what to do, when the lock may belong to a live run, when nothing tells when the run began, or when other resources have pending creates", async () => {
    const held = new FakePulumi();
    held.locked = [lock];
    await assert.rejects(
      recover(opts(), fakeDeps(held, new FakeFlow(ownFive()), { alive: () => true })),
      /locked by pid 4242 .*pulumi cancel.*--since 2026-12-01T09:19:32.000Z/,
    );
    assert.strictEqual(held.imported, undefined);
    const unknown = Object.assign(new FakePulumi(), { history_: [] });
    await assert.rejects(recover(opts(), fakeDeps(unknown, new FakeFlow(ownFive()))), /pass --since TIME/);
    const exp = JSON.parse(FIXTURE_EXPORT);
    exp.deployment.pending_operations[0].resource.type = "aws:s3/bucket:Bucket";
    await assert.rejects(
      recover(opts(), fakeDeps(new FakePulumi({ "organization/orph/dev": JSON.stringify(exp) }), new FakeFlow())),
      /aws:s3\/bucket:Bucket.*not Flow Service resources of this version|not Flow Service resources of this version.*aws:s3\/bucket:Bucket/,
    );
  });
});

describe("flowservice-recover: command line and exit codes", () => {
  it("parses its options, and refuses bad ones naming the fix", () => {
    const o = parseArgs([
      "--yes",
      "--since",
      "2026-12-01T09:19:32Z",
      "--take",
      "c0=abc",
      "--take",
      "urn:a::b=def",
      "--no-wait",
      "-s",
      "dev",
    ]);
    assert.deepStrictEqual(
      [o.yes, o.since, [...o.takes], o.wait, o.stack, o.otherStacks],
      [
        true,
        T0,
        [
          ["c0", "abc"],
          ["urn:a::b", "def"],
        ],
        false,
        "dev",
        true,
      ],
    );
    assert.throws(
      () => parseArgs(["--check", "--yes"]),
      (e: Error) => e instanceof UsageError && /cannot be combined/.test(e.message),
    );
    assert.throws(() => parseArgs(["--since", "yesterday"]), /RFC 3339/);
    assert.throws(() => parseArgs(["--take", "c0"]), /RESOURCE=CONNECTION_ID/);
    assert.throws(() => parseArgs(["--frobnicate"]), /unknown option --frobnicate/);
    assert.throws(() => parseArgs(["stray"]), /unexpected argument/);
    assert.throws(() => parseArgs(["--format", "yaml"]), /text or json/);
  });

  it("exits 2 when operations are pending and not written, 3 when a decision is needed, 0 when written, 1 on error", async () => {
    const io = () => {
      const out = { stdout: "", stderr: "" };
      const io = {
        stdout: (t: string) => {
          out.stdout += t;
        },
        stderr: (t: string) => {
          out.stderr += t;
        },
      };
      return { out, io };
    };
    const withLock = () => Object.assign(new FakePulumi(), { locked: [lock] });
    const cases: Array<[string[], FakeFlow, number]> = [
      [["--check"], new FakeFlow(), EXIT_PENDING],
      [["--no-wait"], new FakeFlow(ownFive()), EXIT_PENDING],
      [["--yes", "--no-wait"], new FakeFlow([...ownFive(), live(1, { id: "x" })]), EXIT_DECIDE],
      [["--yes", "--no-wait"], new FakeFlow(ownFive()), EXIT_OK],
      [["--bad"], new FakeFlow(), EXIT_ERROR],
    ];
    for (const [argv, flow, code] of cases) {
      const { out, io: stdio } = io();
      assert.strictEqual(await run(argv, stdio, () => fakeDeps(withLock(), flow)), code, `${argv.join(" ")}: ${out.stdout}${out.stderr}`);
    }
    const { out, io: stdio } = io();
    assert.strictEqual(await run(["--format", "json", "--check"], stdio, () => fakeDeps(new FakePulumi(), new FakeFlow())), EXIT_PENDING);
    assert.strictEqual(JSON.parse(out.stdout).items.length, 5);
  });
});

describe("flowservice-plan --stack-export", () => {
  const preview = JSON.stringify({
    steps: [
      {
        op: "create",
        urn: "urn:pulumi:dev::orph::pulumi-nodejs:dynamic/flowservice:Connection::c0",
        newState: {
          type: "pulumi-nodejs:dynamic/flowservice:Connection",
          inputs: {
            name: "Orphan #0",
            connectionSpec: { id: "x" },
            auth: { specName: "Basic Authentication", params: {} },
            secretKeys: [],
          },
        },
      },
    ],
  });
  const plan = async (argv: string[], stackExport: string) => {
    let stdout = "";
    let stderr = "";
    const code = await runPlan(argv, {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      readFile: (p) => (p === "s.json" ? stackExport : preview),
      readStdin: async () => preview,
    });
    return { code, stdout, stderr };
  };

  it("makes a plan over pending creates an error that says up would duplicate them, in every format", async () => {
    for (const format of ["text", "markdown", "json"]) {
      const r = await plan(["p.json", "--stack-export", "s.json", "--format", format], FIXTURE_EXPORT);
      assert.strictEqual(r.code, 1, format);
      assert.match(r.stdout, /5 operations left pending by an interrupted run.*a second time.*flowservice-recover/, format);
      assert.match(r.stderr, /flowservice-recover/);
    }
  });

  it("keeps the usual exit code when the stack has no pending operation, and refuses a file that is not a stack export", async () => {
    const clean = JSON.parse(FIXTURE_EXPORT);
    clean.deployment.pending_operations = [];
    assert.strictEqual((await plan(["p.json", "--stack-export", "s.json"], JSON.stringify(clean))).code, 2);
    const bad = await plan(["p.json", "--stack-export", "s.json"], preview);
    assert.strictEqual(bad.code, 1);
    assert.match(bad.stderr, /not the output of `pulumi stack export`/);
  });
});
