import { describe, expect, it } from "vitest";
import { parseMarkers } from "../../src/ccr/marker.js";
import { compressDiff, parseUnifiedDiff } from "../../src/compressors/diff.js";
import { RUN_MIN } from "../../src/compressors/diff-runs.js";
import { compressUnit } from "../../src/pipeline/compress-unit.js";
import { contextFor, runCompressorContract } from "./contract.js";
import { fixtures, readFixture } from "./fixtures.js";
import { unfoldRepeats } from "./line-checks.js";

const all = fixtures("diff");
runCompressorContract("diff", compressDiff, all);

const isHeader = (line: string) => /^(?:diff --git |index |--- |\+\+\+ |@@ )/.test(line);
const isChange = (line: string) => /^[-+]/.test(line);
const RUN_UNITS = new Set(["added lines", "removed lines"]);

// Walks the output against the original: every output line is the next original line or a marker
// that stands for the next `count` lines. Returns which original lines were shown, and where each
// added/removed-lines marker started with the original lines it stood for.
function replay(text: string, out: string): { ok: boolean; shownAt: Set<number>; runGaps: Array<{ at: number; lines: string[] }> } {
  const lines = text.split("\n");
  const shownAt = new Set<number>();
  const runGaps: Array<{ at: number; lines: string[] }> = [];
  let i = 0;
  for (const line of out.split("\n")) {
    const marker = parseMarkers(line)[0];
    if (!marker) {
      if (lines[i] !== line) return { ok: false, shownAt, runGaps };
      shownAt.add(i++);
      continue;
    }
    const count = marker.unit === "hunks" ? Number(/^(\d+) lines/.exec(marker.detail ?? "")?.[1]) : marker.count;
    if (RUN_UNITS.has(marker.unit)) runGaps.push({ at: i, lines: lines.slice(i, i + count) });
    i += count;
  }
  return { ok: i === lines.length, shownAt, runGaps };
}

describe("diff compressor", () => {
  for (const { name, text } of all) {
    describe(name, () => {
      const result = compressDiff(text, contextFor(text));
      const out = result?.text ?? text;
      const shown = new Set(out.split("\n"));
      const hunkMarkers = parseMarkers(out).filter((m) => m.unit === "hunks");
      const runMarkers = parseMarkers(out).filter((m) => RUN_UNITS.has(m.unit));

      it("keeps every file header and, unless whole hunks or long runs were marked, every changed line", () => {
        for (const line of text.split("\n")) {
          if (/^(?:diff --git |--- |\+\+\+ )/.test(line)) expect(shown.has(line), line).toBe(true);
          if (hunkMarkers.length === 0 && isHeader(line)) expect(shown.has(line), line).toBe(true);
          if (hunkMarkers.length === 0 && runMarkers.length === 0 && isChange(line)) expect(shown.has(line), line).toBe(true);
        }
      });

      it("marks added or removed lines only inside one run of at least RUN_MIN lines, with exact counts", () => {
        const { ok, runGaps } = replay(text, out);
        expect(ok).toBe(true);
        for (const [k, { lines: gap }] of runGaps.entries()) {
          const marker = runMarkers[k]!;
          expect(gap.length).toBe(marker.count);
          const sign = marker.unit === "added lines" ? "+" : "-";
          for (const line of gap) expect(line.startsWith(sign), line).toBe(true);
          const [first, last] = (/^lines (\d+)-(\d+)$/.exec(marker.detail ?? "") ?? []).slice(1).map(Number);
          expect(last! - first! + 1).toBe(marker.count);
        }
      });

      it("accounts for every line: kept, or counted in a context-lines, added/removed-lines or hunks marker", () => {
        const lines = text.split("\n");
        const { kinds, hunks } = parseUnifiedDiff(lines);
        expect(kinds.length).toBe(lines.length);
        let accounted = 0;
        for (const line of out.split("\n")) {
          const marker = parseMarkers(line)[0];
          if (!marker) accounted += 1;
          else if (marker.unit === "context lines" || RUN_UNITS.has(marker.unit)) accounted += marker.count;
          else accounted += Number(/^(\d+) lines/.exec(marker.detail ?? "")?.[1] ?? NaN);
        }
        expect(accounted).toBe(lines.length);
        const hunksDropped = hunkMarkers.reduce((n, m) => n + m.count, 0);
        expect(hunksDropped).toBeLessThan(hunks.length);
      });

      it("drops nothing in lossless-only mode", () => {
        const lossless = compressDiff(text, { ...contextFor(text), losslessOnly: true });
        if (lossless) expect(unfoldRepeats(lossless.text)).toBe(text);
      });
    });
  }

  it("trims context far from changes in a real git diff and marks it", () => {
    const text = readFixture("diff", "git-diff-email-py311-py313.txt");
    const result = compressDiff(text, contextFor(text));
    expect(result).not.toBeNull();
    expect(result!.omissions.some((o) => o.unit === "context lines")).toBe(true);
    expect(result!.text.length).toBeLessThan(text.length * 0.5);
    expect(result!.text).toContain("+    if not value or value[0] != '\"':");
  });

  it("keeps every changed line of diff -u output when it is not far over budget", () => {
    const text = readFixture("diff", "diff-u-argparse-py311-py312.txt");
    const out = compressDiff(text, contextFor(text, { budget: 600 }))?.text ?? text;
    for (const line of text.split("\n")) if (isChange(line) || line.startsWith("@@")) expect(out).toContain(line);
  });

  it("marks whole hunks when far over a tight budget, keeping each file's first hunk", () => {
    const text = readFixture("diff", "git-diff-email-py311-py313.txt");
    const result = compressDiff(text, contextFor(text, { budget: 300 }));
    expect(result!.omissions.some((o) => o.unit === "hunks")).toBe(true);
    for (const line of text.split("\n")) if (line.startsWith("diff --git ")) expect(result!.text).toContain(line);
  });

  it("keeps a hunk that matches the query even when far over budget", () => {
    const text = readFixture("diff", "git-diff-email-py311-py313.txt");
    const query = { text: "_iter_escaped_chars", terms: [], entities: ["_iter_escaped_chars"] };
    const out = compressDiff(text, contextFor(text, { budget: 300, query }))?.text ?? "";
    for (const line of text.split("\n")) if (isChange(line) && line.includes("_iter_escaped_chars")) expect(out).toContain(line);
  });
});

describe("diff compressor: long runs of added or removed lines (git log -p of new files)", () => {
  const text = readFixture("diff", "git-log-p-undici-added-files.txt");
  const lines = text.split("\n");
  const { kinds } = parseUnifiedDiff(lines);
  const result = compressDiff(text, contextFor(text));
  const out = result?.text ?? text;
  const shown = new Set(out.split("\n"));

  // The runs of consecutive "+" lines of the fixture (each added file is one run).
  const runs: Array<[number, number]> = [];
  for (let i = 0; i < lines.length; ) {
    if (!(lines[i] ?? "").startsWith("+") || kinds[i] !== 2) {
      i++;
      continue;
    }
    let j = i;
    while (j < lines.length && (lines[j] ?? "").startsWith("+") && kinds[j] === 2) j++;
    runs.push([i, j]);
    i = j;
  }

  it("shrinks by at least 70% at the default budget with an empty query", () => {
    expect(result).not.toBeNull();
    expect(out.length).toBeLessThan(text.length * 0.3);
    expect(result!.omissions.every((o) => o.unit === "added lines")).toBe(true);
    const unit = compressUnit(text, { query: { text: "", terms: [], entities: [] } });
    expect(unit.fallback).toBeUndefined();
    expect(unit.kind).toBe("diff");
    expect(unit.text.length).toBeLessThan(text.length * 0.3);
  });

  it("keeps commit headers, messages, file and hunk headers, and each run's first and last lines", () => {
    for (const [i, line] of lines.entries()) if (kinds[i] !== 2) expect(shown.has(line), line).toBe(true);
    expect(out).toContain("    dispatcher: HTTP/1.1 client");
    expect(runs.length).toBe(3);
    for (const [from, to] of runs) {
      expect(to - from).toBeGreaterThanOrEqual(RUN_MIN);
      for (const k of [from, from + 1, from + 2, to - 2, to - 1]) expect(shown.has(lines[k]!), lines[k]).toBe(true);
    }
  });

  it("accounts for every line of every run: kept lines plus marker counts", () => {
    const { ok, shownAt, runGaps } = replay(text, out);
    expect(ok).toBe(true);
    for (const [from, to] of runs) {
      let kept = 0;
      for (let i = from; i < to; i++) if (shownAt.has(i)) kept++;
      const gaps = runGaps.filter((g) => g.at >= from && g.at < to);
      for (const gap of gaps) expect(gap.at + gap.lines.length).toBeLessThanOrEqual(to);
      expect(gaps.length).toBeGreaterThan(0);
      expect(kept + gaps.reduce((n, g) => n + g.lines.length, 0)).toBe(to - from);
    }
    expect(runGaps.reduce((n, g) => n + g.lines.length, 0)).toBe(result!.omissions.reduce((n, o) => n + o.count, 0));
  });

  it("keeps declarations and Markdown headings as the map of each added file", () => {
    expect(out).toContain("+function writeStream (abort, body, client, request, socket, contentLength, header, expectsPayload) {");
    expect(out).toContain("+function parseURL (url) {");
    expect(out).toContain("+## Install");
  });

  it("keeps every line the query names", () => {
    const query = { text: "why does onParserTimeout fire", terms: ["onparsertimeout", "fire"], entities: ["onParserTimeout", "isValidHTTPToken"] };
    const narrowed = compressDiff(text, contextFor(text, { query }))?.text ?? "";
    const named = lines.filter((l) => l.includes("onParserTimeout") || l.includes("isValidHTTPToken"));
    expect(named.length).toBeGreaterThan(3);
    for (const line of named) expect(narrowed.split("\n")).toContain(line);
    expect(narrowed.length).toBeLessThan(text.length * 0.3);
  });

  it("marks removed lines the same way (the same history reversed: files deleted)", () => {
    const from = lines.indexOf("diff --git a/README.md b/README.md");
    const to = lines.findIndex((l, i) => i > from && l.startsWith("commit "));
    const reversed = lines
      .slice(from, to)
      .map((l) =>
        l === "new file mode 100644"
          ? "deleted file mode 100644"
          : l === "--- /dev/null"
            ? "--- a/README.md"
            : l === "+++ b/README.md"
              ? "+++ /dev/null"
              : l.startsWith("@@ ")
                ? l.replace(/^@@ -0,0 \+1,(\d+) @@/, "@@ -1,$1 +0,0 @@")
                : l.startsWith("+")
                  ? `-${l.slice(1)}`
                  : l,
      )
      .join("\n");
    const removed = compressDiff(reversed, contextFor(reversed));
    expect(removed).not.toBeNull();
    expect(removed!.omissions.every((o) => o.unit === "removed lines")).toBe(true);
    expect(removed!.text).toContain("-# undici");
    expect(removed!.text.split("\n").some((l) => l.startsWith("-## "))).toBe(true);
    expect(replay(reversed, removed!.text).ok).toBe(true);
  });
});
