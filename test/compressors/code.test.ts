import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parseMarkers } from "../../src/ccr/marker.js";
import { compressCode } from "../../src/compressors/code.js";
import { languageFromPath } from "../../src/compressors/code-language.js";
import { syntaxErrors } from "../../src/compressors/code-syntax.js";
import type { CodeLanguage } from "../../src/compressors/types.js";
import { buildQuery } from "../../src/pipeline/query.js";
import { loadGrammars, parserFor } from "../../src/resources/grammars.js";
import { contextFor, runCompressorContract } from "./contract.js";

const ROOT = fileURLToPath(new URL("../fixtures/code/", import.meta.url));

interface CodeFixture {
  readonly name: string;
  readonly language: CodeLanguage;
  readonly text: string;
}

// TypeScript fixtures are stored as .ts.txt so the project's type check leaves them alone.
const FIXTURES: CodeFixture[] = readdirSync(ROOT, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((dir) =>
    readdirSync(`${ROOT}${dir.name}`)
      .sort()
      .map((file) => ({ name: `${dir.name}/${file}`, language: languageFromPath(file.replace(/\.txt$/, ""))!, text: readFileSync(`${ROOT}${dir.name}/${file}`, "utf8") })),
  );

await loadGrammars();

function errorsIn(language: CodeLanguage, text: string): number {
  const tree = parserFor(language)!.parse(text)!;
  try {
    return syntaxErrors(tree.rootNode);
  } finally {
    tree.delete();
  }
}

function compress(fixture: { text: string; language?: CodeLanguage }, query = "") {
  return compressCode(fixture.text, contextFor(fixture.text, { query: buildQuery(query), ...(fixture.language ? { language: fixture.language } : {}) }));
}

runCompressorContract(
  "code",
  (text, context) => compressCode(text, { ...context, language: FIXTURES.find((f) => f.text === text)?.language }),
  FIXTURES.map((f) => ({ name: f.name, text: f.text })),
);

describe("code compressor on real files", () => {
  it("has fixtures for every language but tsx (no real .tsx file was found on the machine)", () => {
    expect(new Set(FIXTURES.map((f) => f.language))).toEqual(new Set(["python", "javascript", "typescript", "go", "rust", "java", "c", "cpp"]));
  });

  for (const fixture of FIXTURES) {
    describe(fixture.name, () => {
      const result = compress(fixture);

      it("elides bodies and parses with no more errors than the original", () => {
        expect(result).not.toBeNull();
        expect(result!.text.length).toBeLessThan(fixture.text.length * 0.85);
        expect(errorsIn(fixture.language, result!.text)).toBeLessThanOrEqual(errorsIn(fixture.language, fixture.text));
      });

      it("writes each marker as a comment line naming what it stands for", () => {
        const comment = fixture.language === "python" ? /^\s*(?:\.\.\.  )?# \[/ : /^\s*\/\/ \[/;
        for (const line of result!.text.split("\n")) {
          if (parseMarkers(line).length === 0) continue;
          expect(line).toMatch(comment);
          expect(parseMarkers(line)[0]?.detail).toMatch(/^(?:body of .+|short functions .+|comment|docstring|data|arguments|macro input|imports|similar items)(?:, (?:body of .+|short functions .+|comment|docstring|data|arguments|macro input|imports|similar items))*, lines \d+-\d+$/);
        }
      });

      it("keeps the signature line of every elided body", () => {
        // The line before each body marker is the function's opening line (or its docstring), kept verbatim.
        const lines = result!.text.split("\n");
        lines.forEach((line, i) => {
          if (!/body of/.test(line)) return;
          expect(fixture.text.split("\n")).toContain(lines[i - 1]);
        });
      });
    });
  }
});

describe("the query", () => {
  it("keeps the body of the function it names, whole", () => {
    const fixture = FIXTURES.find((f) => f.name === "python/decoder.py")!;
    const plain = compress(fixture)!.text;
    expect(plain).toMatch(/body of py_scanstring/);
    const asked = compress(fixture, "why does py_scanstring reject control characters?")!.text;
    expect(asked).not.toMatch(/body of py_scanstring/);
    const start = fixture.text.indexOf("def py_scanstring");
    const end = fixture.text.indexOf("\n# Use speedup", start);
    expect(asked).toContain(fixture.text.slice(start, end));
  });

  it("matches a method by its short name in Go, Java and C++", () => {
    for (const [name, fn] of [
      ["go/scan.go", "Scan"],
      ["java/ArrayDeque.java", "removeFirstOccurrence"],
      ["cpp/statement.cpp", "JS_run"],
    ] as const) {
      const fixture = FIXTURES.find((f) => f.name === name)!;
      const pattern = new RegExp(`body of [^,\\]]*\\b${fn}\\)?, `);
      expect(compress(fixture)!.text, name).toMatch(pattern);
      expect(compress(fixture, `look at ${fn}`)!.text, name).not.toMatch(pattern);
    }
  });
});

describe("data, imports and runs of like items", () => {
  const table = ["import os", "", "TABLE = {", ...Array.from({ length: 30 }, (_, i) => `    "entry_key_${i}": ${i * 7},  # weight of entry ${i}`), "}", "", "def main():", "    return TABLE", ""].join("\n");

  it("elides the inside of a large literal behind one marker, opening and closing lines kept", () => {
    const result = compress({ text: table, language: "python" })!;
    expect(result.text).toContain("TABLE = {\n    # [30 lines omitted: data, lines 4-33");
    expect(result.text).toMatch(/\]\n}\n/);
    expect(errorsIn("python", result.text)).toBe(0);
  });

  it("keeps a literal that holds what the query names", () => {
    const result = compress({ text: table, language: "python" }, "why is entry_key_17 weighted so?");
    expect(result?.text ?? table).toContain('    "entry_key_17": 119,  # weight of entry 17');
  });

  it("elides the inside of a large Rust macro input, the invocation line kept", () => {
    const impls = Array.from({ length: 10 }, (_, i) => `    impl Visit for Node${i} { fn visit(&self, v: &mut Visitor) { v.enter_node(self.id, ${i}); } }`);
    const rust = ["use crate::visit::*;", "", "impl_visitors! {", ...impls, "}", ""].join("\n");
    const result = compress({ text: rust, language: "rust" })!;
    expect(result.text).toContain("impl_visitors! {\n    // [10 lines omitted: macro input, lines 4-13 · ");
    expect(errorsIn("rust", result.text)).toBe(0);
  });

  it("keeps the first of a run of like calls and marks the rest", () => {
    const rust = Array.from({ length: 12 }, (_, i) => `mat!(match_basic_${i}, r"a${i}b", r"xxa${i}b", Some((2, ${4 + String(i).length})));`).join("\n") + "\n";
    const result = compress({ text: rust, language: "rust" })!;
    const lines = result.text.split("\n");
    expect(lines[0]).toBe(rust.split("\n")[0]);
    expect(lines[1]).toMatch(/^\/\/ \[11 lines omitted: similar items, lines 2-12 · /);
  });
});

describe("runs of short functions", () => {
  const names = ["width", "height", "depth", "weight", "colour", "owner", "label", "origin"];
  const source = ["export class Box {", "  constructor(private readonly data: Record<string, unknown>) {}", "", ...names.flatMap((n) => [`  get ${n}(): unknown {`, `    return this.data["${n}"] ?? this.data.fallbackValueFor("${n}");`, "  }", ""]), "}", ""].join("\n");

  it("keeps the first whole and names the rest in one marker", () => {
    const result = compress({ text: source, language: "typescript" })!;
    expect(result.text).toContain("  get width(): unknown {");
    expect(result.text).toMatch(/\/\/ \[\d+ lines omitted: short functions height, depth, weight, colour, owner, label, origin, lines \d+-\d+ · /);
    expect(result.text).not.toContain("get height");
    expect(errorsIn("typescript", result.text)).toBe(0);
  });

  it("keeps a short function the query names, with its signature", () => {
    const result = compress({ text: source, language: "typescript" }, "where does colour come from?")!;
    expect(result.text).toContain('  get colour(): unknown {\n    return this.data["colour"] ?? this.data.fallbackValueFor("colour");\n  }');
  });
});

describe("line-numbered reads", () => {
  const fixture = FIXTURES.find((f) => f.name === "go/scan.go")!;
  const numbered = fixture.text
    .split("\n")
    .map((line, i) => `${String(i + 101).padStart(6)}\t${line}`)
    .join("\n");

  it("keeps every kept line with its own number and gives markers none", () => {
    const result = compressCode(numbered, contextFor(numbered, { language: "go" }))!;
    expect(result).not.toBeNull();
    const original = new Set(numbered.split("\n"));
    for (const line of result.text.split("\n")) {
      if (parseMarkers(line).length > 0) expect(line).toMatch(/^\s*\/\/ \[/);
      else expect(original.has(line), line).toBe(true);
    }
  });

  it("names true line numbers in markers", () => {
    const result = compressCode(numbered, contextFor(numbered, { language: "go" }))!;
    const lines = result.text.split("\n");
    const at = lines.findIndex((line) => parseMarkers(line).length > 0);
    const firstOmitted = Number(/lines (\d+)-/.exec(parseMarkers(lines[at]!)[0]?.detail ?? "")?.[1]);
    // The first number the marker names follows the numbered line before it.
    expect(Number(/^\s*(\d+)\t/.exec(lines[at - 1]!)?.[1])).toBe(firstOmitted - 1);
  });
});

describe("line-numbered reads of every fixture", () => {
  // Claude Code's Read prefix: the number, a tab. Starting above 1 as a ranged read would.
  const numberedText = (text: string, first: number) =>
    text
      .split("\n")
      .map((line, i) => `${String(i + first).padStart(6)}\t${line}`)
      .join("\n");

  for (const fixture of FIXTURES) {
    it(`${fixture.name}: each marker states exactly the numbers missing between the kept lines around it`, () => {
      const numbered = numberedText(fixture.text, 37);
      const result = compressCode(numbered, contextFor(numbered, { language: fixture.language }));
      expect(result).not.toBeNull();
      const out = result!.text.split("\n");
      const numberOf = (line: string | undefined) => (line === undefined ? undefined : Number(/^\s*(\d+)\t/.exec(line)?.[1]));
      const total = fixture.text.split("\n").length;
      let markers = 0;
      out.forEach((line, i) => {
        const [marker] = parseMarkers(line);
        if (!marker) {
          expect(numberOf(line), line).toBeGreaterThan(0);
          return;
        }
        markers++;
        const [, from, to] = /lines (\d+)-(\d+)$/.exec(marker.detail ?? "") ?? [];
        // The kept line before (or the first number) and after (or one past the last number).
        const before = i > 0 ? numberOf(out[i - 1]) : 36;
        const after = i + 1 < out.length ? numberOf(out[i + 1]) : 37 + total;
        expect(before, `line before ${line}`).not.toBeNaN();
        expect(after, `line after ${line}`).not.toBeNaN();
        expect([Number(from), Number(to)]).toEqual([before! + 1, after! - 1]);
        expect(marker.count).toBe(after! - before! - 1);
      });
      expect(markers).toBeGreaterThan(0);
    });
  }
});

describe("broken input", () => {
  for (const fixture of FIXTURES) {
    it(`${fixture.name} cut in half compresses with no new errors, or is left alone`, () => {
      const half = { ...fixture, text: fixture.text.slice(0, Math.floor(fixture.text.length / 2)) };
      const result = compress(half);
      if (result) expect(errorsIn(fixture.language, result.text)).toBeLessThanOrEqual(errorsIn(fixture.language, half.text));
    });
  }

  it("does not throw on garbage declared as code", () => {
    const garbage = Array.from({ length: 400 }, (_, i) => `{{ (( [[ ${i} ]] ; def fn func }} ))`).join("\n");
    for (const language of ["python", "c", "rust", "typescript"] as const) expect(() => compress({ text: garbage, language })).not.toThrow();
  });
});

describe("when it declines", () => {
  const fixture = FIXTURES.find((f) => f.name === "rust/utf8.rs")!;

  it("returns null in lossless-only mode", () => {
    expect(compressCode(fixture.text, contextFor(fixture.text, { language: "rust", losslessOnly: true }))).toBeNull();
  });

  it("returns null for text it cannot place in a language", () => {
    const prose = "This is a plain paragraph of text.\n".repeat(200);
    expect(compress({ text: prose })).toBeNull();
  });

  it("guesses the language of unlabelled code that parses cleanly", () => {
    const unlabeled = FIXTURES.find((f) => f.name === "go/scan.go")!.text;
    expect(compress({ text: unlabeled })?.text).toEqual(compress({ text: unlabeled, language: "go" })?.text);
  });

  it("is deterministic across calls", () => {
    const a = compress({ ...fixture }, "decode");
    const b = compress({ ...fixture }, "decode");
    expect(a).toEqual(b);
  });
});

describe("tsx (no real file on this machine: a small hand-written component)", () => {
  const component = [
    'import React from "react";',
    "",
    "interface Props { readonly items: string[]; readonly title: string }",
    "",
    "export function List({ items, title }: Props) {",
    "  const sorted = [...items].sort();",
    "  const count = sorted.length;",
    "  const label = `${title} (${count})`;",
    "  const empty = count === 0;",
    "  const first = sorted[0] ?? \"none\";",
    "  return (",
    "    <section>",
    "      <h2>{label}</h2>",
    "      {empty ? <p>Nothing yet</p> : <ul>{sorted.map((item) => <li key={item}>{item}</li>)}</ul>}",
    "      <footer>First: {first}</footer>",
    "    </section>",
    "  );",
    "}",
    "",
  ].join("\n");

  beforeAll(() => expect(parserFor("tsx")).toBeDefined());

  it("elides a component body and keeps its signature", () => {
    const result = compress({ text: component, language: "tsx" })!;
    expect(result.text).toContain("export function List({ items, title }: Props) {");
    expect(result.text).toMatch(/\/\/ \[12 lines omitted: body of List, lines 6-17/);
    expect(errorsIn("tsx", result.text)).toBe(0);
  });
});
