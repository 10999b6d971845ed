// The README written beside the program: how to set it up, the secret placeholders with the
// commands that set them, what the first `up` sends, and every object left out, with the reason.
import type { Program } from "../model";

export type Language = "typescript" | "python" | "yaml";

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function counts(p: Program): string {
  const n = (kind: string, one: string, many: string) => {
    const c = p.resources.filter((r) => r.kind === kind).length;
    return `${c} ${c === 1 ? one : many}`;
  };
  return [
    n("Connection", "connection", "connections"),
    n("SourceConnection", "source connection", "source connections"),
    n("TargetConnection", "target connection", "target connections"),
    n("Dataflow", "dataflow", "dataflows"),
  ].join(", ");
}

const SETUP: Record<Language, string[]> = {
  typescript: ["npm install            # @pulumi/pulumi and pulumi-flowservice (package.json)"],
  python: [
    "python3 -m venv venv && venv/bin/pip install -r requirements.txt   # pulumi and the pulumi_flowservice SDK",
    "# and the provider plugin: pulumi plugin install resource flowservice VERSION --file pulumi-resource-flowservice-vVERSION.tgz",
  ],
  yaml: [
    "# the provider plugin: pulumi plugin install resource flowservice VERSION --file pulumi-resource-flowservice-vVERSION.tgz,",
    "# or put pulumi-flowservice's bin/ folder on PATH (or pass --plugin-path to flowservice-discover)",
  ],
};

export function renderReadme(p: Program, language: Language, command: string): string {
  const out: string[] = [
    `# Flow Service sandbox \`${p.sandbox}\` as a Pulumi program`,
    "",
    `Written by \`${command}\` from what Flow Service lists in the sandbox. Running the same`,
    "command on the same sandbox writes the same files.",
    "",
    `It declares ${p.resources.length} objects (${counts(p)}), each with the fields Flow Service shows, references`,
    "between them as outputs, and every write-only secret as a stack-config placeholder.",
    language === "typescript"
      ? "Each resource takes its object over with `adoptId`: the first `pulumi up` creates and deletes nothing."
      : "Each resource takes its object over with Pulumi's `import` option: the first `pulumi up` creates and deletes nothing.",
    "",
    "## Before the first `pulumi up`",
    "",
    "```sh",
    ...SETUP[language],
    "pulumi stack init dev",
    "pulumi config set flowservice:clientId <client id>",
    "pulumi config set --secret flowservice:clientSecret <client secret>",
    "pulumi config set flowservice:orgId <org id>@AdobeOrg",
    `# flowservice:sandboxName is ${p.sandbox} (Pulumi.yaml); each resource also declares sandboxName.`,
    ...(language === "typescript"
      ? []
      : [`# Do not set flowservice:sandboxName to another sandbox in the stack: the import reads through it.`]),
  ];
  if (p.placeholders.length > 0) {
    out.push("", "# The secrets: Flow Service never shows them, so they come from you.");
    for (const s of p.placeholders)
      out.push(`pulumi config set --secret ${s.key} '<${s.param}>'   # ${s.kind} ${s.ident} (${s.id}), param ${s.param}`);
  }
  out.push(
    "```",
    "",
    "## What the first `pulumi up` sends",
    "",
    language === "typescript"
      ? "Each resource reads its object (GET) and records it: no POST, no DELETE."
      : "Each resource is imported (read, no write): no POST, no DELETE.",
    p.placeholders.length > 0
      ? `The ${new Set(p.placeholders.map((s) => s.id)).size} objects with secret placeholders are then patched once each: one PATCH (If-Match) re-sending their secrets, which cannot be read back, and for a connection the credential test (GET /connections/{id}/test, unless flowservice:verifyCredentials is false); a credential the source system refuses fails the up, naming the connection and what could be undone.`
      : "No object declares a secret, so nothing is written.",
    "The next `pulumi preview` plans no change.",
    language === "typescript"
      ? "Keep the `adoptId` arguments: removing one replaces the resource. `pulumi destroy` leaves taken-over objects in Flow Service unless a resource says `deleteOnDestroy: true`."
      : "The `import` options may stay (they only act on a resource not yet in the stack). `pulumi destroy` leaves imported objects in Flow Service unless a resource says `deleteOnDestroy: true`.",
    "",
    "## Resources",
    "",
    "| resource | type | id | name |",
    "|---|---|---|---|",
    ...p.resources.map((r) => `| ${r.ident} | ${r.kind} | ${r.id} | ${cell(r.name)} |`),
  );
  if (p.skipped.length > 0) {
    out.push(
      "",
      "## Not in this program",
      "",
      "These objects could not be expressed by the package's resources and are left as they are:",
      "",
    );
    for (const s of p.skipped) out.push(`- ${s.kind} ${s.id} ("${cell(s.name)}"): ${s.reason}.`);
  }
  if (p.literals.length > 0) {
    out.push("", "## References kept as ids", "");
    for (const l of p.literals) out.push(`- ${l}.`);
  }
  return `${out.join("\n")}\n`;
}
