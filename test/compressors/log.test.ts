import { describe, expect, it } from "vitest";
import { parseMarkers } from "../../src/ccr/marker.js";
import { classifyLine, compressLog, LINE_ERROR, LINE_STACK, LINE_WARNING } from "../../src/compressors/log.js";
import { contextFor, runCompressorContract } from "./contract.js";
import { fixtures, readFixture } from "./fixtures.js";
import { accountedLines, unfoldRepeats } from "./line-checks.js";

const all = fixtures("log");
runCompressorContract("log", compressLog, all);

// Small fixtures fit the default budget untouched; a tight budget makes the compressor select.
const tight = (text: string) => contextFor(text, { budget: 50 });

describe("log compressor", () => {
  for (const { name, text } of all) {
    describe(name, () => {
      const result = compressLog(text, tight(text)) ?? { text, omissions: [] };
      const shown = new Set(result.text.split("\n"));

      it("keeps every error and warning line verbatim", () => {
        for (const line of text.split("\n")) {
          const flags = classifyLine(line);
          if (flags & (LINE_ERROR | LINE_WARNING) && !(flags & LINE_STACK)) {
            expect(shown.has(line), `dropped: ${line.slice(0, 100)}`).toBe(true);
          }
        }
      });

      it("accounts for every original line (kept, repeated or counted in a marker)", () => {
        expect(accountedLines(result.text)).toBe(text.split("\n").length);
      });

      it("drops nothing in lossless-only mode", () => {
        const lossless = compressLog(text, { ...tight(text), losslessOnly: true });
        if (!lossless) return;
        expect(lossless.omissions).toEqual([]);
        expect(unfoldRepeats(lossless.text)).toBe(text);
      });
    });
  }

  it("keeps compiler diagnostics with the lines around them", () => {
    const text = readFixture("log", "cargo-build-errors.txt");
    const out = compressLog(text, tight(text))?.text ?? text;
    for (const line of ["error[E0308]: mismatched types", "  --> src/main.rs:11:19", "11 |     counts.insert(\"a\", v);", "  --> src/main.rs:12:21", "error: could not compile `cargoproj` (bin \"cargoproj\") due to 3 previous errors"]) {
      expect(out).toContain(line);
    }
  });

  it("keeps failing tests, their assertion diffs and the summary of a vitest run", () => {
    const text = readFixture("log", "vitest-failing.txt");
    const out = compressLog(text, contextFor(text))?.text ?? "";
    expect(out).toContain("      Tests  3 failed | 97 passed (100)");
    expect(out).toContain(" FAIL  test/math.test.ts > math > multiplies with a float error");
    expect(out).toContain("AssertionError: expected 0.30000000000000004 to be 0.3 // Object.is equality");
    expect(out).toContain("+ 0.30000000000000004");
    expect(out).toContain("TypeError: Cannot read properties of null (reading 'length')");
    expect(out).not.toContain(" ✓ test/math.test.ts > math > adds 30 + 30 0ms");
  });

  it("keeps pytest failures and its summary line", () => {
    const text = readFixture("log", "pytest-failing.txt");
    const out = compressLog(text, contextFor(text))?.text ?? "";
    expect(out).toContain("=================== 3 failed, 80 passed, 1 skipped in 0.86s ====================");
    expect(out).toContain("E       ValueError: could not convert string to float: '12 USD'");
    expect(out).toContain("FAILED test_calc.py::test_compare_dicts - AssertionError: assert {'a': 1, 'b'...");
  });

  it("keeps npm errors and tsc error codes", () => {
    const npm = readFixture("log", "npm-install-404.txt");
    expect(compressLog(npm, tight(npm))?.text ?? npm).toContain("npm error code E404");
    const tsc = readFixture("log", "tsc-errors.txt");
    expect(compressLog(tsc, tight(tsc))?.text ?? tsc).toContain(
      "src/index.ts(3,30): error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'.",
    );
  });

  describe("a big real server log, empty query", () => {
    const text = readFixture("log", "node-http-server.txt");
    const result = compressLog(text, contextFor(text));

    it("reduces it by at least 85%", () => {
      expect(result).not.toBeNull();
      expect(1 - (result?.text.length ?? 0) / text.length).toBeGreaterThanOrEqual(0.85);
    });

    it("keeps every ERROR and WARN record and one full stack trace", () => {
      const out = result?.text ?? "";
      for (const line of text.split("\n")) if (/ (?:ERROR|WARN) /.test(line)) expect(out).toContain(line);
      expect(out).toContain("    at loadOrder (file:///tmp/hrfix/srv/server.mjs:6:26)");
      expect(out).toContain("SIGTERM received, shutting down");
    });

    it("says in its markers how many lines and shapes were left out", () => {
      const markers = parseMarkers(result?.text ?? "");
      expect(markers.length).toBeGreaterThan(0);
      for (const m of markers) expect(m.detail).toMatch(/(?:\d+ distinct|like the line above), \d+ errors/);
    });
  });

  it("stays fast: a 40 KB log in a few ms, 20 MB without hanging", () => {
    const big = readFixture("log", "node-http-server.txt");
    const small = big.slice(0, 40_000);
    const ctx = contextFor(small);
    for (let i = 0; i < 20; i++) compressLog(small, ctx);
    const times: number[] = [];
    for (let i = 0; i < 21; i++) {
      const t0 = performance.now();
      compressLog(small, ctx);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    expect(times[10]).toBeLessThan(10);
    const huge = Array.from({ length: 150 }, () => big).join("\n");
    const t0 = performance.now();
    compressLog(huge, contextFor(huge));
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});
