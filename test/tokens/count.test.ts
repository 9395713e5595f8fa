import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { countTokens as o200kCount } from "gpt-tokenizer/encoding/o200k_base";
import { countTokens as cl100kCount } from "gpt-tokenizer/encoding/cl100k_base";
import { Tiktoken } from "js-tiktoken/lite";
import o200kRanks from "js-tiktoken/ranks/o200k_base";
import {
  countTokensSync,
  encodingFor,
  isEstimate,
  loadCounter,
  loadedEncodings,
} from "../../src/tokens/count.js";

const ROOT = resolve(import.meta.dirname, "../..");
const require = createRequire(import.meta.url);

/** Real texts from this machine: a JS source, a README, a package manifest. */
function realTexts(): string[] {
  return [
    readFileSync(require.resolve("commander"), "utf8"),
    readFileSync(join(ROOT, "node_modules/commander/Readme.md"), "utf8"),
    readFileSync(join(ROOT, "package-lock.json"), "utf8").slice(0, 40_000),
    readFileSync(join(ROOT, "node_modules/typescript/lib/lib.es5.d.ts"), "utf8").slice(0, 40_000),
  ];
}

describe("encodingFor", () => {
  it.each([
    ["gpt-4o", "o200k_base"],
    ["gpt-4o-mini-2024-07-18", "o200k_base"],
    ["gpt-4.1", "o200k_base"],
    ["gpt-4.5-preview", "o200k_base"],
    ["gpt-5", "o200k_base"],
    ["gpt-5.1-codex", "o200k_base"],
    ["o1", "o200k_base"],
    ["o3-mini", "o200k_base"],
    ["o4-mini", "o200k_base"],
    ["openai/gpt-4o", "o200k_base"],
    ["some-future-model", "o200k_base"],
    ["claude-sonnet-4-5", "o200k_base"],
    ["gpt-4", "cl100k_base"],
    ["gpt-4-turbo", "cl100k_base"],
    ["gpt-4-0613", "cl100k_base"],
    ["gpt-3.5-turbo", "cl100k_base"],
    ["azure/gpt-35-turbo", "cl100k_base"],
  ])("%s -> %s", (model, encoding) => {
    expect(encodingFor(model)).toBe(encoding);
  });
});

describe("isEstimate", () => {
  it("marks Claude and other non-OpenAI models as estimates", () => {
    expect(isEstimate("claude-sonnet-4-5-20250929")).toBe(true);
    expect(isEstimate("claude-opus-4-1")).toBe(true);
    expect(isEstimate("anthropic/claude-3-5-haiku")).toBe(true);
    expect(isEstimate("gemini-2.5-pro")).toBe(true);
  });
  it("does not mark OpenAI models", () => {
    for (const model of ["gpt-4o", "gpt-4", "gpt-3.5-turbo", "gpt-5-mini", "o3", "o4-mini", "openai/gpt-4.1"]) {
      expect(isEstimate(model)).toBe(false);
    }
  });
});

describe("counting", () => {
  it("matches gpt-tokenizer and js-tiktoken on real text (o200k)", async () => {
    const count = await loadCounter("gpt-4o");
    const tiktoken = new Tiktoken(o200kRanks);
    for (const text of realTexts()) {
      const n = count(text);
      expect(n).toBeGreaterThan(100);
      expect(n).toBe(o200kCount(text));
      expect(n).toBe(tiktoken.encode(text, [], []).length);
      expect(countTokensSync(text, "claude-sonnet-4-5")).toBe(n);
    }
  });

  it("matches gpt-tokenizer on real text (cl100k)", async () => {
    const count = await loadCounter("gpt-4");
    for (const text of realTexts()) expect(count(text)).toBe(cl100kCount(text));
    expect(countTokensSync("hello world", "gpt-3.5-turbo")).toBe(2);
  });

  it("counts special-token text as ordinary text instead of throwing", async () => {
    const count = await loadCounter("gpt-4o");
    expect(count("log line <|endoftext|> more")).toBeGreaterThan(5);
    expect(count("")).toBe(0);
  });

  it("loads each encoding once, shared by concurrent callers", async () => {
    const [a, b] = await Promise.all([loadCounter("gpt-5"), loadCounter("o3")]);
    expect(a).toBe(b);
    expect(await loadCounter("claude-opus-4-1")).toBe(a);
    expect(loadedEncodings()).toEqual(["cl100k_base", "o200k_base"]);
  });
});

describe("laziness", () => {
  it("importing the module loads no encoding until asked", () => {
    // A fresh process with a resolve hook that logs every module URL; the hook runs off-thread,
    // so it appends to a file the test reads afterwards.
    const dir = mkdtempSync(join(tmpdir(), "headroom-count-"));
    try {
      const log = join(dir, "resolved.log");
      const hooks = join(dir, "hooks.mjs");
      writeFileSync(
        hooks,
        `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, result.url + "\\n");
  return result;
}`,
      );
      const countUrl = pathToFileURL(join(ROOT, "src/tokens/count.ts")).href;
      const script = `
import { register } from "node:module";
import { appendFileSync } from "node:fs";
register(${JSON.stringify(pathToFileURL(hooks).href)});
const m = await import(${JSON.stringify(countUrl)});
appendFileSync(${JSON.stringify(log)}, "--imported " + JSON.stringify(m.loadedEncodings()) + " " + String(m.countTokensSync("hi", "gpt-4o")) + "\\n");
await m.loadCounter("gpt-4o");
appendFileSync(${JSON.stringify(log)}, "--loaded " + JSON.stringify(m.loadedEncodings()) + " " + String(m.countTokensSync("hello world", "gpt-4o")) + "\\n");
`;
      const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
        cwd: ROOT,
        encoding: "utf8",
      });
      expect(child.stderr).toBe("");
      expect(child.status).toBe(0);
      const lines = readFileSync(log, "utf8").split("\n");
      const imported = lines.findIndex((l) => l.startsWith("--imported"));
      const loaded = lines.findIndex((l) => l.startsWith("--loaded"));
      expect(imported).toBeGreaterThan(0);
      expect(lines[imported]).toBe("--imported [] undefined");
      expect(lines[loaded]).toBe('--loaded ["o200k_base"] 2');
      const before = lines.slice(0, imported);
      const after = lines.slice(imported, loaded);
      expect(before.some((l) => l.endsWith("src/tokens/count.ts"))).toBe(true);
      expect(before.filter((l) => l.includes("gpt-tokenizer"))).toEqual([]);
      expect(after.some((l) => l.includes("gpt-tokenizer/esm/encoding/o200k_base.js"))).toBe(true);
      expect(after.some((l) => l.includes("gpt-tokenizer/esm/bpeRanks/o200k_base.js"))).toBe(true);
      // The other encoding's ranks (the big data) stay unloaded.
      expect(after.some((l) => l.includes("bpeRanks/cl100k_base"))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
