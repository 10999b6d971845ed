// Identifiers for the generated program, derived from the objects' display names: valid in
// TypeScript, Python and YAML, stable for the same sandbox, collisions resolved by id order.

/** Words the languages reserve, and the names the generated programs use themselves. */
const RESERVED = new Set(
  [
    // TypeScript / JavaScript
    "break case catch class const continue debugger default delete do else enum export extends false finally for function if " +
      "import in instanceof new null return super switch this throw true try typeof var void while with yield let static " +
      "implements interface package private protected public await async arguments eval undefined NaN Infinity",
    // Python (camelCase identifiers are turned into snake_case there)
    "and as assert def del elif except from global is lambda nonlocal not or pass raise None True False print",
    // The programs' own names
    "pulumi config flowservice sandboxName sandbox_name",
  ]
    .join(" ")
    .split(" "),
);

/** A display name as a camelCase identifier: "Salesforce base (prod)" → "salesforceBaseProd". */
export function camel(text: string): string {
  const words = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    // Split camelCase words too, so "S3Source" and "s3 source" agree.
    .flatMap((w) => w.replace(/([a-z0-9])([A-Z])/g, "$1 $2").split(" "));
  const out = words.map((w, i) => (i === 0 ? w.toLowerCase() : w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())).join("");
  return /^[0-9]/.test(out) ? `n${out}` : out;
}

/** camelCase → snake_case, for Python variable names and argument names. */
export function snake(ident: string): string {
  return ident.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

interface Named {
  id: string;
  kind: string;
  name: string;
}

/**
 * One identifier per object. An identifier its name alone gives to one object is kept as is; a
 * name shared across kinds gets the kind appended ("customersDataflow"); several objects of one
 * kind with the same name are numbered in id order ("s3Base", "s3Base2"). `objects` must be in a
 * stable order (kind, then id): the result depends only on the objects, never on listing order.
 */
export function assignIdentifiers(objects: readonly Named[], taken: Iterable<string> = []): Map<string, string> {
  const base = (o: Named) => {
    const b = camel(o.name) || o.kind.charAt(0).toLowerCase() + o.kind.slice(1);
    return RESERVED.has(b) || RESERVED.has(snake(b)) ? `${b}${o.kind}` : b;
  };
  const groups = new Map<string, Named[]>();
  for (const o of objects) groups.set(base(o), [...(groups.get(base(o)) ?? []), o]);
  const used = new Set<string>([...RESERVED, ...taken]);
  const out = new Map<string, string>();
  for (const o of objects) {
    const group = groups.get(base(o)) as Named[];
    const kinds = new Set(group.map((g) => g.kind));
    const stem = kinds.size > 1 ? `${base(o)}${o.kind}` : base(o);
    let ident = stem;
    for (let n = 2; used.has(ident) || used.has(snake(ident)); n++) ident = `${stem}${n}`;
    used.add(ident);
    used.add(snake(ident));
    out.set(o.id, ident);
  }
  return out;
}

/** A name for a config key beside the identifiers already used: "s3Base" + "s3SecretKey" → "s3BaseS3SecretKey". */
export function configKey(ident: string, param: string, used: Set<string>): string {
  const tail = camel(param);
  const stem = `${ident}${tail.charAt(0).toUpperCase()}${tail.slice(1)}` || `${ident}Secret`;
  let key = stem;
  for (let n = 2; used.has(key) || used.has(snake(key)); n++) key = `${stem}${n}`;
  used.add(key);
  used.add(snake(key));
  return key;
}
