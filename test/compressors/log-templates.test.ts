import { describe, expect, it } from "vitest";
import { parseMarkers } from "../../src/ccr/marker.js";
import { compressLog } from "../../src/compressors/log.js";
import { templateOf } from "../../src/compressors/log-templates.js";
import { buildQuery } from "../../src/pipeline/query.js";
import { contextFor } from "./contract.js";
import { readFixture } from "./fixtures.js";
import { accountedLines } from "./line-checks.js";
import { expandTemplateFold, isTemplateDetail } from "./log-template-checks.js";

const tight = (text: string) => contextFor(text, { budget: 50 });
const LINE_UNITS = ["lines", "similar error lines", "similar warning lines"];

// Every template marker, with the line above it and the lines it stands for.
function templateFolds(out: string): { above: string; lines: string[] }[] {
  const outLines = out.split("\n");
  const folds: { above: string; lines: string[] }[] = [];
  outLines.forEach((line, j) => {
    const marker = parseMarkers(line)[0];
    if (marker && isTemplateDetail(marker.detail)) {
      const above = outLines[j - 1] ?? "";
      const lines = expandTemplateFold(above, marker.detail ?? "");
      expect(lines).toHaveLength(marker.count);
      folds.push({ above, lines });
    }
  });
  return folds;
}

// The output with every template fold expanded: each original line must be in it, in order.
function rebuilt(out: string): string[] {
  const outLines = out.split("\n");
  const result: string[] = [];
  outLines.forEach((line, j) => {
    const marker = parseMarkers(line)[0];
    if (marker && isTemplateDetail(marker.detail)) result.push(...expandTemplateFold(outLines[j - 1] ?? "", marker.detail ?? ""));
    else if (!marker) result.push(line);
  });
  return result;
}

describe("templateOf", () => {
  it("blanks package specs, paths, quoted names and numbers, and keeps words and error codes", () => {
    expect(templateOf("npm error missing: zod@^3.23.8, required by app@1.0.0")?.slots).toEqual(["zod@^3.23.8", "app@1.0.0"]);
    expect(templateOf("src/a.ts(1,16): error TS2307: Cannot find module 'left-pad' or its corresponding type declarations.")?.slots).toEqual([
      "src/a.ts(1,16)",
      "left-pad",
    ]);
    const a = templateOf("src/a.ts(1,16): error TS2307: Cannot find module 'x' or its corresponding type declarations.");
    const b = templateOf("src/a.ts(1,16): error TS2305: Cannot find module 'x' or its corresponding type declarations.");
    expect(a?.key).not.toBe(b?.key);
  });

  it("gives lines with different words different templates, and none to a line of values alone", () => {
    const extraneous = templateOf("npm error extraneous: ajv@8.20.0 /app/node_modules/ajv");
    const invalid = templateOf("npm error invalid: ajv@8.20.0 /app/node_modules/ajv");
    expect(extraneous?.key).not.toBe(invalid?.key);
    expect(templateOf("E   KeyError: 'SKU-4440'")?.key).not.toBe(templateOf("E   TypeError: 'SKU-4440'")?.key);
    expect(templateOf("12 /tmp/a 3.4")).toBeUndefined();
    expect(templateOf("npm error code ELSPROBLEMS")).toBeUndefined();
  });
});

describe("lines of one template", () => {
  it("folds a real failing npm ls to first and last with every package name and path recoverable", () => {
    const text = readFixture("log", "npm-ls-json-all-stderr-head.txt");
    const out = compressLog(text, contextFor(text))?.text ?? text;
    expect(out.length).toBeLessThan(text.length * 0.35);
    const lines = text.split("\n");
    // The first and the last extraneous line, the error code and the other messages stay verbatim.
    const extraneous = lines.filter((l) => l.startsWith("npm error extraneous: "));
    for (const line of [extraneous[0], extraneous[extraneous.length - 1], "npm error code ELSPROBLEMS"]) expect(out.split("\n")).toContain(line);
    // Every package name (spec) of the original is in the text the model reads.
    for (const line of extraneous) expect(out).toContain((line.split(" ")[3] ?? "").replace(/\]/g, "⟧"));
    const expanded = rebuilt(out);
    for (const line of lines) expect(expanded, line).toContain(line);
    expect(accountedLines(out, LINE_UNITS)).toBe(lines.length);
  });

  it("keeps each distinct npm message (extraneous, invalid, missing) and rebuilds every omitted line", () => {
    const text = readFixture("log", "npm-ls-problems.txt");
    const out = compressLog(text, tight(text))?.text ?? text;
    const shown = out.split("\n");
    for (const kind of ["extraneous", "invalid", "missing"]) expect(shown.some((l) => l.startsWith(`npm error ${kind}: `)), kind).toBe(true);
    const errors = text.split("\n").filter((l) => l.startsWith("npm error "));
    const expanded = rebuilt(out);
    for (const line of errors) expect(expanded).toContain(line);
    expect(templateFolds(out).length).toBeGreaterThan(0);
  });

  it("folds tsc's missing modules, cargo's unresolved names and pytest's FAILED lines losslessly", () => {
    for (const name of ["tsc-cannot-find-module.txt", "cargo-short-unresolved.txt", "pytest-parametrized-failing.txt"]) {
      const text = readFixture("log", name);
      const out = compressLog(text, contextFor(text))?.text ?? text;
      expect(templateFolds(out).length, name).toBeGreaterThan(0);
      expect(out.length, name).toBeLessThan(text.length * 0.7);
      const expanded = rebuilt(out);
      for (const line of text.split("\n")) if (/error|Error|FAILED/.test(line)) expect(expanded, `${name}: ${line}`).toContain(line);
    }
    const pytest = readFixture("log", "pytest-parametrized-failing.txt");
    const out = compressLog(pytest, contextFor(pytest))?.text ?? "";
    // Distinct messages never fold; the counting summary stays.
    for (const code of ["JPY", "CHF", "SEK", "NOK", "DKK"]) expect(out).toContain(`FAILED test_prices.py::test_currency_rate[${code}] - AssertionError: no rate for ${code}`);
    expect(out).toContain("25 failed, 44 passed in 0.98s");
  });

  it("never folds lines whose words differ, nor fewer than three of one template", () => {
    const lines = [
      ...[1, 2, 3, 4, 5].map((i) => `error: cannot open file 'data/part-${i}.csv'`),
      ...[1, 2, 3, 4, 5].map((i) => `error: cannot parse file 'data/part-${i}.csv'`),
      "error: cannot read file 'a/b.txt'",
      "error: cannot read file 'c/d.txt'",
    ];
    const text = lines.join("\n");
    const out = compressLog(text, tight(text))?.text ?? text;
    const shown = out.split("\n");
    for (const line of [lines[0], lines[4], lines[5], lines[9], lines[10], lines[11]]) expect(shown).toContain(line);
    expect(rebuilt(out)).toEqual(lines);
  });

  it("keeps a line the query names verbatim, and the first error of the output", () => {
    const lines = Array.from({ length: 30 }, (_, i) => `npm error missing: pkg-${String.fromCharCode(97 + (i % 26))}${i}@^1.${i}.0, required by app@1.0.0`);
    const text = ["Exit code 1", ...lines].join("\n");
    const out = compressLog(text, contextFor(text, { budget: 50, query: buildQuery("why is pkg-h7 missing?") }))?.text ?? "";
    const shown = out.split("\n");
    expect(shown).toContain(lines[0]);
    expect(shown).toContain(lines[7]);
    expect(shown).toContain(lines[29]);
    // The marker lists the omitted lines in turn; the one the query names follows it.
    expect(rebuilt(out).filter((l) => l.startsWith("npm error")).sort()).toEqual([...lines].sort());
  });

  it("groups values under a slot that repeats over consecutive lines", () => {
    const parents = ["@hono/node-server@2.1.9", "ajv@8.20.0", "vitest@4.1.12"];
    const lines = parents.flatMap((p, k) => Array.from({ length: 6 }, (_, i) => `npm error missing: dep-${k}-${i}@^${i}.0.0, required by ${p}`));
    const text = lines.join("\n");
    const out = compressLog(text, tight(text))?.text ?? "";
    const marker = parseMarkers(out)[0];
    expect(marker?.detail).toContain("grouped by the 2nd");
    expect(marker?.detail).toContain("ajv@8.20.0: 1-0@^0, 1-1@^1, ");
    expect(rebuilt(out)).toEqual(lines);
  });

  it("is deterministic and never throws on odd input", () => {
    const odd = ["npm error x: {a}@1 /p/{a}", "npm error x: b]@2 /p/b]", "npm error x: c–d@3 /p/c–d", "npm error x: \u0001@4 /p/\u0001"];
    const text = [...odd, ...odd, ...odd].join("\n");
    const a = compressLog(text, tight(text));
    expect(compressLog(text, tight(text))).toEqual(a);
    expect(rebuilt(a?.text ?? text).length).toBeGreaterThan(0);
  });
});
