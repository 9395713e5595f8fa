// Test-side reading of template folds (src/compressors/log-templates.ts), written from the marker
// format rather than from the compressor's code: which lines share a template, and the lines a
// "the line above with {…} taking in turn: …" marker stands for, rebuilt from the line above it.

// A token is a value when its core holds a digit, / \ @ _ ::, a dotted name, or is quoted.
function isValue(token: string): boolean {
  const core = token.replace(/[,;:.!?\r]+$/, "");
  if (/^(?:[a-z]+\[)?[A-Z]{1,5}\d{2,6}\]?:?$/.test(token)) return false;
  if (/^(['"`]).+\1$/.test(core)) return true;
  return /[0-9/\\@_]|::|\w\.\w/.test(core);
}

/** The words of a line with its values blanked (undefined: no value in it). */
export function templateKey(line: string): string | undefined {
  const tokens = line.split(" ");
  if (!tokens.some(isValue)) return undefined;
  return tokens.map((t) => (isValue(t) ? `<${/^['"`(]/.exec(t)?.[0] ?? ""}${/[,;:.!?'"`)]*$/.exec(t)?.[0] ?? ""}>` : t)).join(" ");
}

const DETAIL_RE = /^the line above with (.*?)(?: \((the .*)\))? taking in turn(?:, grouped by the (\d)(?:st|nd|rd|th))?: (.*)$/;

/** True when a marker's detail is a template fold's. */
export function isTemplateDetail(detail: string | undefined): boolean {
  return DETAIL_RE.test(detail ?? "");
}

const unescape = (s: string) => s.replace(/⟧/g, "]");

/**
 * The lines a template fold stands for, rebuilt from the line above and the detail; throws when the
 * detail cannot be read (a test then fails).
 */
export function expandTemplateFold(above: string, detail: string): string[] {
  const m = DETAIL_RE.exec(detail);
  if (!m) throw new Error(`not a template fold: ${detail}`);
  const pieces = [...(m[1] ?? "").matchAll(/(\S*?)\{([^}]*)\}(\S*)/g)].map((p) => ({
    prefix: unescape(p[1] ?? ""),
    first: unescape(p[2] ?? ""),
    suffix: unescape(p[3] ?? ""),
  }));
  // "the 2nd is the 1st up to its last "@""
  const derived = new Map<number, { from: number; sep: string }>();
  for (const note of (m[2] ?? "").split("; ")) {
    const d = /^the (\d)\w\w is the (\d)\w\w up to its last "(.)"$/.exec(note);
    if (d) derived.set(Number(d[1]) - 1, { from: Number(d[2]) - 1, sep: d[3] ?? "" });
  }
  const listed = pieces.map((_, i) => i).filter((i) => !derived.has(i));
  const groupBy = m[3] ? Number(m[3]) - 1 : undefined;
  const body = m[4] ?? "";
  const rows: { mids: Map<number, string>; count: number }[] = [];
  const readRow = (text: string, slots: readonly number[], fixed?: [number, string]) => {
    const parts = text.split(" ");
    let count = 1;
    if (parts.length === slots.length + 1 && /^x\d+$/.test(parts[parts.length - 1] ?? "")) count = Number(parts.pop()?.slice(1));
    if (parts.length !== slots.length) throw new Error(`row "${text}" has not ${slots.length} values`);
    const mids = new Map<number, string>(slots.map((s, k) => [s, unescape(parts[k] ?? "")]));
    if (fixed) mids.set(fixed[0], fixed[1]);
    rows.push({ mids, count });
  };
  if (groupBy !== undefined) {
    const others = listed.filter((s) => s !== groupBy);
    for (const group of body.split("; ")) {
      const at = group.indexOf(": ");
      const key = unescape(group.slice(0, at));
      for (const row of group.slice(at + 2).split(", ")) readRow(row, others, [groupBy, key]);
    }
  } else {
    for (const item of body.split(", ")) {
      const range = listed.length === 1 ? /^(\d+)–(\d+)$/.exec(item) : null;
      if (range) {
        const width = (range[1] ?? "").length;
        for (let v = Number(range[1]); v <= Number(range[2]); v++) readRow(String(v).padStart(width, "0"), listed);
      } else readRow(item, listed);
    }
  }
  const out: string[] = [];
  for (const row of rows) {
    const values: string[] = [];
    pieces.forEach((p, i) => {
      const d = derived.get(i);
      const source = d ? (values[d.from] ?? "") : "";
      const mid = d ? source.slice(0, source.lastIndexOf(d.sep)) : (row.mids.get(i) ?? "");
      values.push(`${p.prefix}${mid}${p.suffix}`);
    });
    let line = "";
    let rest = above;
    pieces.forEach((p, i) => {
      const original = `${p.prefix}${p.first}${p.suffix}`;
      const at = rest.indexOf(original);
      if (at < 0) throw new Error(`"${original}" not in the line above`);
      line += rest.slice(0, at) + (values[i] ?? "");
      rest = rest.slice(at + original.length);
    });
    line += rest;
    for (let k = 0; k < row.count; k++) out.push(line);
  }
  return out;
}
