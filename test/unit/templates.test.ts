// The `pulumi new` templates (templates/*) against what the package reads: their stack config names
// real settings and asks for the credentials as secrets; their dependency ranges accept this
// package's version. test/e2e/templates.test.ts runs `pulumi new` and `up` from each.
import assert from "node:assert";
import fs from "node:fs";
import path from "node:path";
import { CONFIG_KEYS } from "../../provider/core/config";
import { SECRET_CONFIG_KEYS } from "../../provider/plugin/config";

const TEMPLATES = path.resolve(__dirname, "../../templates");
const VERSION = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../package.json"), "utf8")).version as string;
const read = (lang: string, file: string) => fs.readFileSync(path.join(TEMPLATES, lang, file), "utf8");

/** The `template.config` entries of a template's Pulumi.yaml: key → whether it is asked as a secret. */
function templateConfig(lang: string): Map<string, boolean> {
  const text = read(lang, "Pulumi.yaml");
  const section = /^template:\n(?: {2}.*\n)*? {2}config:\n((?: {4}.*\n)+)/m.exec(text)?.[1] ?? "";
  const out = new Map<string, boolean>();
  for (const m of section.matchAll(/^ {4}([\w:]+):\n((?: {6}.*\n)*)/gm)) out.set(m[1], /^ {6}secret: true$/m.test(m[2]));
  return out;
}

describe("the pulumi new templates", () => {
  for (const lang of ["typescript", "python", "yaml"]) {
    it(`templates/${lang} asks for real flowservice settings, the client secret and the connector's secrets as secrets`, () => {
      const config = templateConfig(lang);
      const settings = [...config.keys()].filter((k) => k.startsWith("flowservice:")).map((k) => k.slice("flowservice:".length));
      assert.deepStrictEqual(
        settings.filter((k) => !(k in CONFIG_KEYS)),
        [],
        "unknown settings",
      );
      assert.ok(["clientId", "clientSecret", "orgId", "sandboxName"].every((k) => settings.includes(k)));
      for (const k of SECRET_CONFIG_KEYS) if (config.has(`flowservice:${k}`)) assert.strictEqual(config.get(`flowservice:${k}`), true, k);
      assert.strictEqual(config.get("salesforcePassword"), true);
      assert.strictEqual(config.get("salesforceSecurityToken"), true);
    });
  }

  it("the TypeScript template compiles with esModuleInterop and depends on a range that holds this package's version", () => {
    assert.strictEqual(JSON.parse(read("typescript", "tsconfig.json")).compilerOptions.esModuleInterop, true);
    const range = JSON.parse(read("typescript", "package.json")).dependencies["pulumi-flowservice"] as string;
    assert.match(range, /^\^\d+$/, "a whole major version");
    assert.strictEqual(range.slice(1), VERSION.split(".")[0], `^${VERSION.split(".")[0]} accepts ${VERSION}`);
  });

  it("the Python template asks for the generated SDK below the next major version", () => {
    const pin = /^pulumi_flowservice<(\d+)\.0\.0$/m.exec(read("python", "requirements.txt"));
    assert.ok(pin, "requirements.txt names pulumi_flowservice<N.0.0");
    assert.strictEqual(Number(pin[1]), Number(VERSION.split(".")[0]) + 1);
  });
});
