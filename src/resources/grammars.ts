// Tree-sitter grammars for the code compressor: loaded once per process, asynchronously, before any
// compression needs them; the compressor asks synchronously and gets undefined until then.
//
// Grammars are loaded one after another, never concurrently: web-tree-sitter links each grammar
// into one shared wasm module, and two loads in flight at once fail ("bad export type for
// 'tree_sitter_javascript_external_scanner_create'", measured with 0.25.10). web-tree-sitter itself
// is imported dynamically so that commands which never compress (`headroom --version`) load none of it.
import { createRequire } from "node:module";
import path from "node:path";
import type { Language, Parser } from "web-tree-sitter";
import type { CodeLanguage } from "../compressors/types.js";
import { CODE_LANGUAGES } from "../compressors/types.js";

/** What `headroom doctor` shows for one grammar. */
export interface GrammarStatus {
  readonly language: CodeLanguage;
  readonly state: "not-loaded" | "loading" | "loaded" | "failed";
  /** Milliseconds the grammar's own load took (not counting the runtime's init). */
  readonly loadMs?: number;
  readonly error?: string;
  readonly file: string;
}

// The wasm file name in tree-sitter-wasms/out for each language.
const WASM_NAME: Record<CodeLanguage, string> = {
  python: "python",
  javascript: "javascript",
  typescript: "typescript",
  tsx: "tsx",
  go: "go",
  rust: "rust",
  java: "java",
  c: "c",
  cpp: "cpp",
};

interface Entry {
  state: GrammarStatus["state"];
  loadMs?: number;
  error?: string;
  parser?: Parser;
}

const entries = new Map<CodeLanguage, Entry>();
let runtime: Promise<typeof import("web-tree-sitter")> | undefined;
let runtimeError: string | undefined;
let initMs: number | undefined;
// Every load waits for the one before it (see the header: concurrent loads fail).
let chain: Promise<void> = Promise.resolve();

/** Where the grammar files live, resolved from the package, never from the working directory. */
export function grammarFile(language: CodeLanguage): string {
  const require = createRequire(import.meta.url);
  const root = path.dirname(require.resolve("tree-sitter-wasms/package.json"));
  return path.join(root, "out", `tree-sitter-${WASM_NAME[language]}.wasm`);
}

function loadRuntime(): Promise<typeof import("web-tree-sitter")> {
  runtime ??= (async () => {
    const started = performance.now();
    const mod = await import("web-tree-sitter");
    await mod.Parser.init();
    initMs = performance.now() - started;
    return mod;
  })();
  return runtime;
}

async function loadOne(language: CodeLanguage, entry: Entry): Promise<void> {
  let mod: typeof import("web-tree-sitter");
  try {
    mod = await loadRuntime();
  } catch (error) {
    runtimeError = error instanceof Error ? error.message : String(error);
    entry.state = "failed";
    entry.error = `tree-sitter runtime did not start: ${runtimeError}`;
    return;
  }
  try {
    const started = performance.now();
    const grammar: Language = await mod.Language.load(grammarFile(language));
    const parser = new mod.Parser();
    parser.setLanguage(grammar);
    entry.parser = parser;
    entry.loadMs = performance.now() - started;
    entry.state = "loaded";
  } catch (error) {
    entry.state = "failed";
    entry.error = error instanceof Error ? error.message : String(error);
  }
}

/**
 * Loads the grammars of `languages` (default: all), once per process. Concurrent callers share the
 * work; a grammar that fails is recorded in grammarStatus(), never thrown.
 * @example await loadGrammars(); parserFor("python")?.parse(source)
 */
export function loadGrammars(languages: readonly CodeLanguage[] = CODE_LANGUAGES): Promise<void> {
  const waits: Promise<void>[] = [];
  for (const language of languages) {
    const known = entries.get(language);
    if (known) {
      if (known.state === "loading") waits.push(chain);
      continue;
    }
    const entry: Entry = { state: "loading" };
    entries.set(language, entry);
    chain = chain.then(() => loadOne(language, entry));
    waits.push(chain);
  }
  return Promise.all(waits).then(() => undefined);
}

/**
 * The parser for a language, or undefined until its grammar has loaded (or when it failed).
 * One parser per language, shared: callers parse synchronously and never keep it across awaits.
 */
export function parserFor(language: CodeLanguage): Parser | undefined {
  return entries.get(language)?.parser;
}

/** Per-grammar state and load time, for `headroom doctor`; `initMs` is the runtime's own start. */
export function grammarStatus(): { initMs?: number; runtimeError?: string; grammars: GrammarStatus[] } {
  const grammars = CODE_LANGUAGES.map((language): GrammarStatus => {
    const entry = entries.get(language);
    let file: string;
    try {
      file = grammarFile(language);
    } catch {
      file = `tree-sitter-wasms/out/tree-sitter-${WASM_NAME[language]}.wasm (package not found)`;
    }
    return {
      language,
      state: entry?.state ?? "not-loaded",
      file,
      ...(entry?.loadMs !== undefined ? { loadMs: entry.loadMs } : {}),
      ...(entry?.error !== undefined ? { error: entry.error } : {}),
    };
  });
  return { ...(initMs !== undefined ? { initMs } : {}), ...(runtimeError !== undefined ? { runtimeError } : {}), grammars };
}
