// Surgical edits of one member of a JSON object, leaving every other byte of the file as it was:
// `headroom mcp install` adds its server entry to a user's MCP config this way, and uninstall takes
// out exactly the bytes install put in (insert then remove is the identity on the text).

/** Where one `"key": value` member sits in the text (offsets into the string). */
export interface MemberSpan {
  readonly key: string;
  readonly keyStart: number;
  readonly valueStart: number;
  readonly valueEnd: number;
}

/** An object's braces and members. */
export interface ObjectSpan {
  readonly start: number;
  /** Offset of the closing brace. */
  readonly end: number;
  readonly members: readonly MemberSpan[];
}

const WS = /[ \t\r\n]/;

function skipWs(text: string, i: number): number {
  while (i < text.length && WS.test(text[i] as string)) i++;
  return i;
}

function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === "\\") j++;
    else if (text[j] === '"') return j + 1;
  }
  throw new SyntaxError("unterminated string");
}

// End offset of the JSON value starting at `i` (which must not be whitespace).
function valueEnd(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return stringEnd(text, i);
  if (c === "{") return objectAt(text, i).end + 1;
  if (c === "[") {
    let j = skipWs(text, i + 1);
    if (text[j] === "]") return j + 1;
    for (;;) {
      j = skipWs(text, valueEnd(text, j));
      if (text[j] === "]") return j + 1;
      if (text[j] !== ",") throw new SyntaxError(`expected , or ] at ${j}`);
      j = skipWs(text, j + 1);
    }
  }
  const m = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 64));
  if (m === null) throw new SyntaxError(`unexpected character at ${i}`);
  return i + m[0].length;
}

/** The object whose `{` is at `start`. Throws SyntaxError on malformed JSON. */
export function objectAt(text: string, start: number): ObjectSpan {
  if (text[start] !== "{") throw new SyntaxError(`expected { at ${start}`);
  const members: MemberSpan[] = [];
  let i = skipWs(text, start + 1);
  if (text[i] === "}") return { start, end: i, members };
  for (;;) {
    if (text[i] !== '"') throw new SyntaxError(`expected a key at ${i}`);
    const keyEnd = stringEnd(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    let j = skipWs(text, keyEnd);
    if (text[j] !== ":") throw new SyntaxError(`expected : at ${j}`);
    const vStart = skipWs(text, j + 1);
    const vEnd = valueEnd(text, vStart);
    members.push({ key, keyStart: i, valueStart: vStart, valueEnd: vEnd });
    j = skipWs(text, vEnd);
    if (text[j] === "}") return { start, end: j, members };
    if (text[j] !== ",") throw new SyntaxError(`expected , or } at ${j}`);
    i = skipWs(text, j + 1);
  }
}

/** The root object of a JSON document (a leading BOM and whitespace allowed). */
export function rootObject(text: string): ObjectSpan {
  return objectAt(text, skipWs(text, text.charCodeAt(0) === 0xfeff ? 1 : 0));
}

/** The member `key` of `obj`, if present (the last one wins, as JSON.parse does). */
export function memberOf(obj: ObjectSpan, key: string): MemberSpan | undefined {
  return obj.members.findLast((m) => m.key === key);
}

/** The nested object at `value` of `member`, when that value is an object. */
export function objectValue(text: string, member: MemberSpan): ObjectSpan | undefined {
  return text[member.valueStart] === "{" ? objectAt(text, member.valueStart) : undefined;
}

const eolOf = (text: string): string => (text.includes("\r\n") ? "\r\n" : "\n");

/** The whitespace in front of the key of member `index`, from the end of what precedes it. */
export function leadingWs(text: string, obj: ObjectSpan, index: number): string {
  const m = obj.members[index] as MemberSpan;
  const from = index === 0 ? obj.start + 1 : text.indexOf(",", (obj.members[index - 1] as MemberSpan).valueEnd) + 1;
  return text.slice(from, m.keyStart);
}

/** How an inserted value is laid out: under `indent`, one member a line when `pretty`. */
export interface Layout {
  readonly indent: string;
  readonly eol: string;
  readonly pretty: boolean;
}

/** `value` as JSON in `layout` (pretty: two-space steps, inner lines under the indent). */
export function formatValue(value: unknown, layout: Layout): string {
  return layout.pretty ? JSON.stringify(value, null, "  ").split("\n").join(layout.eol + layout.indent) : JSON.stringify(value);
}

/**
 * `text` with `"key": <render(layout)>` added as the last member of `obj`. After the last member
 * it goes in as `,<the whitespace in front of that member>"key": value` (pretty when that
 * whitespace breaks the line); into an empty object, compact and right after the `{`.
 * `removeMember` takes out exactly those bytes again.
 */
export function insertMember(text: string, obj: ObjectSpan, key: string, value: unknown | ((layout: Layout) => string)): string {
  const eol = eolOf(text);
  const render = (layout: Layout): string => (typeof value === "function" ? (value as (l: Layout) => string)(layout) : formatValue(value, layout));
  if (obj.members.length === 0) {
    const member = `${JSON.stringify(key)}: ${render({ indent: "", eol, pretty: false })}`;
    return text.slice(0, obj.start + 1) + member + text.slice(obj.start + 1);
  }
  const lastIndex = obj.members.length - 1;
  const ws = leadingWs(text, obj, lastIndex);
  const pretty = ws.includes("\n");
  const indent = pretty ? ws.slice(ws.lastIndexOf("\n") + 1) : "";
  const member = `,${ws}${JSON.stringify(key)}: ${render({ indent, eol, pretty })}`;
  const at = (obj.members[lastIndex] as MemberSpan).valueEnd;
  return text.slice(0, at) + member + text.slice(at);
}

/**
 * `text` without the member at `index` of `obj`: from the end of the previous member's value when
 * there is one (so the comma and whitespace in front go with it), else up to the next key, else
 * just the member itself.
 */
export function removeMember(text: string, obj: ObjectSpan, index: number): string {
  const m = obj.members[index] as MemberSpan;
  if (index > 0) return text.slice(0, (obj.members[index - 1] as MemberSpan).valueEnd) + text.slice(m.valueEnd);
  const next = obj.members[index + 1];
  if (next !== undefined) return text.slice(0, m.keyStart) + text.slice(next.keyStart);
  return text.slice(0, m.keyStart) + text.slice(m.valueEnd);
}
