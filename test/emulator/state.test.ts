// --state FILE: connections survive a restart; an unusable file stops the emulator with a clear message.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EmulatorApi } from "../helpers/emulatorApi";
import { runEmulatorToExit, startEmulatorProcess } from "../../tools/emulatorProcess";

describe("emulator --state persistence", function () {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "flow-emulator-state-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("keeps connections, etags and flags across a restart", async () => {
    const file = path.join(dir, "state.json");
    const first = await startEmulatorProcess(["--quiet", "--state", file]);
    let id: string;
    let etag: string;
    try {
      const api = new EmulatorApi(first.url);
      ({ id, etag } = await api.createSalesforce("persisted"));
      const r = await api.patch(id, [{ op: "add", path: "/description", value: "survives" }], etag);
      etag = r.json.etag;
      await api.control("POST", `/connections/${id}/flags`, { usedByFlows: true });
      await new EmulatorApi(first.url, "dev").createSalesforce("in dev");
    } finally {
      await first.stop();
    }
    assert.deepEqual(fs.readdirSync(dir), ["state.json"], "no temporary file is left behind");

    const second = await startEmulatorProcess(["--quiet", "--state", file]);
    try {
      const api = new EmulatorApi(second.url); // a fresh token: tokens do not survive a restart
      const c = await api.connection(id);
      assert.equal(c.name, "persisted");
      assert.equal(c.description, "survives");
      assert.equal(c.etag, etag);
      assert.equal((await api.call("DELETE", `/connections/${id}`)).status, 400, "the usedByFlows flag persisted too");
      const dev = await new EmulatorApi(second.url, "dev").get("/connections");
      assert.deepEqual(
        dev.json.items.map((x: any) => x.name),
        ["in dev"],
      );
      // And writes after the restart land in the same file.
      const r = await api.patch(id, [{ op: "replace", path: "/name", value: "renamed after restart" }], etag);
      assert.equal(r.status, 200, r.text);
      const saved = JSON.parse(fs.readFileSync(file, "utf8"));
      assert.equal(saved.connections.find((e: any) => e.connection.id === id).connection.name, "renamed after restart");
    } finally {
      await second.stop();
    }
  });

  it("starts empty when the state file does not exist yet, and creates it on the first write", async () => {
    const file = path.join(dir, "new.json");
    const emu = await startEmulatorProcess(["--quiet", "--state", file]);
    try {
      const api = new EmulatorApi(emu.url);
      assert.deepEqual((await api.get("/connections")).json.items, []);
      assert.equal(fs.existsSync(file), false);
      await api.createSalesforce();
      assert.equal(JSON.parse(fs.readFileSync(file, "utf8")).connections.length, 1);
    } finally {
      await emu.stop();
    }
  });

  it("reads a state file written before dataflows existed (formatVersion 1, connections only)", async () => {
    const file = path.join(dir, "v1.json");
    const first = await startEmulatorProcess(["--quiet", "--state", file]);
    let id: string;
    try {
      ({ id } = await new EmulatorApi(first.url).createSalesforce("from v1"));
    } finally {
      await first.stop();
    }
    const saved = JSON.parse(fs.readFileSync(file, "utf8"));
    fs.writeFileSync(file, JSON.stringify({ kind: saved.kind, formatVersion: 1, nextSeq: saved.nextSeq, connections: saved.connections }));
    const second = await startEmulatorProcess(["--quiet", "--state", file]);
    try {
      const api = new EmulatorApi(second.url);
      assert.equal((await api.connection(id)).name, "from v1");
      await api.createDataflow("s3");
      const rewritten = JSON.parse(fs.readFileSync(file, "utf8"));
      assert.equal(rewritten.formatVersion, 2);
      assert.equal(rewritten.flows.length, 1);
    } finally {
      await second.stop();
    }
  });

  it("refuses to start on a corrupt state file, naming it, and leaves the file untouched", async () => {
    const file = path.join(dir, "corrupt.json");
    const content = '{"kind":"flow-emulator-state", "connections": [ {"conn';
    fs.writeFileSync(file, content);
    const r = await runEmulatorToExit(["--port", "0", "--state", file]);
    assert.notEqual(r.code, 0);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(file), r.stderr);
    assert.match(r.stderr, /not valid JSON/);
    assert.doesNotMatch(r.stdout, /listening/);
    assert.equal(fs.readFileSync(file, "utf8"), content);
  });

  it("refuses to start on valid JSON that is not emulator state", async () => {
    const file = path.join(dir, "other.json");
    fs.writeFileSync(file, JSON.stringify({ connections: "nope" }));
    const r = await runEmulatorToExit(["--port", "0", "--state", file]);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(file), r.stderr);
    assert.match(r.stderr, /not flow-emulator state/);
  });

  it("refuses to start when the state file's directory does not exist", async () => {
    const file = path.join(dir, "missing-dir", "state.json");
    const r = await runEmulatorToExit(["--port", "0", "--state", file]);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(file), r.stderr);
  });
});
