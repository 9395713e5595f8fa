import { describe, expect, it } from "vitest";
import { parseMarkers } from "../../src/ccr/marker.js";
import { compressDiff, parseUnifiedDiff } from "../../src/compressors/diff.js";
import { contextFor, runCompressorContract } from "./contract.js";
import { fixtures, readFixture } from "./fixtures.js";
import { unfoldRepeats } from "./line-checks.js";

const all = fixtures("diff");
runCompressorContract("diff", compressDiff, all);

const isHeader = (line: string) => /^(?:diff --git |index |--- |\+\+\+ |@@ )/.test(line);
const isChange = (line: string) => /^[-+]/.test(line);

describe("diff compressor", () => {
  for (const { name, text } of all) {
    describe(name, () => {
      const result = compressDiff(text, contextFor(text));
      const out = result?.text ?? text;
      const shown = new Set(out.split("\n"));
      const hunkMarkers = parseMarkers(out).filter((m) => m.unit === "hunks");

      it("keeps every file header and, unless whole hunks were marked, every changed line", () => {
        for (const line of text.split("\n")) {
          if (/^(?:diff --git |--- |\+\+\+ )/.test(line)) expect(shown.has(line), line).toBe(true);
          if (hunkMarkers.length === 0 && (isHeader(line) || isChange(line))) expect(shown.has(line), line).toBe(true);
        }
      });

      it("accounts for every line: kept, or counted in a context-lines or hunks marker", () => {
        const lines = text.split("\n");
        const { kinds, hunks } = parseUnifiedDiff(lines);
        expect(kinds.length).toBe(lines.length);
        let accounted = 0;
        for (const line of out.split("\n")) {
          const marker = parseMarkers(line)[0];
          if (!marker) accounted += 1;
          else if (marker.unit === "context lines") accounted += marker.count;
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
