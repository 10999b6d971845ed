// What a run's errors say about its cause (provider/core/runs.ts): the shapes Adobe documents for
// runs, read without the emulator, so the rules do not depend on the emulator's wording alone.
import { strict as assert } from "node:assert";
import { type LiveRun, failedRecordShare, failureCause, lastRunOf } from "../../provider/core/runs";

function run(status: string, errors: Array<{ code: string; message: string; detail?: string }>, records?: [number, number]): LiveRun {
  const shaped = errors.map((e) => ({ code: e.code, message: e.message, ...(e.detail ? { extensions: { errorDetail: e.detail } } : {}) }));
  return {
    id: "run-1",
    etag: '"e"',
    flowId: "flow-1",
    metrics: {
      durationSummary: { startedAtUTC: 1_700_000_000_000, completedAtUTC: 1_700_000_060_000 },
      statusSummary: { status, errors: shaped },
      ...(records ? { recordSummary: { inputRecordCount: records[0], failedRecordCount: records[1] } } : {}),
    },
  } as LiveRun;
}

describe("run failure causes", function () {
  it("names a source read failure with the source's 401, invalid_client or expired-secret text a credentials failure", () => {
    for (const detail of [
      "Failure happened on 'Source' side. 401 Unauthorized",
      "OAuth error: invalid_client",
      "The client secret keys are expired.",
      "INVALID_LOGIN: Invalid username, password, security token; or user locked out.",
    ]) {
      assert.equal(
        failureCause(run("failed", [{ code: "CONNECTOR-1001-500", message: "Error in copying the data from Source.", detail }])),
        "credentials",
        detail,
      );
    }
  });

  it("does not take a source read failure without such text (a missing file) for a credentials failure", () => {
    const r = run("failed", [
      {
        code: "CONNECTOR-1001-500",
        message: "Error in copying the data from Source.",
        detail: "The specified file was not found: /in/a.csv",
      },
    ]);
    assert.equal(failureCause(r), "other");
  });

  it("names CONNECTOR-2001 a processing error, and a partialSuccess run by its failed-record share", () => {
    assert.equal(failureCause(run("failed", [{ code: "CONNECTOR-2001-500", message: "Error in processing the data" }])), "processing");
    const partial = run("partialSuccess", [{ code: "CONNECTOR-2001-500", message: "Error in processing the data" }], [1000, 250]);
    assert.equal(failureCause(partial), "partialSuccess");
    assert.equal(failedRecordShare(partial), 0.25);
    assert.equal(failedRecordShare(run("success", [])), 0, "no records read: nothing failed");
  });

  it("gives lastRun ISO times and each error's message followed by its detail", () => {
    const out = lastRunOf(
      run("failed", [{ code: "CONNECTOR-1001-500", message: "Error in copying the data from Source.", detail: "401 Unauthorized" }]),
    );
    assert.deepEqual(out, {
      id: "run-1",
      status: "failed",
      startedAt: "2023-11-14T22:13:20.000Z",
      completedAt: "2023-11-14T22:14:20.000Z",
      errors: [{ code: "CONNECTOR-1001-500", message: "Error in copying the data from Source. 401 Unauthorized" }],
    });
  });
});
