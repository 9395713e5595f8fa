// Repeats of one error/warning event: the first and the last occurrence stay verbatim, the ones in
// between become one marker, written right after the first, that lists the values that differ
// (see log-fields.ts). The rule itself is documented at the top of log.ts.
import { stripAnsi, type LineRun } from "./fold.js";
import { foldDetail, lineFields, type Field, type FieldValues } from "./log-fields.js";
import { templateDetail, type TemplateRow } from "./log-templates.js";

/** One error or warning line that may fold with the other occurrences of its event. */
export interface EventCandidate {
  readonly run: number;
  /** Equal for occurrences of one event: masked shape, severity, stack text. */
  readonly key: string;
  /** A JSON-lines record (fields by key) rather than a line read by its tokens. */
  readonly json: boolean;
  /** A structured record (JSON or access log): the marker counts "records", else "lines". */
  readonly record: boolean;
  readonly error: boolean;
  /** Matches the query: kept verbatim when such matches are a minority of the event's occurrences. */
  readonly exempt: boolean;
  /** A duration outlier: kept verbatim when outliers are a minority of the event's occurrences. */
  readonly anomaly: boolean;
  /** A template line (log-templates.ts): its slot values, all listed in the marker. */
  readonly slots?: readonly string[];
}

export interface EventFold {
  /** The first occurrence, after which the marker is written. */
  readonly first: number;
  readonly count: number;
  readonly unit: string;
  readonly detail: string;
}

export interface EventFoldPlan {
  /** Runs counted by a fold marker (not shown, not counted in any other marker). */
  readonly folded: Uint8Array;
  /** The fold marker to write after each first occurrence, by run. */
  readonly after: Map<number, EventFold>;
}

const MIN_OCCURRENCES = 3;
const MAX_DETAIL = 400;
// Room for "[53 similar error records omitted: " and " · headroom_retrieve hash=…]".
const MARKER_FRAME = 80;

/**
 * Plans the folds: for each event with at least three occurrences, every occurrence between the
 * first and the last that is not exempt is folded, when the marker is at most half the size of what
 * it replaces. Candidates must be given in line order.
 */
export function planEventFolds(
  lines: readonly string[],
  runs: readonly LineRun[],
  candidates: readonly EventCandidate[],
): EventFoldPlan {
  const folded = new Uint8Array(runs.length);
  const after = new Map<number, EventFold>();
  const groups = new Map<string, EventCandidate[]>();
  for (const c of candidates) {
    const list = groups.get(c.key);
    if (list) list.push(c);
    else groups.set(c.key, [c]);
  }
  for (const group of groups.values()) {
    if (group.length < MIN_OCCURRENCES) continue;
    const plan = planGroup(lines, runs, group);
    if (!plan) continue;
    for (const run of plan.members) folded[run] = 1;
    after.set(plan.fold.first, plan.fold);
  }
  return { folded, after };
}

function planGroup(
  lines: readonly string[],
  runs: readonly LineRun[],
  group: readonly EventCandidate[],
): { fold: EventFold; members: number[] } | undefined {
  const head = group[0];
  if (!head) return undefined;
  if (head.slots) return planTemplate(runs, lines, group);
  const fieldsOf = (c: EventCandidate) => lineFields(stripAnsi(lines[runs[c.run]?.start ?? 0] ?? ""), c.json);
  const headFields = fieldsOf(head);
  if (!headFields) return undefined;
  // Occurrences whose fields do not line up with the first one's stay verbatim (they are not
  // provably the same event), as do exempt ones; the last occurrence is always shown.
  const all: { c: EventCandidate; fields: Field[] }[] = [{ c: head, fields: headFields }];
  for (let g = 1; g < group.length; g++) {
    const c = group[g] as EventCandidate;
    const fields = fieldsOf(c);
    if (fields && aligned(headFields, fields)) all.push({ c, fields });
  }
  if (all.length < MIN_OCCURRENCES) return undefined;
  // A query match or a duration outlier singles an occurrence out only when few are like it: when
  // most occurrences match (or are slow), that is what the event is, and the marker shows the values.
  const rare = (count: number) => count * 2 < all.length;
  const byQuery = rare(all.filter((m) => m.c.exempt).length);
  const byAnomaly = rare(all.filter((m) => m.c.anomaly).length);
  const middle = all.slice(1, -1).filter((m) => !(byQuery && m.c.exempt) && !(byAnomaly && m.c.anomaly));
  if (middle.length === 0) return undefined;

  let count = 0;
  let replaced = 0;
  for (const m of middle) {
    const run = runs[m.c.run];
    const n = run?.count ?? 1;
    count += n;
    replaced += ((lines[run?.start ?? 0] ?? "").length + 1) * n;
  }
  // A field is listed unless it has one value on every occurrence (then the shown lines say it).
  const varying: FieldValues[] = [];
  for (let f = 0; f < headFields.length; f++) {
    const first = headFields[f]?.value;
    if (all.every((m) => m.fields[f]?.value === first)) continue;
    const values: string[] = [];
    for (const m of middle) {
      const v = m.fields[f]?.value ?? "";
      const n = runs[m.c.run]?.count ?? 1;
      for (let k = 0; k < n; k++) values.push(v);
    }
    varying.push({ label: headFields[f]?.label ?? "", values });
  }
  const room = Math.min(MAX_DETAIL, Math.floor(replaced / 2) - MARKER_FRAME);
  if (room < 24) return undefined;
  const detail = varying.length === 0 ? "the same text as the one above" : foldDetail(varying, !head.json, room);
  if (!detail) return undefined;
  const unit = `similar ${head.error ? "error" : "warning"} ${head.record ? "records" : "lines"}`;
  return { fold: { first: head.run, count, unit, detail }, members: middle.map((m) => m.c.run) };
}

// A template fold lists every omitted line's values (lossless), so it has no length cap; it is made
// only when the marker is at most half of what it replaces.
function planTemplate(
  runs: readonly LineRun[],
  lines: readonly string[],
  group: readonly EventCandidate[],
): { fold: EventFold; members: number[] } | undefined {
  const head = group[0];
  if (!head) return undefined;
  const rare = (count: number) => count * 2 < group.length;
  const byQuery = rare(group.filter((c) => c.exempt).length);
  const middle = group.slice(1, -1).filter((c) => !(byQuery && c.exempt));
  if (middle.length === 0) return undefined;
  let count = 0;
  let replaced = 0;
  const rows: TemplateRow[] = [];
  for (const c of middle) {
    const run = runs[c.run];
    const n = run?.count ?? 1;
    count += n;
    replaced += ((lines[run?.start ?? 0] ?? "").length + 1) * n;
    rows.push({ slots: c.slots ?? [], count: n });
  }
  const detail = templateDetail(group.map((c) => c.slots ?? []), rows);
  if (!detail || detail.length + MARKER_FRAME > replaced / 2) return undefined;
  const unit = `similar ${head.error ? "error" : "warning"} lines`;
  return { fold: { first: head.run, count, unit, detail }, members: middle.map((c) => c.run) };
}

function aligned(a: readonly Field[], b: readonly Field[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]?.label !== b[i]?.label) return false;
  return true;
}
