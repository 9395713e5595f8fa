import { describe, expect, it } from "vitest";
import { CODE_LANGUAGES } from "../../src/compressors/types.js";
import { grammarFile, grammarStatus, loadGrammars, parserFor } from "../../src/resources/grammars.js";

describe("grammars", () => {
  it("resolves every grammar file from the package, not the working directory", () => {
    for (const language of CODE_LANGUAGES) expect(grammarFile(language)).toMatch(/node_modules\/tree-sitter-wasms\/out\/tree-sitter-\w+\.wasm$/);
  });

  it("answers undefined before loading, then a parser after; concurrent callers share one load", async () => {
    expect(parserFor("go")).toBeUndefined();
    expect(grammarStatus().grammars.find((g) => g.language === "go")?.state).toBe("not-loaded");
    // Two loads in flight at once would fail inside web-tree-sitter; here both callers must succeed.
    await Promise.all([loadGrammars(["go", "rust"]), loadGrammars(["rust", "python"]), loadGrammars()]);
    for (const language of CODE_LANGUAGES) expect(parserFor(language), language).toBeDefined();
    const tree = parserFor("go")!.parse("package main\n\nfunc main() {}\n")!;
    expect(tree.rootNode.hasError).toBe(false);
    tree.delete();
  });

  it("reports every grammar loaded, with its load time, for doctor", async () => {
    await loadGrammars();
    const status = grammarStatus();
    expect(status.initMs).toBeGreaterThan(0);
    expect(status.grammars.map((g) => g.language)).toEqual([...CODE_LANGUAGES]);
    for (const grammar of status.grammars) {
      expect(grammar.state, grammar.language).toBe("loaded");
      expect(grammar.loadMs).toBeGreaterThan(0);
    }
  });

  it("is idempotent: a second load keeps the same parsers", async () => {
    const before = parserFor("python");
    await loadGrammars(["python"]);
    expect(parserFor("python")).toBe(before);
  });
});
