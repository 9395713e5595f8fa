// Lossy selection in the skeleton of a JSON document (everything outside its tables), for documents
// that are mostly nested objects (a diagnostic report, a config, a metrics dump). The units are the
// leaf members (a scalar, an array without tables, a small object); containers are kept only for
// what they hold. Units are chosen by query relevance (a member also gains from relevant siblings:
// "rss" beside "total_memory" when the query asks about memory) and error hints, densest first, then
// small members in document order, all within an allowance. Each object that loses members gets one
// marker naming them:
//
//   {"nodejsVersion":"v20.20.2","arch":"x64",[14 keys omitted: reportVersion, event, ... · headroom_retrieve hash=...]}
//
// Tables (see json-table.ts) and the containers holding them are always kept, and visited in the
// same order as renderWithTables, so `<table N>` numbers match.
import { formatMarker } from "../ccr/marker.js";
import type { Omission, Query } from "./types.js";
import type { JsonObject, TablePlan } from "./json-table.js";
import { clean } from "./json-select.js";
import { relevanceScores } from "./search-relevance.js";

/** An object member serialized in at most this many characters is one unit, not a container. */
const SMALL_OBJECT = 96;
const SIBLING_SHARE = 0.5;
const ERROR_HINT = /error|exception|fail|fatal|panic/i;
const MAX_NAMED_KEYS = 6;
const MARKER_COST = 90;
const SHORT_MEMBER = 32;

interface Unit {
  readonly key: string;
  readonly text: string;
  readonly parent: number;
  readonly order: number;
}

function isPlainObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export interface PrunedSkeleton {
  readonly text: string;
  readonly omissions: Omission[];
}

/**
 * Renders the skeleton of `root` within about `allowance` characters; null when the document has no
 * member to prune. `stringify` serializes kept values (it may cut long strings and report it).
 */
export function pruneSkeleton(
  root: object,
  plan: TablePlan,
  query: Query,
  hash: string,
  allowance: number,
  stringify: (value: unknown) => string,
): PrunedSkeleton | null {
  if (Array.isArray(root) && plan.tables.has(root)) return null;
  const units: Unit[] = [];
  const unitOf = new Map<string, number>(); // "parent/key" -> unit index
  let containers = 0;
  // Serialized sizes of objects, each computed once (bottom-up), so the walk stays linear.
  const sizes = new Map<object, number>();
  const sizeOf = (value: unknown): number => {
    if (value === null || typeof value !== "object") return JSON.stringify(value).length;
    let size = sizes.get(value);
    if (size !== undefined) return size;
    size = 1;
    if (Array.isArray(value)) for (const item of value) size += sizeOf(item) + 1;
    else for (const key in value as JsonObject) size += JSON.stringify(key).length + 2 + sizeOf((value as JsonObject)[key]);
    sizes.set(value, size);
    return size;
  };
  const isContainer = (value: unknown): value is object => {
    if (value === null || typeof value !== "object") return false;
    if (plan.tables.has(value as unknown[]) || plan.holders.has(value)) return true;
    return isPlainObject(value) && sizeOf(value) > SMALL_OBJECT;
  };
  const ids = new Map<object, number>();
  const collect = (node: object): void => {
    const id = containers++;
    ids.set(node, id);
    const entries: [string, unknown][] = Array.isArray(node) ? node.map((v, i) => [String(i), v]) : Object.entries(node as JsonObject);
    for (const [key, child] of entries) {
      if (child !== null && typeof child === "object" && plan.tables.has(child as unknown[])) continue;
      if (isContainer(child)) {
        collect(child);
        continue;
      }
      unitOf.set(`${id}/${key}`, units.length);
      units.push({ key, text: `${JSON.stringify(key)}:${JSON.stringify(child)}`, parent: id, order: units.length });
    }
  };
  collect(root);
  if (units.length === 0) return null;

  // Relevance, with a share of the best sibling's; error hints count as relevant.
  const scores = relevanceScores(
    units.map((u) => u.text),
    query,
    0.5,
    2,
  );
  let best = 0;
  for (const score of scores) best = Math.max(best, score);
  units.forEach((unit, i) => {
    if (ERROR_HINT.test(unit.text)) scores[i] = Math.max(scores[i] ?? 0, best || 1);
  });
  const siblingBest = new Map<number, number>();
  units.forEach((unit, i) => siblingBest.set(unit.parent, Math.max(siblingBest.get(unit.parent) ?? 0, scores[i] ?? 0)));
  const worth = units.map((unit, i) => (scores[i] ?? 0) + SIBLING_SHARE * (siblingBest.get(unit.parent) ?? 0));

  const keep = new Uint8Array(units.length);
  const opened = new Set<number>();
  let used = 0;
  const tryKeep = (i: number, must = false): void => {
    const unit = units[i] as Unit;
    const cost = unit.text.length + 1 + (opened.has(unit.parent) ? 0 : MARKER_COST / 3);
    if (!must && used + cost > allowance) return;
    keep[i] = 1;
    used += cost;
    opened.add(unit.parent);
  };
  const ranked = units.map((_, i) => i).filter((i) => (worth[i] ?? 0) > 0);
  ranked.sort((a, b) => (worth[b] ?? 0) / ((units[b] as Unit).text.length + 8) - (worth[a] ?? 0) / ((units[a] as Unit).text.length + 8) || a - b);
  // A short relevant member (a scalar beside its key) costs little and is often the fact asked for.
  for (const i of ranked) tryKeep(i, (units[i] as Unit).text.length <= SHORT_MEMBER);
  for (let i = 0; i < units.length; i++) if (!keep[i] && (units[i] as Unit).text.length <= SHORT_MEMBER) tryKeep(i);

  // Render, in renderWithTables' order.
  const omissions: Omission[] = [];
  let tableId = 0;
  const render = (node: object): string | null => {
    const id = ids.get(node) ?? -1;
    const isArray = Array.isArray(node);
    const entries: [string, unknown][] = isArray ? node.map((v, i) => [String(i), v]) : Object.entries(node as JsonObject);
    const parts: string[] = [];
    const dropped: string[] = [];
    for (const [key, child] of entries) {
      const prefix = isArray ? "" : `${JSON.stringify(key)}:`;
      if (child !== null && typeof child === "object" && plan.tables.has(child as unknown[])) {
        parts.push(`${prefix}<table ${++tableId}>`);
        continue;
      }
      if (isContainer(child)) {
        const inner = render(child);
        if (inner === null) dropped.push(key);
        else parts.push(prefix + inner);
        continue;
      }
      const u = unitOf.get(`${id}/${key}`);
      if (u !== undefined && keep[u]) parts.push(prefix + stringify(child));
      else dropped.push(key);
    }
    const holdsTable = plan.holders.has(node);
    if (parts.length === 0 && !holdsTable && node !== root) return null;
    if (dropped.length > 0) {
      const named = dropped.slice(0, MAX_NAMED_KEYS).map(clean).join(", ");
      const more = dropped.length > MAX_NAMED_KEYS ? `, +${dropped.length - MAX_NAMED_KEYS} more` : "";
      const unit = isArray ? (dropped.length === 1 ? "item" : "items") : dropped.length === 1 ? "key" : "keys";
      parts.push(formatMarker({ count: dropped.length, unit, hash, detail: `${named}${more}` }));
      omissions.push({ count: dropped.length, unit });
    }
    return isArray ? `[${parts.join(",")}]` : `{${parts.join(",")}}`;
  };
  const text = render(root) ?? "";
  return { text, omissions };
}
