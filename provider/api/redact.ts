// Keeping secrets and noise out of error text: pure functions.

/** Replaces every occurrence of each secret value (and its JSON-escaped form) with `[secret]`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].filter((v) => v.length >= 3).sort((a, b) => b.length - a.length)) {
    out = out.split(s).join("[secret]");
    const encoded = JSON.stringify(s).slice(1, -1);
    if (encoded !== s) out = out.split(encoded).join("[secret]");
  }
  return out;
}

/** A short, tag-free excerpt of a non-JSON body (an HTML error page from a gateway, say). */
export function snippet(text: string): string {
  const plain = text
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return plain === "" ? "(empty body)" : `non-JSON reply: "${plain.slice(0, 160)}${plain.length > 160 ? "…" : ""}"`;
}

export function parseJson(text: string): unknown {
  try {
    return text === "" ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}
