// The marked block in CLAUDE.md / AGENTS.md / GEMINI.md: replaced in place, appended otherwise,
// everything outside it byte for byte, idempotent, line endings kept, written atomically.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BLOCK_END, BLOCK_START, instructionFile, planChange, renderBlock, unifiedDiff, withBlock, writeAtomic } from "../../src/learn/instructions-file.js";
import type { LearnedRule } from "../../src/learn/mine.js";

const rule = (text: string, evidence = 2, sessions = 2): LearnedRule => ({ id: text, kind: "command", text, evidence, sessions, examples: [] });
const RULES = [rule("Run the tests with `npm test`, not `yarn test`.", 3), rule("The files are in `src/`, not `lib/`.")];

function project(): string {
  return mkdtempSync(join(tmpdir(), "headroom-learn-file-"));
}

describe("instructionFile", () => {
  it("picks each agent's file, CLAUDE.local.md when it exists, or the target", () => {
    const dir = project();
    expect(instructionFile("claude", dir)).toBe(join(dir, "CLAUDE.md"));
    expect(instructionFile("codex", dir)).toBe(join(dir, "AGENTS.md"));
    expect(instructionFile("gemini", dir)).toBe(join(dir, "GEMINI.md"));
    writeFileSync(join(dir, "CLAUDE.local.md"), "");
    expect(instructionFile("claude", dir)).toBe(join(dir, "CLAUDE.local.md"));
    expect(instructionFile("claude", dir, "docs/AI.md")).toBe(join(dir, "docs/AI.md"));
  });
});

describe("withBlock", () => {
  it("renders the rules with their evidence and no date", () => {
    expect(renderBlock(RULES)).toBe(
      [
        BLOCK_START,
        "## Learned from earlier sessions",
        "",
        "Written by `headroom learn` from failures in this project's agent sessions; the next run replaces this block.",
        "",
        "- Run the tests with `npm test`, not `yarn test`. (3 times in 2 sessions)",
        "- The files are in `src/`, not `lib/`. (2 times in 2 sessions)",
        BLOCK_END,
      ].join("\n"),
    );
  });

  it("creates a new file with the block alone", () => {
    expect(withBlock(Buffer.alloc(0), RULES).toString()).toBe(`${renderBlock(RULES)}\n`);
  });

  it("appends after one blank line, whether or not the file ends with a line break", () => {
    const block = renderBlock(RULES);
    expect(withBlock(Buffer.from("# Shop\nUse tabs.\n"), RULES).toString()).toBe(`# Shop\nUse tabs.\n\n${block}\n`);
    expect(withBlock(Buffer.from("# Shop\nUse tabs."), RULES).toString()).toBe(`# Shop\nUse tabs.\n\n${block}\n`);
    expect(withBlock(Buffer.from("# Shop\n\n"), RULES).toString()).toBe(`# Shop\n\n${block}\n`);
  });

  it("replaces an existing block in place, bytes outside it untouched (CRLF, BOM, invalid UTF-8)", () => {
    const head = Buffer.concat([Buffer.from("\uFEFF# Shop\r\n"), Buffer.from([0xff, 0xfe, 0x0d, 0x0a]), Buffer.from("\r\n")]);
    const tail = Buffer.from("\r\nMore notes \u00e9\r\n");
    const old = Buffer.from(`${BLOCK_START}\r\nold rules\r\n${BLOCK_END}`);
    const after = withBlock(Buffer.concat([head, old, tail]), RULES);
    expect(after.subarray(0, head.length).equals(head)).toBe(true);
    expect(after.subarray(after.length - tail.length).equals(tail)).toBe(true);
    const block = after.subarray(head.length, after.length - tail.length).toString("utf8");
    expect(block).toBe(renderBlock(RULES, "\r\n"));
    expect(block.replace(/\r\n/g, "")).not.toContain("\n");
  });

  it("is idempotent: a second run with the same rules gives the same bytes", () => {
    const once = withBlock(Buffer.from("# Shop\n"), RULES);
    expect(withBlock(once, RULES).equals(once)).toBe(true);
  });

  it("an empty rule set changes nothing, not even an earlier block", () => {
    const file = Buffer.from(`# Shop\n\n${renderBlock(RULES)}\n`);
    expect(withBlock(file, []).equals(file)).toBe(true);
    expect(withBlock(Buffer.alloc(0), []).length).toBe(0);
  });

  it("refuses to guess with broken markers", () => {
    expect(() => withBlock(Buffer.from(`${BLOCK_START}\nno end\n`), RULES)).toThrow(/broken headroom block/);
    expect(() => withBlock(Buffer.from(`${BLOCK_END}\n${BLOCK_START}\n`), RULES)).toThrow(/broken headroom block/);
    expect(() => withBlock(Buffer.from(`${BLOCK_START}\n${BLOCK_END}\n${BLOCK_START}\n${BLOCK_END}\n`), RULES)).toThrow(/broken headroom block/);
  });
});

describe("unifiedDiff", () => {
  it("one hunk with three lines of context", () => {
    const before = "1\n2\n3\n4\n5\nold\n6\n7\n8\n9\n";
    const after = "1\n2\n3\n4\n5\nnew\nnewer\n6\n7\n8\n9\n";
    expect(unifiedDiff("CLAUDE.md", before, after)).toBe("--- a/CLAUDE.md\n+++ b/CLAUDE.md\n@@ -3,7 +3,8 @@\n 3\n 4\n 5\n-old\n+new\n+newer\n 6\n 7\n 8\n");
  });

  it("a new file diffs from /dev/null", () => {
    expect(unifiedDiff("AGENTS.md", undefined, "a\nb\n")).toBe("--- /dev/null\n+++ b/AGENTS.md\n@@ -0,0 +1,2 @@\n+a\n+b\n");
  });
});

describe("planChange and writeAtomic", () => {
  it("plans without writing, then writes keeping the mode and leaving no temp file", () => {
    const dir = project();
    const path = join(dir, "AGENTS.md");
    writeFileSync(path, "# Shop\n");
    chmodSync(path, 0o640);
    const plan = planChange(path, RULES, dir);
    expect(plan.changed).toBe(true);
    expect(plan.diff).toContain("+++ b/AGENTS.md");
    expect(plan.diff).toContain("+- Run the tests with `npm test`, not `yarn test`. (3 times in 2 sessions)");
    expect(readFileSync(path, "utf8")).toBe("# Shop\n");
    writeAtomic(path, plan.after);
    expect(readFileSync(path).equals(plan.after)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(["AGENTS.md"]);
    expect(planChange(path, RULES, dir)).toMatchObject({ changed: false, diff: "" });
  });

  it("a failed write says where and leaves the file alone", () => {
    const dir = project();
    mkdirSync(join(dir, "CLAUDE.md"));
    expect(() => writeAtomic(join(dir, "CLAUDE.md"), Buffer.from("x"))).toThrow(/Could not write/);
  });
});
