// The Python program flowservice-discover writes, against the package schema the plugin serves
// (what the pulumi_flowservice SDK is generated from): every keyword argument is a resource input
// in snake_case, every key of an object type is one of its properties in snake_case, and maps keep
// their keys. Python itself parses the program (its `ast` module): the SDK is not needed for this.
import assert from "node:assert";
import { execFileSync } from "node:child_process";
import type { z } from "zod";
import { renderProgram } from "../../commands/discover/discover";
import { buildProgram } from "../../commands/discover/model";
import { snake } from "../../commands/discover/names";
import type { Snapshot } from "../../commands/discover/sandbox";
import { packageSchema } from "../../provider/plugin/schema";
import { DESCRIPTIONS, pluginToken } from "../../provider/core/registry";

const ids = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const base = (id: string, name: string) => ({ id, name, etag: '"e"', description: `about ${name}` });

/** Every kind, with every field a program can declare. */
const SNAPSHOT: Snapshot = {
  sandbox: "dev",
  specs: new Map(),
  listRequests: 4,
  objects: new Map<string, any[]>([
    [
      "Connection",
      [
        {
          ...base(ids(1), "CRM"),
          connectionSpec: { id: "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5", version: "1.0" },
          auth: {
            specName: "Basic Authentication",
            params: { username: "u", environmentUrl: "e", password: "****", securityToken: "****" },
          },
        },
      ],
    ],
    [
      "SourceConnection",
      [
        {
          ...base(ids(2), "Accounts"),
          baseConnectionId: ids(1),
          connectionSpec: { id: "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5", version: "1.0" },
          data: { format: "tabular", columnMapping: { sourceCol: "x" } },
          params: { tableName: "Account", filters: { op: "and" } },
        },
      ],
    ],
    [
      "TargetConnection",
      [
        {
          ...base(ids(3), "Dataset"),
          connectionSpec: { id: "c604ff05-7f1a-43c0-8e18-33bf874cb11c", version: "1.0" },
          data: { format: "parquet_xdm", schema: { id: "https://ns/x", version: "1" } },
          params: { dataSetId: "ds" },
        },
      ],
    ],
    [
      "Dataflow",
      [
        {
          ...base(ids(4), "Flow"),
          state: "enabled",
          flowSpec: { id: "14518937-270c-4525-bdec-c2ba7cce3860", version: "1.0" },
          sourceConnectionIds: [ids(2)],
          targetConnectionIds: [ids(3)],
          transformations: [{ name: "Mapping", params: { mappingId: "m", mappingVersion: "0" } }],
          scheduleParams: { startTime: 1893456000, frequency: "hour", interval: 1, backfill: true },
        },
      ],
    ],
  ]),
};

/** The program's `flowservice.X(...)` calls: keyword arguments, with dict and list literals kept as such. */
const CALLS = `
import ast, json, sys
def val(n):
    if isinstance(n, ast.Dict):
        return {"dict": [[k.value, val(v)] for k, v in zip(n.keys, n.values)]}
    if isinstance(n, ast.List):
        return {"list": [val(e) for e in n.elts]}
    return None
calls = []
for node in ast.walk(ast.parse(sys.stdin.read())):
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and getattr(node.func.value, "id", "") == "flowservice":
        calls.append({"cls": node.func.attr, "kw": {k.arg: val(k.value) for k in node.keywords}})
print(json.dumps(calls))
`;

type Parsed = { dict: Array<[string, Parsed]> } | { list: Parsed[] } | null;

describe("flowservice-discover: the Python program against the package schema", () => {
  const schema = packageSchema(
    "1.2.3",
    DESCRIPTIONS.map((d) => ({
      token: pluginToken(d.kind),
      description: d.label,
      inputs: d.inputs as unknown as z.ZodObject,
      outputs: d.inputs as unknown as z.ZodObject,
    })),
  ) as any;
  const py = renderProgram(buildProgram(SNAPSHOT), { sandbox: "dev", language: "python", filters: {} }, "1.2.3")["__main__.py"];
  const calls = JSON.parse(execFileSync("python3", ["-c", CALLS], { input: py, encoding: "utf8" })) as Array<{
    cls: string;
    kw: Record<string, Parsed>;
  }>;

  /** Checks a literal against a schema property; returns the paths checked. */
  function check(v: Parsed, spec: any, where: string, seen: string[]): void {
    seen.push(where);
    if (v === null) return;
    if (spec?.$ref?.startsWith("#/types/")) {
      const type = schema.types[spec.$ref.slice("#/types/".length)];
      assert.ok(v && "dict" in v, `${where} is an object type: a dict`);
      for (const [k, inner] of v.dict) {
        const prop = Object.keys(type.properties).find((p) => snake(p) === k);
        assert.ok(prop, `${where}["${k}"] is no property of ${spec.$ref} (${Object.keys(type.properties).map(snake).join(", ")})`);
        check(inner, type.properties[prop], `${where}.${k}`, seen);
      }
    } else if (spec?.type === "array") {
      assert.ok(v && "list" in v, `${where} is a list`);
      for (const [i, x] of v.list.entries()) check(x, spec.items, `${where}[${i}]`, seen);
    }
    // A map (additionalProperties) or Any: keys are data, kept as they are.
  }

  it("declares one resource of each kind, every keyword an input of the schema in snake_case", () => {
    assert.deepStrictEqual(
      calls.map((c) => c.cls),
      ["Connection", "SourceConnection", "TargetConnection", "Dataflow"],
    );
    for (const c of calls) {
      const res = schema.resources[pluginToken(c.cls)];
      for (const k of Object.keys(c.kw).filter((k) => k !== "opts")) {
        assert.ok(
          Object.keys(res.inputProperties).some((p) => snake(p) === k),
          `${c.cls}(${k}=…) is not an input of ${pluginToken(c.cls)}`,
        );
      }
      for (const req of res.requiredInputs as string[])
        if (req !== "secretKeys") assert.ok(snake(req) in c.kw, `${c.cls} declares its required ${req}`);
    }
  });

  it("writes object types' members in snake_case (auth.spec_name, schedule_params.start_time) and keeps map keys (params, data)", () => {
    const seen: string[] = [];
    for (const c of calls) {
      const res = schema.resources[pluginToken(c.cls)];
      for (const [k, v] of Object.entries(c.kw)) {
        if (k === "opts") continue;
        const prop = Object.keys(res.inputProperties).find((p) => snake(p) === k) as string;
        check(v, res.inputProperties[prop], `${c.cls}.${k}`, seen);
      }
    }
    for (const path of [
      "Connection.auth.spec_name",
      "Connection.auth.params",
      "Dataflow.schedule_params.start_time",
      "Dataflow.transformations[0].params",
    ]) {
      assert.ok(seen.includes(path), `${path} was written and checked`);
    }
    assert.match(py, /"params": \{\n\s+"environmentUrl": "e",/, "a map's keys stay camelCase");
    assert.match(py, /"columnMapping": \{\n\s+"sourceCol": "x",/);
  });
});
