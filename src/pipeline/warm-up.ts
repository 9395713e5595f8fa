// Runs every compressor once on a small synthetic sample so V8 has compiled the hot paths before the
// first real request. The results are thrown away; nothing is stored. Resources (tree-sitter
// grammars) load here too, asynchronously, so no request ever waits for them.
import { loadGrammars } from "../resources/grammars.js";
import { compressUnit } from "./compress-unit.js";
import { buildQuery } from "./query.js";

const SAMPLES: readonly string[] = [
  JSON.stringify(Array.from({ length: 120 }, (_, i) => ({ id: i, status: i % 17 === 0 ? "error" : "ok", name: `item-${i}`, tags: ["a", "b"] }))),
  Array.from({ length: 200 }, (_, i) => `src/module-${i % 9}/file-${i}.ts:${i + 1}:  const value${i} = compute(${i});`).join("\n"),
  Array.from({ length: 200 }, (_, i) => `2026-01-01T00:00:${String(i % 60).padStart(2, "0")}Z ${i % 50 === 0 ? "ERROR request failed" : "INFO request ok"} id=${i}`).join("\n"),
  Array.from({ length: 200 }, (_, i) => `-rw-r--r--  1 user user  ${1000 + i} Jan  1 00:00 file-${i}.${i % 3 ? "js" : "md"}`).join("\n"),
  ["diff --git a/a.ts b/a.ts", "--- a/a.ts", "+++ b/a.ts", "@@ -1,200 +1,200 @@", ...Array.from({ length: 200 }, (_, i) => `+line ${i} of the new file`)].join("\n"),
  Array.from({ length: 200 }, (_, i) => `Sentence number ${i} explains part ${i % 7} of the design in plain words.`).join("\n"),
];

export function warmUpPipeline(): void {
  const query = buildQuery("why did request 50 fail");
  for (const sample of SAMPLES) {
    try {
      compressUnit(sample, { query });
    } catch {
      // Warm-up is best effort: a failure here shows up, with its real input, on the request path.
    }
  }
}

// A small Python module: enough functions for the code compressor to elide a few bodies.
const CODE_SAMPLE = Array.from(
  { length: 12 },
  (_, i) => `def handler_${i}(request, retries=3):\n    """Handle request kind ${i}."""\n${Array.from({ length: 8 }, (_, k) => `    value_${k} = request.get("field_${k}", ${k}) * retries`).join("\n")}\n    return value_0\n`,
).join("\n");

/**
 * Loads what compressors need (tree-sitter grammars, once per process), then warms the code path.
 * Never rejects: a grammar that fails is recorded (see grammarStatus) and its code goes to the text
 * compressor.
 * @example void preloadResources(); // at proxy start, off the request path
 */
export async function preloadResources(): Promise<void> {
  try {
    await loadGrammars();
    compressUnit(CODE_SAMPLE, { query: buildQuery("handler_3"), kind: "code" });
  } catch {
    // Best effort, like warmUpPipeline.
  }
}
