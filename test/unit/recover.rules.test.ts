// flowservice-recover's pure rules, on a `pulumi stack export` captured from the real engine after an
// `up` killed while its 5 POSTs were in flight (fixtures/export-interrupted.json).
import assert from "node:assert";
import {
  completedDeployment,
  flowServiceIds,
  interruptedOperations,
  interruptedWarning,
  parseStackExport,
  StackExport,
} from "../../commands/recover/export";
import { decide, MatchRule, mismatch, PendingCreate, pendingCreateOf, searchFilters } from "../../commands/recover/match";
import { isStale, parseTime, runStart, settledAt } from "../../commands/recover/window";
import type { FlowConnection } from "../../provider/core/schemas";
import { CLIENT, FIXTURE_EXPORT, live, SALESFORCE, T0 } from "../helpers/recoverFakes";

const exported = (): StackExport => parseStackExport(FIXTURE_EXPORT);
const pendingOf = (exp: StackExport, name: string): PendingCreate => {
  const op = interruptedOperations(exp).find((o) => o.resourceName === name);
  assert.ok(op);
  const p = pendingCreateOf(op, "prod");
  assert.ok(typeof p !== "string", String(p));
  return p;
};
const rule = (over: Partial<MatchRule> = {}): MatchRule => ({ notBefore: T0, clientId: CLIENT, excluded: new Set(), ...over });

describe("flowservice-recover: reading the stack export", () => {
  it("finds the five creates a killed run left pending, and no connection in state", () => {
    const ops = interruptedOperations(exported());
    assert.deepStrictEqual(ops.map((o) => o.resourceName).sort(), ["c0", "c1", "c2", "c3", "c4"]);
    assert.ok(ops.every((o) => o.kind === "creating" && o.resourceType?.kind === "Connection" && o.resourceType.door === "dynamic"));
    assert.deepStrictEqual(flowServiceIds(exported()), []);
  });

  it("refuses input that is not a stack export, without quoting it", () => {
    assert.throws(
      () => parseStackExport("password: hunter2"),
      (e: Error) => /not JSON/.test(e.message) && !e.message.includes("hunter2"),
    );
    assert.throws(() => parseStackExport('{"steps":[]}'), /not the output of `pulumi stack export`/);
  });

  it("warns that an up would create the pending creates a second time, and names the command that prevents it", () => {
    const warning = interruptedWarning(exported()) ?? "";
    assert.match(warning, /5 operations left pending/);
    assert.match(warning, /c0 \(creating\)/);
    assert.match(warning, /a second time/);
    assert.match(warning, /flowservice-recover/);
    const clean = exported();
    clean.deployment.pending_operations = [];
    assert.strictEqual(interruptedWarning(clean), undefined);
  });

  it("adds each recovered connection as a resource after its provider and parent, and leaves no pending operation", () => {
    const exp = exported();
    const out = completedDeployment(exp, [
      { urn: interruptedOperations(exp)[0].urn, id: "id-0", outputs: { etag: '"e"' }, created: "2026-12-01T09:19:40.000Z" },
    ]);
    const resources = out.deployment.resources ?? [];
    assert.strictEqual(resources.length, 3);
    assert.deepStrictEqual(out.deployment.pending_operations, []);
    const added = resources[2];
    assert.strictEqual(added.id, "id-0");
    assert.deepStrictEqual(added.outputs, { etag: '"e"' });
    assert.strictEqual(added.provider, `${resources[1].urn}::${resources[1].id}`);
    assert.strictEqual(added.created, "2026-12-01T09:19:40.000Z");
    assert.deepStrictEqual(
      (added.inputs as any).auth.params.password,
      (interruptedOperations(exp)[0].resource.inputs as any).auth.params.password,
      "secrets stay encrypted as they were",
    );
  });

  it("marks the resource a recovered replacement replaces for deletion, as the engine would have", () => {
    const exp = exported();
    const op = interruptedOperations(exp)[0];
    exp.deployment.resources?.push({ ...op.resource, id: "old-id", outputs: {} });
    const out = completedDeployment(exp, [{ urn: op.urn, id: "new-id", outputs: {} }]);
    const same = (out.deployment.resources ?? []).filter((r) => r.urn === op.urn);
    assert.deepStrictEqual(
      same.map((r) => [r.id, r.delete]),
      [
        ["old-id", true],
        ["new-id", undefined],
      ],
    );
  });

  it("refuses to add a resource whose provider the state does not hold", () => {
    const exp = exported();
    exp.deployment.resources = (exp.deployment.resources ?? []).filter((r) => !r.urn.includes("providers"));
    assert.throws(() => completedDeployment(exp, [{ urn: interruptedOperations(exp)[0].urn, id: "x", outputs: {} }]), /does not hold/);
  });
});

describe("flowservice-recover: which connection is a pending create's orphan", () => {
  it("takes the connection with the pending inputs' name, connector, auth spec and readable params", () => {
    const p = pendingOf(exported(), "c0");
    assert.deepStrictEqual(
      (p.inputs.auth as { params: Record<string, unknown> }).params.username,
      "u0",
      "readable params are compared (secret ones cannot be read back)",
    );
    assert.strictEqual(mismatch(live(0), p, rule()), undefined);
  });

  it("never takes a connection held by a stack's state, another client's, an older one, or one that differs", () => {
    const p = pendingOf(exported(), "c0");
    const cases: Array<[Partial<FlowConnection>, Partial<MatchRule>, RegExp]> = [
      [{}, { excluded: new Set([live(0).id]) }, /held by a stack/],
      [{ createdClient: "exc_app" }, {}, /another client/],
      [{ createdClient: undefined }, {}, /another client/],
      [{ createdAt: T0 - 1 }, {}, /before the interrupted run/],
      [{ createdAt: undefined }, {}, /before the interrupted run/],
      [{ name: "Orphan #00" }, {}, /another name/],
      [{ sandboxName: "dev" }, {}, /another sandbox/],
      [{ description: "made by hand" }, {}, /another description/],
      [{ auth: { specName: "OAuth 2 Refresh Code", params: {} } }, {}, /another connectionSpec or auth\.specName/],
      [{ auth: { specName: "Basic Authentication", params: { username: "someone" } } }, {}, /auth\.params\.username/],
      [{ auth: { specName: "Basic Authentication", params: { username: "u0", environment: "sandbox" } } }, {}, /auth\.params\.environment/],
    ];
    for (const [over, r, why] of cases) assert.match(mismatch(live(0, over), p, rule(r)) ?? "(taken)", why, JSON.stringify(over));
  });

  it("uses the resource's own sandbox when its inputs record one", () => {
    const exp = exported();
    const op = interruptedOperations(exp)[0];
    (op.resource.inputs as any).sandboxName = "dev";
    const p = pendingCreateOf(op, "prod") as PendingCreate;
    assert.strictEqual(p.sandbox, "dev");
    assert.strictEqual(mismatch(live(Number(op.resourceName.slice(1)), { sandboxName: "dev" }), p, rule()), undefined);
  });

  it("cannot match a resource whose name is a secret, and says so", () => {
    const exp = exported();
    const op = interruptedOperations(exp)[0];
    (op.resource.inputs as any).name = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:x" };
    assert.match(String(pendingCreateOf(op, "prod")), /name or description is a secret/);
  });

  it("decides recovered for one candidate, not created for none, ambiguous for two: never a guess", () => {
    const exp = exported();
    const p = ["c0", "c1", "c2"].map((n) => pendingOf(exp, n));
    const listed = new Map([
      [p[0].urn, [live(0)]],
      [p[1].urn, []],
      [p[2].urn, [live(2), live(2, { id: "second-2", createdAt: T0 + 9000 })]],
    ]);
    const d = decide(p, listed, rule());
    assert.deepStrictEqual(
      d.map((x) => x.outcome),
      ["recovered", "not-created", "ambiguous"],
    );
    assert.deepStrictEqual(d[2].outcome === "ambiguous" && d[2].candidates.map((c) => c.id), [live(2).id, "second-2"]);
  });

  it("gives no resource a connection two resources could both claim", () => {
    const exp = exported();
    const a = pendingOf(exp, "c0");
    const twin = { ...pendingOf(exp, "c1"), body: a.body, inputs: a.inputs };
    const d = decide(
      [a, twin],
      new Map([
        [a.urn, [live(0)]],
        [twin.urn, [live(0)]],
      ]),
      rule(),
    );
    assert.deepStrictEqual(
      d.map((x) => x.outcome),
      ["ambiguous", "ambiguous"],
    );
  });

  it("follows the user's --take choice, and drops an adopt (nothing was created)", () => {
    const exp = exported();
    const p = pendingOf(exp, "c0");
    const adopt = { ...pendingOf(exp, "c1"), adoptId: "11111111-1111-4111-8111-111111111111" };
    const chosen = live(0, { id: "chosen" });
    const d = decide([p, adopt], new Map([[p.urn, [live(0), chosen]]]), rule(), new Map([[p.urn, chosen]]));
    assert.deepStrictEqual(d[0], { urn: p.urn, outcome: "recovered", object: chosen, chosen: true });
    assert.strictEqual(d[1].outcome, "adopt");
  });

  it("searches connections with equality filters only, and matches names a filter cannot express on this side", () => {
    const p = pendingOf(exported(), "c0");
    assert.deepStrictEqual(searchFilters(p, T0)[0], ["name==Orphan #0", `connectionSpec.id==${SALESFORCE}`]);
    assert.deepStrictEqual(searchFilters({ ...p, body: { ...p.body, name: "a,b" } }, T0)[0], [`connectionSpec.id==${SALESFORCE}`]);
  });
});

describe("flowservice-recover: when the interrupted run began", () => {
  const lock = { timestamp: T0, pid: 4242, hostname: "ci-runner" };
  const succeeded = { result: "succeeded", startTime: "2026-12-01T09:00:00.000Z", endTime: "2026-12-01T09:01:00.000Z" };

  it("prefers --since, then the lock the killed run left, then the update history", () => {
    const checkpoint = T0;
    const at = (e: Parameters<typeof runStart>[0]) => {
      const r = runStart(e);
      return typeof r === "string" ? r : r.at;
    };
    assert.deepStrictEqual(runStart({ since: 5, locks: [lock], history: [succeeded], checkpoint }), { at: 5, source: "--since" });
    assert.strictEqual(at({ locks: [lock, { ...lock, timestamp: T0 + 1 }], history: [succeeded], checkpoint }), T0);
    assert.strictEqual(
      at({ locks: [], history: [succeeded], checkpoint }),
      Date.parse(succeeded.endTime),
      "a killed run follows the last completed update",
    );
    const failed = { result: "failed", startTime: "2026-12-01T09:10:00.000Z", endTime: "2026-12-01T09:30:00.000Z" };
    assert.strictEqual(
      at({ locks: [], history: [succeeded, failed], checkpoint }),
      Date.parse(failed.startTime),
      "an unfinished update may be the interrupted one",
    );
    assert.match(String(runStart({ locks: [], history: [], checkpoint })), /no lock and no update history/);
  });

  it("cannot tell from the history when an update completed after the interruption wrote the state", () => {
    const later = { result: "succeeded", startTime: "2026-12-01T09:25:00.000Z", endTime: "2026-12-01T09:25:30.000Z" };
    const checkpoint = Date.parse("2026-12-01T09:25:30.400Z");
    assert.match(String(runStart({ locks: [], history: [later, succeeded], checkpoint })), /ran after the interruption/);
    assert.strictEqual((runStart({ locks: [lock], history: [later], checkpoint }) as { at: number }).at, T0, "the lock still tells");
  });

  it("after `pulumi cancel` and an up that failed (it wrote the state), takes the creation of the pending creates' provider as the bound", () => {
    // The up after `pulumi cancel` whose creates were refused: failed, and it wrote the state (the pending creates carried over).
    const refused = { result: "failed", startTime: "2026-12-01T09:25:00.000Z", endTime: "2026-12-01T09:25:30.000Z" };
    const checkpoint = Date.parse("2026-12-01T09:25:30.400Z");
    assert.match(
      String(runStart({ locks: [], history: [refused], checkpoint })),
      /ran after the interruption/,
      "never the refused up's start",
    );
    const providerCreated = Date.parse("2026-12-01T09:20:01Z");
    const r = runStart({ locks: [], history: [refused], checkpoint, providerCreated }) as { at: number; source: string };
    assert.strictEqual(r.at, providerCreated);
    assert.match(r.source, /the creation of the provider the pending creates used/);
  });

  it("waits for the provider of the killed run for its retry budget and one request timeout after the last checkpoint", () => {
    assert.strictEqual(settledAt(T0, { retryBudgetMs: 120_000, requestTimeoutMs: 30_000 }), T0 + 150_000);
  });

  it("reads --since as RFC 3339 or epoch milliseconds, and a lock as stale only when its process is gone from this machine", () => {
    assert.strictEqual(parseTime("2026-12-01T09:19:32Z"), T0);
    assert.strictEqual(parseTime(String(T0)), T0);
    assert.strictEqual(parseTime("yesterday"), undefined);
    assert.strictEqual(
      isStale(lock, "ci-runner", () => false),
      true,
    );
    assert.strictEqual(
      isStale(lock, "ci-runner", () => true),
      false,
    );
    assert.strictEqual(
      isStale(lock, "laptop", () => false),
      false,
    );
  });
});
