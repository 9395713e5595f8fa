import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { guessLanguage, languageFromPath } from "../../src/compressors/code-language.js";

const ROOT = fileURLToPath(new URL("../fixtures/code/", import.meta.url));

describe("languageFromPath", () => {
  it.each([
    ["a/b.py", "python"],
    ["x.pyi", "python"],
    ["x.mjs", "javascript"],
    ["x.cjs", "javascript"],
    ["C:\\src\\App.JSX", "javascript"],
    ["x.mts", "typescript"],
    ["x.cts", "typescript"],
    ["x.tsx", "tsx"],
    ["main.go", "go"],
    ["lib.rs", "rust"],
    ["A.java", "java"],
    ["x.h", "c"],
    ["x.hh", "cpp"],
    ["x.cxx", "cpp"],
    ["x.hpp", "cpp"],
  ])("%s is %s", (path, language) => {
    expect(languageFromPath(path)).toBe(language);
  });

  it("knows nothing of other files", () => {
    for (const path of ["README.md", "Makefile", ".py", "x.json", "dir.go/file"]) expect(languageFromPath(path), path).toBeUndefined();
  });
});

describe("guessLanguage", () => {
  for (const dir of readdirSync(ROOT, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const file of readdirSync(`${ROOT}${dir.name}`)) {
      const expected = languageFromPath(file.replace(/\.txt$/, ""));
      it(`guesses ${dir.name}/${file} right, or not at all`, () => {
        const guess = guessLanguage(readFileSync(`${ROOT}${dir.name}/${file}`, "utf8"));
        if (guess !== undefined) expect(guess).toBe(expected);
      });
    }
  }

  it("guesses the clear cases", () => {
    expect(guessLanguage("package main\n\nimport (\n\t\"fmt\"\n)\n\nfunc main() {\n\tx := 1\n\tfmt.Println(x)\n}\n")).toBe("go");
    expect(guessLanguage("import os\nfrom sys import argv\n\ndef main(args):\n    pass\n\nclass A:\n    pass\n")).toBe("python");
    expect(guessLanguage("use std::fmt;\n\npub fn a() {}\nfn b() {\n    let mut x = 1;\n}\n")).toBe("rust");
  });

  it("declines prose, logs and too little evidence", () => {
    expect(guessLanguage("The quick brown fox.\nJumps over the lazy dog.\n")).toBeUndefined();
    expect(guessLanguage("2026-01-01T00:00:00Z INFO started\n2026-01-01T00:00:01Z ERROR failed\n")).toBeUndefined();
    expect(guessLanguage("x = 1\n")).toBeUndefined();
  });
});
