import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseMarkers } from "../../src/ccr/marker.js";
import { compressorFor } from "../../src/compressors/index.js";
import { compressProse } from "../../src/compressors/prose.js";
import { splitProse } from "../../src/compressors/prose-split.js";
import { compressUnit } from "../../src/pipeline/compress-unit.js";
import { splitSections } from "../../src/pipeline/detect.js";
import { buildQuery } from "../../src/pipeline/query.js";
import { contextFor, runCompressorContract } from "./contract.js";
import { readFixture } from "./fixtures.js";

const read = (name: string) => readFileSync(new URL(`../fixtures/prose/${name}`, import.meta.url), "utf8");

// Real prose (test/fixtures/prose/SOURCES.md), each with a question and the sentence that answers it.
const cases = [
  {
    name: "debug-readme.md",
    question: "How do I enable debug dynamically at run time? Read node_modules/debug/README.md",
    answer: "You can also enable debug dynamically by calling the `enable()` method :",
  },
  {
    name: "qs-changelog.md",
    question: "When did qs fix formatter with strictNullHandling in stringify?",
    answer: "- [Fix] `stringify`: apply `formatter` to encoded key under `strictNullHandling` (#554)",
  },
  {
    name: "typescript-license.txt",
    question: "What happens to my patent license if I institute patent litigation?",
    answer: "If You institute patent litigation against any entity",
  },
  {
    name: "git-changelog-debian.txt",
    question: "Which git package version removed the git-el package?",
    answer: "  * remove git-el package (closes: #987264, #984931).",
  },
] as const;

// Walks the input's units against the output: each is found verbatim (kept) or counted by the marker
// that stands for its run. Returns the kept count, or throws on the first unit that is neither.
function accountUnits(text: string, out: string): { kept: number; omitted: number } {
  const units = splitProse(text, "sentences");
  const markers = parseMarkers(out);
  let pos = 0;
  let m = 0;
  let kept = 0;
  let omitted = 0;
  for (let k = 0; k < units.length; ) {
    const unit = units[k]!;
    const body = text.slice(unit.start, unit.end);
    const marker = markers[m];
    const at = out.indexOf(body, pos);
    if (at >= 0 && (marker === undefined || at < marker.index)) {
      kept++;
      pos = at + body.length;
      k++;
      continue;
    }
    if (!marker) throw new Error(`unit ${k} neither kept nor marked: ${body.slice(0, 80)}`);
    omitted += marker.count;
    k += marker.count;
    pos = marker.index + marker.length;
    m++;
  }
  if (m !== markers.length) throw new Error(`${markers.length - m} markers left over`);
  return { kept, omitted };
}

runCompressorContract(
  "prose",
  compressProse,
  // Kept sentences may start mid-line, so the line check is replaced by accountUnits below.
  cases.map((c) => ({ name: c.name, text: read(c.name), query: buildQuery(c.question), rewritesLines: true })),
);

describe("prose compressor", () => {
  for (const { name, question, answer } of cases) {
    describe(name, () => {
      const text = read(name);
      const context = contextFor(text, { query: buildQuery(question) });
      const result = compressProse(text, context);
      const out = result?.text ?? "";

      it("reduces it by at least half and keeps the sentence that answers the question", () => {
        expect(text).toContain(answer);
        expect(out).toContain(answer);
        expect(out.length).toBeLessThanOrEqual(text.length * 0.5);
      });

      it("keeps every unit verbatim or counts it in a marker", () => {
        const { kept, omitted } = accountUnits(text, out);
        expect(kept + omitted).toBe(splitProse(text, "sentences").length);
        expect(omitted).toBe(result!.omissions.reduce((sum, o) => sum + o.count, 0));
        expect(kept).toBeGreaterThan(0);
      });

      it("gives the same bytes for the same input", () => {
        expect(compressProse(text, context)?.text).toBe(out);
      });

      it("is routed to the prose compressor", () => {
        expect(splitSections(text).map((s) => s.kind)).toEqual(["prose"]);
      });
    });
  }

  it("routes a changelog with setext headings, which reads as code line by line", () => {
    const text = read("accepts-history.md");
    expect(splitSections(text).map((s) => s.kind)).toEqual(["prose"]);
    const out = compressProse(text, contextFor(text, { query: buildQuery("Which accepts release added support for Node.js 0.6?") }))?.text ?? "";
    expect(out).toContain("1.2.4 / 2015-02-14\n==================\n\n  * Support Node.js 0.6");
  });

  it("keeps the opening of a document and its headings without a query", () => {
    const text = read("debug-readme.md");
    const out = compressProse(text, contextFor(text))?.text ?? "";
    expect(out.startsWith("# debug\n")).toBe(true);
    expect(out).toContain("A tiny JavaScript debugging utility modelled after Node.js core's debugging\ntechnique.");
    expect(out).toContain("\n## Installation\n");
  });

  it("keeps a fenced example whole or drops it whole", () => {
    const text = read("debug-readme.md");
    const out = compressProse(text, contextFor(text, { query: buildQuery("How do I enable namespaces with debug.enable?") }))?.text ?? "";
    const fences = splitProse(text, "sentences").filter((u) => u.kind === "fence");
    expect(fences.length).toBeGreaterThan(3);
    let kept = 0;
    for (const fence of fences) {
      const body = text.slice(fence.start, fence.end);
      const lines = body.split("\n").filter((l) => l.trim().length > 8);
      const shown = lines.filter((l) => out.includes(l)).length;
      if (out.includes(body)) kept++;
      else if (lines.length > 1) expect(shown, body.slice(0, 60)).toBeLessThan(lines.length);
    }
    expect(kept).toBeGreaterThan(0);
    expect(out).toContain("debug.enable('foo:*,-foo:bar');");
  });

  it("keeps the entity the question names exactly", () => {
    const text = read("git-changelog-debian.txt");
    const out = compressProse(text, contextFor(text, { query: buildQuery("What fixed CVE-2024-52006?") }))?.text ?? "";
    expect(out).toContain("  * credential: disallow Carriage Returns in the protocol by default\n    (CVE-2024-52006)");
  });

  it("returns null in lossless-only mode and when the text already fits", () => {
    const text = read("typescript-license.txt");
    expect(compressProse(text, { ...contextFor(text), losslessOnly: true })).toBeNull();
    expect(compressProse(text, { ...contextFor(text), budget: text.length })).toBeNull();
  });

  describe("a line-numbered read", () => {
    const source = readFixture("prose", "gpl-3-head.txt").split("\n");
    const numbered = source.map((line, i) => `${String(i + 41).padStart(6)}\t${line}`).join("\n");
    const query = buildQuery("What does the GPL say about anti-circumvention law?");
    const result = compressProse(numbered, contextFor(numbered, { query }));
    const out = result?.text ?? "";

    it("keeps whole lines, each with its own true number", () => {
      const lines = out.split("\n").filter((l) => parseMarkers(l).length === 0);
      expect(lines.length).toBeGreaterThan(5);
      for (const line of lines) {
        const match = /^ *(\d+)\t(.*)$/.exec(line);
        expect(match, line).not.toBeNull();
        expect(match![2]).toBe(source[Number(match![1]) - 41]);
      }
      expect(out).toContain("Protecting Users' Legal Rights From Anti-Circumvention Law.");
    });

    it("counts every dropped line in its markers", () => {
      const markers = parseMarkers(out);
      expect(markers.every((m) => m.unit === "lines" || m.unit === "line")).toBe(true);
      const shown = out.split("\n").filter((l) => parseMarkers(l).length === 0).length;
      expect(shown + markers.reduce((sum, m) => sum + m.count, 0)).toBe(source.length);
      expect(out.length).toBeLessThan(numbered.length * 0.5);
    });
  });

  it("is what the pipeline runs for prose: a README through compressUnit gets sentence markers", () => {
    const text = read("debug-readme.md");
    const context = contextFor(text, { query: buildQuery("debug.enable namespaces") });
    // Without model scores the prose kind is the extractive compressor.
    expect(compressorFor("prose")(text, context)).toEqual(compressProse(text, context));
    const outcome = compressUnit(text, { query: buildQuery("debug.enable namespaces") });
    expect(outcome.kind).toBe("prose");
    expect(outcome.fallback).toBeUndefined();
    expect(parseMarkers(outcome.text).some((m) => m.unit === "sentences")).toBe(true);
  });
});
