import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

export const OUTPUTS = join(import.meta.dirname, "../fixtures/outputs");

/** The real captured outputs of one kind (test/fixtures/outputs/<kind>/*.txt), largest first. */
export function realOutputs(kind: string): { name: string; text: string }[] {
  const dir = join(OUTPUTS, kind);
  return readdirSync(dir)
    .filter((name) => name.endsWith(".txt"))
    .map((name) => ({ name, text: readFileSync(join(dir, name), "utf8") }))
    .sort((a, b) => b.text.length - a.text.length || a.name.localeCompare(b.name));
}
