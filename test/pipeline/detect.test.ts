import { describe, expect, it } from "vitest";
import type { ContentKind } from "../../src/compressors/types.js";
import { detectKind, isJson, splitSections } from "../../src/pipeline/detect.js";
import { readFixture } from "../compressors/fixtures.js";

// One or more real outputs per kind (see test/fixtures/outputs/<kind>/SOURCES.md).
const cases: Array<[ContentKind, string]> = [
  ["json", "npm-ls-json.txt"],
  ["json", "vitest-package-json.txt"],
  ["search", "grep-rn-commander-option.txt"],
  ["listing", "ls-la-node-modules.txt"],
  ["listing", "find-undici-js.txt"],
  ["log", "tsc-errors.txt"],
  ["log", "vitest-failing.txt"],
  ["log", "vitest-failing-ansi.txt"],
  ["log", "pytest-failing.txt"],
  ["log", "cargo-build-errors.txt"],
  ["log", "cargo-short-unresolved.txt"],
  ["log", "make-gcc-errors.txt"],
  ["log", "npm-install-404.txt"],
  ["log", "npm-debug-log.txt"],
  ["log", "node-stack-trace.txt"],
  ["log", "node-http-server.txt"],
  ["log", "node-ndjson-log.txt"],
  ["log", "nginx-access-log.txt"],
  ["log", "nginx-error-log.txt"],
  ["prose", "undici-readme-md.txt"],
  ["diff", "git-diff-email-py311-py313.txt"],
  ["diff", "git-log-p-email.txt"],
  ["diff", "diff-u-argparse-py311-py312.txt"],
  ["diff", "diff-u-path-key-3-4.txt"],
  ["code", "commander-command-js.txt"],
  ["code", "python-textwrap-py.txt"],
  ["html", "rustdoc-what-is-rustdoc.html.txt"],
  ["prose", "gpl-3-head.txt"],
  ["text", "pydoc-textwrap.txt"],
  ["text", "pydoc-argparse.txt"],
];

describe("detectKind", () => {
  for (const [kind, name] of cases) {
    it(`detects ${kind} in ${name}`, () => {
      expect(detectKind(readFixture(kind, name))).toBe(kind);
    });
  }

  it("does not call JSON-looking text that fails to parse json", () => {
    const text = readFixture("json", "npm-ls-json.txt");
    expect(detectKind(text.slice(0, text.length - 3))).not.toBe("json");
    expect(isJson("{ not: json }")).toBe(false);
    expect(isJson("[1, 2, 3]")).toBe(true);
  });

  it("refuses pathologically deep JSON without throwing", () => {
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    expect(isJson(deep)).toBe(false);
  });

  // Samples lines instead of reading everything: guards against a scan of the whole input.
  it("does not scan a huge input line by line", () => {
    const big = Array.from({ length: 400 }, () => readFixture("log", "node-http-server.txt")).join("\n");
    const t0 = performance.now();
    expect(detectKind(big)).toBe("log");
    expect(performance.now() - t0).toBeLessThan(5_000);
  });
});

describe("splitSections", () => {
  const transcript = readFixture("mixed", "shell-transcript.txt");
  const sections = splitSections(transcript);

  it("reproduces the input exactly when the sections are joined", () => {
    expect(sections.map((s) => s.text).join("\n")).toBe(transcript);
  });

  it("splits a real shell transcript into git diff, vitest, JSON, grep and text sections", () => {
    expect(sections.map((s) => s.kind)).toEqual(["diff", "log", "json", "search", "text"]);
    expect(sections[0]?.text.startsWith("$ git diff\ndiff --git a/email/utils.py")).toBe(true);
    expect(sections[1]?.text).toContain("Tests  3 failed | 97 passed (100)");
    expect(JSON.parse(sections[2]?.text ?? "")).toHaveProperty("platform", "linux");
  });

  it("finds a JSON blob in the middle of a log", () => {
    const log = readFixture("log", "tsc-errors.txt");
    const json = readFixture("json", "vitest-package-json.txt");
    const mixed = `${log}\n${json.trimEnd()}\n${log}`;
    const parts = splitSections(mixed);
    expect(parts.map((p) => p.kind)).toEqual(["log", "json", "log"]);
    expect(parts.map((p) => p.text).join("\n")).toBe(mixed);
  });

  it("splits a grep block followed by prose", () => {
    const grep = readFixture("search", "grep-rn-commander-option.txt").trimEnd();
    const prose = readFixture("prose", "gpl-3-head.txt");
    const parts = splitSections(`$ grep -rn option lib/\n${grep}\n$ cat GPL-3\n${prose}`);
    expect(parts.map((p) => p.kind)).toEqual(["search", "prose"]);
  });

  it("keeps a JSON-lines log in one log section (records with stacks are not split off as JSON)", () => {
    const text = readFixture("log", "node-ndjson-log.txt");
    expect(splitSections(text)).toEqual([{ kind: "log", text }]);
  });

  it("keeps nginx access and error logs in one log section each", () => {
    for (const name of ["nginx-access-log.txt", "nginx-error-log.txt"]) {
      const text = readFixture("log", name);
      expect(splitSections(text)).toEqual([{ kind: "log", text }]);
    }
  });

  it("keeps a Markdown document, headings and fenced examples included, in one prose section", () => {
    const text = readFixture("prose", "undici-readme-md.txt");
    expect(splitSections(text)).toEqual([{ kind: "prose", text }]);
  });

  it("finds a JSON-lines log after a shell prompt in a transcript", () => {
    const log = readFixture("log", "node-ndjson-log.txt").trimEnd();
    const text = `$ cat logs/app.log\n${log}\n$ echo done\ndone`;
    const parts = splitSections(text);
    expect(parts[0]?.kind).toBe("log");
    expect(parts[0]?.text.split("\n").length).toBeGreaterThanOrEqual(log.split("\n").length);
    expect(parts.map((p) => p.text).join("\n")).toBe(text);
  });

  it("never yields an empty section and always joins back to the input byte for byte", () => {
    const inputs = [
      transcript,
      `${transcript}\n\n`,
      `\n${readFixture("json", "vitest-package-json.txt")}`,
      `${readFixture("log", "tsc-errors.txt")}\n${readFixture("json", "vitest-package-json.txt")}\n\n`,
      readFixture("log", "node-ndjson-log.txt"),
      readFixture("prose", "undici-readme-md.txt"),
      "\n\n",
    ];
    for (const input of inputs) {
      const parts = splitSections(input);
      expect(parts.map((p) => p.text).join("\n")).toBe(input);
      if (input.trim() !== "") for (const part of parts) expect(part.text.length).toBeGreaterThan(0);
    }
  });

  it("returns one section for single-kind content", () => {
    const text = readFixture("log", "pytest-failing.txt");
    expect(splitSections(text)).toEqual([{ kind: "log", text }]);
  });
});

describe("detectKind on source files the line shapes used to miss", () => {
  const licence = ["/*", ...Array.from({ length: 30 }, (_, i) => `Permission is granted to use line ${i} of this software, provided that the notice stays.`), "*/"];

  it("reads a header of #defines under a long licence comment as code", () => {
    const defines = Array.from({ length: 12 }, (_, i) => `#define MDIO_MMD_${i}\t\t${i}\t/* unit ${i} */`);
    expect(detectKind([...licence, "#ifndef MDIO_H", "#define MDIO_H", ...defines, "#endif"].join("\n"))).toBe("code");
  });

  it("reads a table of macro calls and of literal rows as code", () => {
    const rust = Array.from({ length: 20 }, (_, i) => `mat!(match_basic_${i}, r"a${i}", r"xa${i}", Some((1, 2)));`);
    expect(detectKind(rust.join("\n"))).toBe("code");
    const python = ["import codecs", "", "decoding_table = (", ...Array.from({ length: 30 }, (_, i) => `    '\\x${i.toString(16).padStart(2, "0")}'     #  0x${i} -> CONTROL`), ")"];
    expect(detectKind(python.join("\n"))).toBe("code");
  });

  it("still reads a licence that quotes with triple quotes, and a comment-wrapped notice, as not code", () => {
    const quoted = Array.from({ length: 20 }, (_, i) => (i % 5 === 0 ? '"""' : `The software is provided as is, without warranty of any kind, clause ${i}.`));
    expect(detectKind(quoted.join("\n"))).not.toBe("code");
    expect(detectKind([...licence, "", "Notices for third party software follow, one per paragraph.", "See each licence for terms."].join("\n"))).not.toBe("code");
  });
});
