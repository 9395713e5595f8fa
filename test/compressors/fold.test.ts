import { describe, expect, it } from "vitest";
import {
  emitRuns,
  foldRepeats,
  foldRepeatsText,
  headTailRange,
  lineSignature,
  maskVariable,
  stripAnsi,
  toRuns,
} from "../../src/compressors/fold.js";
import { parseMarkers, REPEAT_PATTERN } from "../../src/ccr/marker.js";

describe("foldRepeats", () => {
  it("keeps a long repeated line once and notes how many more times it occurred", () => {
    const line = "npm warn deprecated inflight@1.0.6: This module is not supported";
    const folded = foldRepeats([line, line, line, "done"]);
    expect(folded).toEqual([line, "[previous line repeated 2 more times]", "done"]);
    expect(REPEAT_PATTERN.test(folded[1] ?? "")).toBe(true);
  });

  it("leaves short lines alone when the note would be longer than the copies", () => {
    expect(foldRepeats(["", "", "x"])).toEqual(["", "", "x"]);
  });

  it("returns null from foldRepeatsText when nothing folds", () => {
    expect(foldRepeatsText("a\nb\nc")).toBeNull();
  });

  it("rebuilds the original exactly from the folded form", () => {
    const lines = ["header", ...Array(50).fill("    at Object.<anonymous> (/srv/app.js:10:5)"), "tail"];
    const folded = foldRepeats(lines);
    const rebuilt: string[] = [];
    for (const line of folded) {
      const m = REPEAT_PATTERN.exec(line);
      if (m) for (let i = 0; i < Number(m[1]); i++) rebuilt.push(rebuilt[rebuilt.length - 1] ?? "");
      else rebuilt.push(line);
    }
    expect(rebuilt).toEqual(lines);
  });

  it("groups runs without copying lines", () => {
    expect(toRuns(["a", "b", "b", "c"]).length).toBeGreaterThanOrEqual(3);
  });
});

describe("maskVariable", () => {
  it("masks timestamps, durations, numbers and uuids so records of one event compare equal", () => {
    const a = "2026-11-24T22:40:11.407Z INFO  GET /health 200 1.961ms rid=bae3f5c9-623f-41f2-8298-5998be21d1cd";
    const b = "2026-11-24T22:40:13.452Z INFO  GET /health 200 0.177ms rid=26e562e4-6651-4c84-abec-5aa108379edd";
    expect(maskVariable(a)).toBe(maskVariable(b));
    expect(maskVariable(a)).toBe("#-#-#T#:#:#.#Z INFO  GET /health # #.#ms rid=#-#-#-#-#");
    expect(lineSignature(a)).toBe(lineSignature(b));
  });

  it("keeps words, and tells different events apart", () => {
    expect(maskVariable("error TS2345: Argument of type")).toBe("error TS#: Argument of type");
    expect(lineSignature("GET /health 200")).not.toBe(lineSignature("GET /users 200"));
  });

  it("is linear on a huge line", () => {
    const line = "a1".repeat(2_000_000);
    const t0 = performance.now();
    maskVariable(line);
    lineSignature(line);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe("helpers", () => {
  it("strips ANSI colour codes", () => {
    expect(stripAnsi("\u001b[31mFAIL\u001b[39m test")).toBe("FAIL test");
  });

  it("clamps head and tail so they never overlap", () => {
    expect(headTailRange(10, 3, 4)).toEqual({ headEnd: 3, tailStart: 6 });
    expect(headTailRange(5, 4, 4)).toEqual({ headEnd: 4, tailStart: 4 });
  });
});

describe("emitRuns with runs counted elsewhere", () => {
  it("writes the extra marker after its run, never shows or recounts skipped runs, and reports every marker", () => {
    const lines = ["E 1 boom", "info a", "E 2 boom", "info b", "info c", "E 3 boom", "E 4 boom"];
    const runs = toRuns(lines);
    const keep = Uint8Array.from([1, 0, 0, 0, 0, 0, 1]);
    const skip = Uint8Array.from([0, 0, 1, 0, 0, 1, 0]);
    const result = emitRuns(runs, lines, keep, {
      hash: "0123456789abcdef",
      unit: "lines",
      detail: () => "long enough detail to be worth nothing here",
      skip,
      after: (run) => (run === 0 ? { count: 2, unit: "similar error lines", detail: "2, 3" } : undefined),
    });
    const out = result.text.split("\n");
    expect(out[0]).toBe("E 1 boom");
    expect(parseMarkers(out[1] ?? "")[0]).toMatchObject({ count: 2, unit: "similar error lines" });
    // The gap's marker would be longer than its three short lines, so they are shown; skipped runs are not.
    expect(out.slice(2)).toEqual(["info a", "info b", "info c", "E 4 boom"]);
    expect(result.omissions).toEqual([{ count: 2, unit: "similar error lines" }]);
  });
});
