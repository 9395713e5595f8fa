import { describe, expect, it } from "vitest";
import { sentenceRanges, splitProse, type ProseUnit } from "../../src/compressors/prose-split.js";

const sentences = (text: string) => sentenceRanges(text, 0, text.length).map(([from, to]) => text.slice(from, to));
const units = (text: string) => splitProse(text, "sentences").map((u: ProseUnit) => [u.kind, text.slice(u.start, u.end)]);

describe("sentenceRanges", () => {
  it("splits at sentence ends followed by a capital, a digit or an opening mark", () => {
    expect(sentences("One here. Two there! Three? 4 is a number. `code` starts this.")).toEqual([
      "One here.",
      "Two there!",
      "Three?",
      "4 is a number.",
      "`code` starts this.",
    ]);
  });

  it("does not split after abbreviations and initials", () => {
    const text = "Use a flag, e.g. --force, i.e. the loud one. Ask Dr. Smith or J. R. Doe. See No. 5 of the list.";
    expect(sentences(text)).toEqual(["Use a flag, e.g. --force, i.e. the loud one.", "Ask Dr. Smith or J. R. Doe.", "See No. 5 of the list."]);
  });

  it("keeps versions, decimals, URLs and paths whole", () => {
    const text = "Upgrade to v1.2.3 before 2.5 seconds pass. Read https://example.com/a.b/c.html and ./docs/api.md for more. Done.";
    expect(sentences(text)).toEqual([
      "Upgrade to v1.2.3 before 2.5 seconds pass.",
      "Read https://example.com/a.b/c.html and ./docs/api.md for more.",
      "Done.",
    ]);
  });

  it("handles ellipses and closing quotes or brackets", () => {
    expect(sentences('It waits... and then returns. He said "stop." Then (it stopped.) Next one.')).toEqual([
      "It waits... and then returns.",
      'He said "stop."',
      "Then (it stopped.)",
      "Next one.",
    ]);
  });

  it("keeps a lower-case continuation in the same sentence", () => {
    expect(sentences("Values like 3. are odd. numbers follow.")).toEqual(["Values like 3. are odd. numbers follow."]);
  });

  it("keeps sentences that wrap across lines, line breaks included", () => {
    const text = "The licence applies to\nall copies. It ends\nhere.";
    expect(sentences(text)).toEqual(["The licence applies to\nall copies.", "It ends\nhere."]);
  });

  it("cuts a long block without punctuation at its line breaks", () => {
    const text = Array.from({ length: 40 }, (_, i) => `word list entry number ${i} without an end`).join("\n");
    expect(sentences(text).length).toBe(40);
  });
});

describe("splitProse", () => {
  it("makes headings, list items, table rows and fenced blocks units of their own", () => {
    const text = [
      "# Title",
      "",
      "Intro one. Intro two.",
      "",
      "- item one. Still item one.",
      "  continued",
      "- item two",
      "",
      "| a | b |",
      "|---|---|",
      "",
      "```js",
      "const x = 1. // not a sentence end",
      "",
      "more();",
      "```",
      "",
      "Setext title",
      "============",
      "",
      "Last.",
    ].join("\n");
    expect(units(text)).toEqual([
      ["heading", "# Title"],
      ["sentence", "Intro one."],
      ["sentence", "Intro two."],
      ["sentence", "- item one."],
      ["sentence", "Still item one.\n  continued"],
      ["sentence", "- item two"],
      ["row", "| a | b |"],
      ["row", "|---|---|"],
      ["fence", "```js\nconst x = 1. // not a sentence end\n\nmore();\n```"],
      ["heading", "Setext title\n============"],
      ["sentence", "Last."],
    ]);
  });

  it("counts sections at headings and marks the first unit of each block", () => {
    const found = splitProse("Alpha one. Beta two.\n\n## S\n\nGamma three. Delta four.", "sentences");
    expect(found.map((u) => [u.section, u.blockFirst])).toEqual([
      [0, true],
      [0, false],
      [1, true],
      [1, true],
      [1, false],
    ]);
  });

  it("reads short standalone lines of a plain text (no Markdown headings) as headings", () => {
    const text = "  TERMS AND CONDITIONS\n\n  0. Definitions.\n\n  \"This License\" refers to version 3. It is long enough.";
    expect(units(text)).toEqual([
      ["heading", "TERMS AND CONDITIONS"],
      ["heading", "0. Definitions."],
      ["sentence", '"This License" refers to version 3.'],
      ["sentence", "It is long enough."],
    ]);
  });

  it("cuts into whole lines in line mode", () => {
    const text = "# T\n\nOne. Two.\nThree\n\n```\ncode\n```";
    expect(splitProse(text, "lines").map((u) => [u.kind, u.lineFrom, u.lineTo])).toEqual([
      ["heading", 0, 0],
      ["sentence", 2, 2],
      ["sentence", 3, 3],
      ["fence", 5, 7],
    ]);
  });

  it("leaves only whitespace outside its units", () => {
    const text = "# T\r\n\r\nOne. Two.\r\n  - item\r\n\r\n| r |\r\n";
    let outside = "";
    let at = 0;
    for (const unit of splitProse(text, "sentences")) {
      outside += text.slice(at, unit.start);
      at = unit.end;
    }
    outside += text.slice(at);
    expect(outside.trim()).toBe("");
  });
});
