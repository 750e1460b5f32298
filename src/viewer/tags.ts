/**
 * The search form's tags box: one `key=value` a line, as the Jaeger API's `tags` parameter takes them (a JSON
 * object). Blank lines are skipped; the first `=` splits, so a value may hold `=`; a later line wins.
 */
export type TagParse = { ok: true; tags: Record<string, string> } | { ok: false; error: string };

export function parseTagLines(text: string): TagParse {
  const tags: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq <= 0) return { ok: false, error: `line ${i + 1}: "${line}" is not key=value` };
    tags[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return { ok: true, tags };
}

/** The tags back as lines (the form shows what the route holds). */
export function formatTagLines(tags: Readonly<Record<string, string>>): string {
  return Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}
