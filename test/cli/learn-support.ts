// The committed learn fixtures copied into a temp HOME, moved from /home/dev/shop to a real
// (writable) project directory: contents and directory names rewritten the way the agents would
// have written them there (Claude's escaped project directory, Gemini's project hash).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { escapeProjectDir } from "../../src/learn/read-claude.js";
import { geminiProjectHash } from "../../src/learn/read-gemini.js";

export const FIXTURES = join(import.meta.dirname, "../fixtures/learn");
export const FIXTURE_PROJECT = "/home/dev/shop";

function copyTree(from: string, to: string, rename: (name: string) => string, rewrite: (text: string) => string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const source = join(from, name);
    const target = join(to, rename(name));
    if (statSync(source).isDirectory()) copyTree(source, target, rename, rewrite);
    else writeFileSync(target, rewrite(readFileSync(source, "utf8")));
  }
}

/** A temp HOME (.claude, .codex, .gemini) holding the fixtures as sessions of `project`. */
export function fixtureHome(project: string): string {
  const home = mkdtempSync(join(tmpdir(), "headroom-learn-home-"));
  const rename = (name: string) =>
    name === escapeProjectDir(FIXTURE_PROJECT) ? escapeProjectDir(project) : name === geminiProjectHash(FIXTURE_PROJECT) ? geminiProjectHash(project) : name;
  const rewrite = (text: string) => text.split(FIXTURE_PROJECT).join(project).split(geminiProjectHash(FIXTURE_PROJECT)).join(geminiProjectHash(project));
  copyTree(join(FIXTURES, "claude"), join(home, ".claude"), rename, rewrite);
  copyTree(join(FIXTURES, "codex"), join(home, ".codex"), rename, rewrite);
  copyTree(join(FIXTURES, "gemini", ".gemini"), join(home, ".gemini"), rename, rewrite);
  return home;
}

/** An empty project directory in a temp dir. */
export function tempProject(): string {
  return mkdtempSync(join(tmpdir(), "headroom-learn-project-"));
}
