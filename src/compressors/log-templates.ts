// Error lines of one template: the same words, differing only in value-like slots (package specs,
// paths, versions, quoted names, numbers). `npm ls` prints 135 of
//   npm error extraneous: @scope/pkg@1.2.3 /app/node_modules/@scope/pkg
// and tsc one `error TS2307: Cannot find module 'x' ...` per missing module; none carries a clock time
// or an id, so the event fold (log-events.ts) does not see them as repeats. Here a line is split on
// spaces; a token is a slot when its core (wrapping quotes and trailing punctuation set aside) holds
// a digit, a path or scope separator (/ \ @ ::), a dotted or snake_case name, or is quoted; every
// other token, error codes (TS2307, E0425) and exception names included, is fixed text. Lines fold
// only when all their fixed tokens are equal, so a different message never folds. The marker lists
// every omitted line's slot values, losslessly (templateDetail).

/** The fixed text of a line (slots blanked) and its slot values, in order. */
export interface Template {
  readonly key: string;
  readonly slots: readonly string[];
}

const SLOT = "\u0002";
const QUOTES = new Set([39, 34, 96]); // ' " `
const TRAILING = new Set([44, 59, 58, 46, 33, 63, 13]); // , ; : . ! ? CR
const CODE_RE = /^(?:[a-z]+\[)?[A-Z]{1,5}\d{2,6}\]?:?$/;
const MAX_SLOTS = 8;

// A value rather than a word: digits, paths, scopes, package specs, dotted or snake_case names.
function valueLike(core: string): boolean {
  if (core.length === 0) return false;
  if (/[0-9/\\@]/.test(core) || core.includes("::") || core.includes("_")) return true;
  return /\w\.\w/.test(core);
}

/**
 * The template of an error line, or undefined when it has no slot, more than MAX_SLOTS, or no fixed
 * word of three letters or more (a line of values alone says too little to group by).
 * @example templateOf("npm error missing: zod@^3, required by app@1.0.0") // slots ["zod@^3", "app@1.0.0"]
 */
export function templateOf(line: string): Template | undefined {
  const tokens = line.split(" ");
  const slots: string[] = [];
  const key: string[] = [];
  let words = 0;
  for (const raw of tokens) {
    if (CODE_RE.test(raw)) {
      key.push(raw);
      continue;
    }
    let a = 0;
    let b = raw.length;
    while (b > a && TRAILING.has(raw.charCodeAt(b - 1))) b--;
    let quoted = false;
    if (b - a >= 2 && QUOTES.has(raw.charCodeAt(a)) && raw.charCodeAt(b - 1) === raw.charCodeAt(a)) {
      a++;
      b--;
      quoted = true;
    } else if (b - a >= 2 && raw.charCodeAt(a) === 40 && raw.charCodeAt(b - 1) === 41) {
      a++;
      b--;
    }
    const core = raw.slice(a, b);
    if ((quoted && core.length > 0) || valueLike(core)) {
      slots.push(core);
      key.push(`${raw.slice(0, a)}${SLOT}${raw.slice(b)}`);
      continue;
    }
    key.push(raw);
    if (/[A-Za-z]{3}/.test(raw)) words++;
  }
  if (slots.length === 0 || slots.length > MAX_SLOTS || words === 0) return undefined;
  return { key: key.join(" "), slots };
}

/** One omitted line (or run of identical lines) of a template fold. */
export interface TemplateRow {
  readonly slots: readonly string[];
  readonly count: number;
}

const ORDINALS = ["1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th"];
// Separators after which a shared prefix (before which a shared suffix) may be cut.
const SEPARATORS = "/\\@.:-_(,[";
const MIN_AFFIX = 4;

// A marker's detail may not hold "]" or a line break (src/ccr/marker.ts): "]" is written "⟧".
function escape(value: string): string {
  return value.replace(/\]/g, "⟧");
}

function sharedPrefix(values: readonly string[]): number {
  const first = values[0] ?? "";
  let n = first.length;
  for (const v of values) {
    let k = 0;
    while (k < n && k < v.length && v.charCodeAt(k) === first.charCodeAt(k)) k++;
    n = k;
  }
  // Cut right after a separator, and leave every value a non-empty middle.
  while (n > 0 && !SEPARATORS.includes(first[n - 1] ?? "")) n--;
  for (const v of values) if (v.length <= n) return 0;
  return n >= MIN_AFFIX ? n : 0;
}

function sharedSuffix(values: readonly string[], prefix: number): number {
  const first = values[0] ?? "";
  let n = first.length - prefix;
  for (const v of values) {
    let k = 0;
    const room = v.length - prefix;
    while (k < n && k < room && v.charCodeAt(v.length - 1 - k) === first.charCodeAt(first.length - 1 - k)) k++;
    n = k;
  }
  // A lone closing bracket counts when it closes one the prefix opened ("lookup[{40}]").
  const closes = (k: number) => /^[)\]]+$/.test(first.slice(first.length - k)) && values.every((v) => !/[([]/.test(v.slice(prefix, v.length - k)));
  while (n > 0 && !SEPARATORS.includes(first[first.length - n] ?? "") && !closes(n)) n--;
  for (const v of values) if (v.length - prefix <= n) return 0;
  return n >= MIN_AFFIX || (n > 0 && closes(n)) ? n : 0;
}

// "/app/node_modules/{name}" where name is slot `from` cut before its last `sep`, on every line.
function derivedFrom(mids: readonly string[], all: readonly (readonly string[])[], slot: number): { from: number; sep: string } | undefined {
  for (let from = 0; from < slot; from++) {
    for (const sep of ["@", ":"]) {
      const ok = all.every((slots, r) => {
        const v = slots[from] ?? "";
        const at = v.lastIndexOf(sep);
        return at > 0 && v.slice(0, at) === mids[r];
      });
      if (ok) return { from, sep };
    }
  }
  return undefined;
}

/**
 * The detail of a template fold: the slots of the line above that vary, then every omitted line's
 * values in order, so each line can be rebuilt exactly. Shared prefixes and suffixes are written
 * once in braces' surroundings; a slot that repeats another's value up to its last "@" is said so
 * once; when one slot holds the same value over consecutive lines they are grouped under it.
 * Undefined when a value could not be written unambiguously.
 * @example templateDetail([["a@1", "/m/a"], ["b@2", "/m/b"], ["c@3", "/m/c"]], [{ slots: ["b@2", "/m/b"], count: 1 }])
 */
export function templateDetail(all: readonly (readonly string[])[], rows: readonly TemplateRow[]): string | undefined {
  const first = all[0];
  if (!first || rows.length === 0) return undefined;
  // Values hold no space, so ", " "; " ": " separate them unambiguously; braces and "⟧" would not.
  for (const slots of all) for (const v of slots) if (/[{}⟧–\u0000-\u001f\u007f]/.test(v)) return undefined;
  const varying: number[] = [];
  for (let s = 0; s < first.length; s++) if (all.some((slots) => slots[s] !== first[s])) varying.push(s);
  if (varying.length === 0) return undefined;
  const pieces: string[] = [];
  const notes: string[] = [];
  const listed: number[] = [];
  const cut = new Map<number, { prefix: number; suffix: number }>();
  for (const s of varying) {
    const values = all.map((slots) => slots[s] ?? "");
    const prefix = sharedPrefix(values);
    const suffix = sharedSuffix(values, prefix);
    cut.set(s, { prefix, suffix });
    const v = first[s] ?? "";
    const mids = values.map((x) => x.slice(prefix, x.length - suffix));
    const derived = derivedFrom(mids, all, s);
    pieces.push(`${escape(v.slice(0, prefix))}{${escape(mids[0] ?? "")}}${escape(v.slice(v.length - suffix))}`);
    if (derived && varying.includes(derived.from)) {
      const k = varying.indexOf(s);
      const j = varying.indexOf(derived.from);
      notes.push(`the ${ORDINALS[k] ?? k + 1} is the ${ORDINALS[j] ?? j + 1} up to its last "${derived.sep}"`);
    } else listed.push(s);
  }
  const mid = (s: number, v: string) => {
    const c = cut.get(s) ?? { prefix: 0, suffix: 0 };
    return escape(v.slice(c.prefix, v.length - c.suffix));
  };
  const rowText = (row: TemplateRow, slots: readonly number[]) => {
    const text = slots.map((s) => mid(s, row.slots[s] ?? "")).join(" ");
    return row.count > 1 ? `${text} x${row.count}` : text;
  };
  const note = notes.length > 0 ? ` (${notes.join("; ")})` : "";
  const head = `the line above with ${pieces.join(" ")}${note} taking in turn`;
  const flat = listed.length === 1 ? withRanges(rows.map((r) => rowText(r, listed))) : rows.map((r) => rowText(r, listed)).join(", ");
  const grouped = groupedBody(rows, listed, rowText, mid);
  const body = grouped !== undefined && grouped.text.length < flat.length ? grouped.text : flat;
  const by = grouped !== undefined && body === grouped.text ? `, grouped by the ${ORDINALS[varying.indexOf(grouped.slot)] ?? ""}` : "";
  return `${head}${by}: ${body}`;
}

// Rows under the slot whose value repeats over the longest consecutive stretches: "v: a, b; w: c".
function groupedBody(
  rows: readonly TemplateRow[],
  listed: readonly number[],
  rowText: (row: TemplateRow, slots: readonly number[]) => string,
  mid: (s: number, v: string) => string,
): { text: string; slot: number } | undefined {
  if (listed.length < 2) return undefined;
  let best: { slot: number; groups: number } | undefined;
  for (const s of listed) {
    let groups = 0;
    for (let r = 0; r < rows.length; r++) if (r === 0 || rows[r]?.slots[s] !== rows[r - 1]?.slots[s]) groups++;
    if (groups * 2 <= rows.length && (!best || groups < best.groups)) best = { slot: s, groups };
  }
  if (!best) return undefined;
  const slot = best.slot;
  const others = listed.filter((s) => s !== slot);
  const parts: string[] = [];
  let r = 0;
  while (r < rows.length) {
    const value = rows[r]?.slots[slot] ?? "";
    const members: string[] = [];
    while (r < rows.length && rows[r]?.slots[slot] === value) members.push(rowText(rows[r++] as TemplateRow, others));
    parts.push(`${mid(slot, value)}: ${members.join(", ")}`);
  }
  return { text: parts.join("; "), slot };
}

// Runs of three or more consecutive integers written "a–b" (every integer from a to b, in order).
function withRanges(items: readonly string[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < items.length) {
    let j = i + 1;
    if (/^\d{1,15}$/.test(items[i] ?? "")) {
      while (j < items.length && /^\d{1,15}$/.test(items[j] ?? "") && (items[j] ?? "").length === (items[j - 1] ?? "").length && Number(items[j]) === Number(items[j - 1]) + 1) j++;
    }
    if (j - i >= 3) out.push(`${items[i]}–${items[j - 1]}`);
    else for (let k = i; k < j; k++) out.push(items[k] ?? "");
    i = j;
  }
  return out.join(", ");
}
