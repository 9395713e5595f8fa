// Just enough TOML to read codex's config.toml: table headers ([a.b], [a."b.c"]), dotted keys,
// and scalar values (basic and literal strings, booleans, numbers), plus one-line inline tables
// of scalars. Anything else (arrays, multi-line strings, arrays of tables) is skipped, never
// evaluated. Unreadable input yields what was read so far: discovery is best-effort.

export type TomlScalar = string | boolean | number;
/** Flat map from dotted path ("model_providers.azure.base_url") to scalar. */
export type TomlFlat = Map<string, TomlScalar>;

// Splits a dotted key into its parts, honouring quoted parts ("a"."b.c" -> ["a", "b.c"]).
export function splitKey(key: string): string[] | undefined {
  const parts: string[] = [];
  let i = 0;
  const s = key.trim();
  while (i < s.length) {
    while (s[i] === " " || s[i] === "\t") i++;
    const c = s[i];
    if (c === '"' || c === "'") {
      const end = s.indexOf(c, i + 1);
      if (end < 0) return undefined;
      parts.push(s.slice(i + 1, end));
      i = end + 1;
    } else {
      const m = /^[A-Za-z0-9_-]+/.exec(s.slice(i));
      if (m === null) return undefined;
      parts.push(m[0]);
      i += m[0].length;
    }
    while (s[i] === " " || s[i] === "\t") i++;
    if (i < s.length) {
      if (s[i] !== ".") return undefined;
      i++;
    }
  }
  return parts.length > 0 ? parts : undefined;
}

const joinKey = (parts: readonly string[]): string => parts.join(".");

/** Parses one scalar at the start of `s`; returns it and the rest. */
function scalar(s: string): { value: TomlScalar; rest: string } | undefined {
  const t = s.trimStart();
  if (t.startsWith('"""') || t.startsWith("'''")) return undefined;
  if (t.startsWith('"')) {
    let out = "";
    for (let i = 1; i < t.length; i++) {
      const c = t[i] as string;
      if (c === '"') return { value: out, rest: t.slice(i + 1) };
      if (c === "\\") {
        const n = t[++i];
        const map: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\", b: "\b", f: "\f" };
        if (n === "u" || n === "U") {
          const len = n === "u" ? 4 : 8;
          const hex = t.slice(i + 1, i + 1 + len);
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) return undefined;
          out += String.fromCodePoint(parseInt(hex, 16));
          i += len;
        } else if (n !== undefined && map[n] !== undefined) out += map[n];
        else return undefined;
      } else out += c;
    }
    return undefined;
  }
  if (t.startsWith("'")) {
    const end = t.indexOf("'", 1);
    return end < 0 ? undefined : { value: t.slice(1, end), rest: t.slice(end + 1) };
  }
  const m = /^(true|false|[+-]?\d[\d_]*(?:\.\d+)?)/.exec(t);
  if (m === null) return undefined;
  const raw = m[1] as string;
  const value = raw === "true" ? true : raw === "false" ? false : Number(raw.replace(/_/g, ""));
  return { value, rest: t.slice(raw.length) };
}

const restIsEmpty = (rest: string): boolean => /^\s*(#.*)?$/.test(rest);

/** Parses a one-line inline table of scalars (`{ a = "x", b.c = true }`) into `out` under `prefix`. */
function inlineTable(s: string, prefix: readonly string[], out: TomlFlat): boolean {
  let t = s.trim();
  if (!t.startsWith("{")) return false;
  t = t.slice(1);
  for (;;) {
    t = t.trimStart();
    if (t.startsWith("}")) return true;
    const eq = t.indexOf("=");
    if (eq < 0) return false;
    const key = splitKey(t.slice(0, eq));
    if (key === undefined) return false;
    const v = scalar(t.slice(eq + 1));
    if (v === undefined) return false; // nested arrays/tables: stop reading this table
    out.set(joinKey([...prefix, ...key]), v.value);
    t = v.rest.trimStart();
    if (t.startsWith(",")) t = t.slice(1);
  }
}

/** Reads the scalars of a TOML document as a flat map of dotted paths. */
export function parseTomlLite(text: string): TomlFlat {
  const out: TomlFlat = new Map();
  let table: string[] = [];
  let skipping = false; // inside [[array.of.tables]] or a multi-line value
  let multiline: string | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (multiline !== undefined) {
      if (line.includes(multiline)) multiline = undefined;
      continue;
    }
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("[[")) {
      skipping = true;
      continue;
    }
    if (line.startsWith("[")) {
      const end = line.lastIndexOf("]");
      const key = end > 0 ? splitKey(line.slice(1, end)) : undefined;
      skipping = key === undefined;
      table = key ?? [];
      continue;
    }
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    const valueText = line.slice(eq + 1).trim();
    for (const q of ['"""', "'''"]) {
      if (valueText.startsWith(q) && valueText.indexOf(q, 3) < 0) multiline = q;
    }
    if (skipping || multiline !== undefined) continue;
    const key = splitKey(line.slice(0, eq));
    if (key === undefined) continue;
    const path = [...table, ...key];
    if (valueText.startsWith("{")) {
      inlineTable(valueText, path, out);
      continue;
    }
    const v = scalar(valueText);
    if (v !== undefined && restIsEmpty(v.rest)) out.set(joinKey(path), v.value);
  }
  return out;
}

/** A TOML basic string for `s` (for `-c key="value"` overrides). */
export function tomlString(s: string): string {
  return JSON.stringify(s);
}

/** A TOML key part, quoted when it is not a bare key. */
export function tomlKeyPart(s: string): string {
  return /^[A-Za-z0-9_-]+$/.test(s) ? s : JSON.stringify(s);
}
