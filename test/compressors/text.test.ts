import { describe, expect, it } from "vitest";
import { parseMarkers } from "../../src/ccr/marker.js";
import { compressText } from "../../src/compressors/text.js";
import { buildQuery } from "../../src/pipeline/query.js";
import { contextFor, runCompressorContract } from "./contract.js";
import { fixtures, readFixture } from "./fixtures.js";
import { accountedLines, unfoldRepeats } from "./line-checks.js";

// The text compressor is the fallback: run it over every kind of real output.
const samples = ["text", "prose", "code", "html", "listing", "log"].flatMap((kind) =>
  fixtures(kind).map((f) => ({ name: `${kind}/${f.name}`, text: f.text })),
);
runCompressorContract("text", compressText, samples);

describe("text compressor", () => {
  for (const { name, text } of samples) {
    it(`${name}: accounts for every line and stays within reach of the budget`, () => {
      const result = compressText(text, contextFor(text));
      if (!result) return;
      expect(accountedLines(result.text)).toBe(text.split("\n").length);
    });
  }

  it("keeps the head and the tail of a long help page and marks the middle", () => {
    const text = readFixture("text", "pydoc-argparse.txt");
    const result = compressText(text, contextFor(text));
    expect(result).not.toBeNull();
    const lines = text.split("\n");
    expect(result!.text.startsWith(lines.slice(0, 5).join("\n"))).toBe(true);
    expect(result!.text.endsWith(lines.slice(-5).join("\n"))).toBe(true);
    expect(parseMarkers(result!.text).length).toBeGreaterThan(0);
    expect(result!.text.length).toBeLessThan(text.length * 0.3);
  });

  it("keeps middle lines that match the query", () => {
    const text = readFixture("text", "pydoc-argparse.txt");
    const query = { text: "parse_intermixed_args", terms: [], entities: ["parse_intermixed_args"] };
    const out = compressText(text, contextFor(text, { query }))?.text ?? "";
    for (const line of text.split("\n")) if (line.includes("parse_intermixed_args")) expect(out).toContain(line);
  });

  it("keeps error-like lines from the middle", () => {
    const text = readFixture("text", "pydoc-argparse.txt");
    const out = compressText(text, contextFor(text))?.text ?? "";
    expect(out).toContain("     |  An error from creating or using an argument (optional or positional).");
  });

  it("folds duplicates losslessly and drops nothing in lossless-only mode", () => {
    const text = readFixture("code", "commander-command-js.txt");
    const lossless = compressText(text, { ...contextFor(text), losslessOnly: true });
    if (lossless) {
      expect(lossless.omissions).toEqual([]);
      expect(unfoldRepeats(lossless.text)).toBe(text);
    }
  });

  describe("a Markdown README with a question", () => {
    const text = readFixture("prose", "undici-readme-md.txt");
    const query = buildQuery("How do I set a proxy with ProxyAgent in undici? Read node_modules/undici/README.md");
    const result = compressText(text, contextFor(text, { query }));
    const out = result?.text ?? "";

    it("reduces it to a fraction and accounts for every line", () => {
      expect(1 - out.length / text.length).toBeGreaterThanOrEqual(0.6);
      expect(accountedLines(out)).toBe(text.split("\n").length);
    });

    it("keeps the lines that answer the query, with their paragraph", () => {
      const matching = text.split("\n").filter((l) => l.includes("ProxyAgent"));
      expect(matching.length).toBeGreaterThan(0);
      expect(matching.filter((l) => out.includes(l)).length).toBeGreaterThanOrEqual(Math.min(3, matching.length));
      expect(out).toContain("# undici");
    });
  });

  it("keeps query-matching lines of a source file with their neighbours, within reach of the budget", () => {
    const text = readFixture("code", "commander-command-js.txt");
    const query = buildQuery("How does commander handle allowUnknownOption? Read lib/command.js");
    const out = compressText(text, contextFor(text, { query }))?.text ?? "";
    const lines = text.split("\n");
    const at = lines.findIndex((l) => l.includes("allowUnknownOption("));
    expect(at).toBeGreaterThan(0);
    expect(out).toContain(lines[at]);
    expect(out.length).toBeLessThan(text.length * 0.35);
  });
});
