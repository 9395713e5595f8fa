// `headroom learn` through its command function, over the real fixtures moved into a temp HOME and
// project: dry run writes nothing, --apply writes each agent's file, a second run changes no byte.
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatReport, learn } from "../../src/cli/learn.js";
import { BLOCK_END, BLOCK_START } from "../../src/learn/instructions-file.js";
import { escapeProjectDir } from "../../src/learn/read-claude.js";
import { geminiProjectHash } from "../../src/learn/read-gemini.js";
import { fixtureHome, tempProject } from "./learn-support.js";

function setup() {
  const project = tempProject();
  const home = fixtureHome(project);
  return { project, home, env: { HOME: home, PATH: process.env.PATH ?? "" } };
}

describe("learn", () => {
  it("dry run: each agent's diff, nothing written", async () => {
    const { project, env } = setup();
    const report = await learn({ project, env });
    expect(report.dryRun).toBe(true);
    expect(report.targets.map((t) => [t.agents, t.file, t.sessions, t.rules.length, t.changed, t.written])).toEqual([
      [["claude"], join(project, "CLAUDE.md"), 7, 4, true, false],
      [["codex"], join(project, "AGENTS.md"), 6, 4, true, false],
      [["gemini"], join(project, "GEMINI.md"), 2, 0, false, false],
    ]);
    expect(report.targets[0]?.diff).toMatch(/^--- \/dev\/null\n\+\+\+ b\/CLAUDE\.md\n@@ -0,0 \+1,10 @@\n\+<!-- headroom:learn:start -->/);
    expect(readdirSync(project)).toEqual([]);
    const text = formatReport(report);
    expect(text.out).toContain("claude: 7 sessions read, 4 rules with 2+ pieces of evidence -> CLAUDE.md");
    expect(text.notes).toContain("CLAUDE.md: dry run, nothing written. Run again with --apply to write it.");
    expect(text.notes).toContain("GEMINI.md: nothing to learn; no change.");
  });

  it("--apply writes the block after the user's text; a second run changes no byte", async () => {
    const { project, env } = setup();
    const mine = "# Shop\r\n\r\nUse tabs.\r\n";
    writeFileSync(join(project, "AGENTS.md"), mine);
    chmodSync(join(project, "AGENTS.md"), 0o600);
    const first = await learn({ project, env, apply: true });
    expect(first.targets.filter((t) => t.written).map((t) => t.file)).toEqual([join(project, "CLAUDE.md"), join(project, "AGENTS.md")]);
    const agents = readFileSync(join(project, "AGENTS.md"), "utf8");
    expect(agents.startsWith(`${mine}\r\n${BLOCK_START}\r\n`)).toBe(true);
    expect(agents.endsWith(`${BLOCK_END}\r\n`)).toBe(true);
    expect(agents).toContain("- Run the tests with `npm test`, not `yarn test` (it failed with `/bin/bash: line 1: yarn: command not found`). (2 times in 2 sessions)\r\n");
    expect(existsSync(join(project, "GEMINI.md"))).toBe(false);
    const before = readFileSync(join(project, "CLAUDE.md"));
    const second = await learn({ project, env, apply: true });
    expect(second.targets.map((t) => t.changed)).toEqual([false, false, false]);
    expect(readFileSync(join(project, "CLAUDE.md")).equals(before)).toBe(true);
    expect(readFileSync(join(project, "AGENTS.md"), "utf8")).toBe(agents);
  });

  it("a later run replaces the block in place and keeps the user's edits around it", async () => {
    const { project, env } = setup();
    await learn({ project, env, agent: "claude", apply: true });
    const path = join(project, "CLAUDE.md");
    writeFileSync(path, `# Mine\n\n${readFileSync(path, "utf8")}\nMy own notes.\n`);
    await learn({ project, env, agent: "claude", apply: true, minEvidence: 1 });
    const text = readFileSync(path, "utf8");
    expect(text.startsWith(`# Mine\n\n${BLOCK_START}\n`)).toBe(true);
    expect(text.endsWith(`${BLOCK_END}\n\nMy own notes.\n`)).toBe(true);
    expect(text).toContain("Lint with `npm run lint`, not `make lint`");
    expect(text.split(BLOCK_START)).toHaveLength(2);
  });

  it("writes CLAUDE.local.md when it exists, or the --target file for all agents pooled", async () => {
    const { project, env } = setup();
    writeFileSync(join(project, "CLAUDE.local.md"), "");
    const local = await learn({ project, env, agent: "claude" });
    expect(local.targets.map((t) => t.file)).toEqual([join(project, "CLAUDE.local.md")]);
    const pooled = await learn({ project, env, target: "docs/AI.md", minEvidence: 3 });
    expect(pooled.targets.map((t) => [t.agents, t.file, t.sessions])).toEqual([[["claude", "codex", "gemini"], join(project, "docs/AI.md"), 15]]);
    // Pooled evidence: yarn test -> npm test happened twice for each agent and once in Gemini.
    expect(pooled.targets[0]?.rules.find((r) => r.id === "command:yarn test->npm test")).toMatchObject({ evidence: 5, sessions: 5 });
  });

  it("--since leaves out older sessions; an agent with none gets no file", async () => {
    const { project, env } = setup();
    const now = Date.parse("2026-12-30T00:00:00Z");
    const report = await learn({ project, env, since: "7d", now });
    expect(report.targets).toEqual([]);
    expect(formatReport(report).notes).toEqual([`No agent sessions found for ${project}.`]);
    const single = await learn({ project, env, agent: "codex", since: "7d", now });
    expect(single.targets.map((t) => [t.sessions, t.rules.length, t.changed])).toEqual([[0, 0, false]]);
  });

  it("counts transcript files it could not use", async () => {
    const { project, home, env } = setup();
    writeFileSync(join(home, ".claude", "projects", escapeProjectDir(project), "torn.jsonl"), '{"type":"user"\n');
    writeFileSync(join(home, ".gemini", "tmp", geminiProjectHash(project), "chats", "session-broken.json"), "{ not json");
    const report = await learn({ project, env, minEvidence: 1 });
    expect(report.read.gemini).toMatchObject({ sessions: 2, files: 3, filesSkipped: 1 });
    expect(report.read.claude).toMatchObject({ sessions: 7, linesSkipped: 1 });
    expect(report.filesSkipped).toBe(1);
    expect(report.targets.map((t) => t.rules.length)).toEqual([5, 4, 2]);
    expect(formatReport(report).notes.at(-1)).toBe("1 file skipped (unreadable or not a transcript), 1 line skipped (not JSON).");
  });

  it.each([
    [{ agent: "cursor" }, /Unknown agent "cursor"/],
    [{ minEvidence: "0" }, /Invalid --min-evidence "0"/],
    [{ since: "soon" }, /Invalid --since "soon"/],
  ])("rejects %o", async (options, message) => {
    await expect(learn({ ...options, project: tempProject(), env: {} })).rejects.toThrow(message);
  });
});
