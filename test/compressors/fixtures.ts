// Loads the real captured tool outputs under test/fixtures/outputs/<kind>/ (see each SOURCES.md).
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../fixtures/outputs/", import.meta.url));

export interface Fixture {
  readonly name: string;
  readonly text: string;
}

export function readFixture(kind: string, name: string): string {
  return readFileSync(`${ROOT}${kind}/${name}`, "utf8");
}

/** Every .txt fixture of one kind, or only the named ones. */
export function fixtures(kind: string, names?: readonly string[]): Fixture[] {
  const all = readdirSync(`${ROOT}${kind}`).filter((f) => f.endsWith(".txt")).sort();
  return (names ?? all).map((name) => ({ name, text: readFixture(kind, name) }));
}
