import { appendFileSync, cpSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { escapeProjectDir, readClaude } from "../../src/learn/read-claude.js";
import { createReadStats } from "../../src/learn/read-jsonl.js";
import { collect, byPrompt, tools, tempDirs, PROJECT } from "./support.js";
import type { ReadOptions, SessionLog, UserEvent } from "../../src/learn/types.js";

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "learn", "claude");
const SESSIONS_DIR = join(FIXTURE, "projects", "-home-dev-shop");

const read = (options: ReadOptions): Promise<SessionLog[]> => collect(readClaude, options);


const temp = tempDirs("headroom-read-claude-");

describe("escapeProjectDir", () => {
  it("names project directories as Claude Code 2.1.331 does (checked with the binary)", () => {
    expect(escapeProjectDir("/home/dev/shop")).toBe("-home-dev-shop");
    expect(escapeProjectDir("/tmp/lx/esc-ro2lw2/my.shop_v2 x")).toBe("-tmp-lx-esc-ro2lw2-my-shop-v2-x");
    expect(escapeProjectDir("/tmp/lx/esc-ro2lw2/ünï-cödé")).toBe("-tmp-lx-esc-ro2lw2--n--c-d-");
    const long = `/tmp/lx/esc-ro2lw2/${"a".repeat(60)}/${"b".repeat(60)}/${"c".repeat(60)}/${"d".repeat(60)}`;
    const name = escapeProjectDir(long);
    expect(name.length).toBe(207);
    expect(name.endsWith("-79f11i")).toBe(true);
  });
});

describe("readClaude on the real transcripts", () => {
  it("yields every session of the project with its prompts, commands, errors and exit codes", async () => {
    const stats = createReadStats();
    const logs = await read({ project: PROJECT, env: { CLAUDE_CONFIG_DIR: FIXTURE }, stats });
    expect(logs).toHaveLength(7);
    expect(stats).toMatchObject({ files: 7, filesSkipped: 0, linesSkipped: 0 });
    for (const s of logs) {
      expect(s.agent).toBe("claude");
      expect(s.session).toMatch(/^[0-9a-f-]{36}$/);
      expect(s.events.map((e) => e.index)).toEqual(s.events.map((_, i) => i));
      expect(s.events.every((e) => e.session === s.session && e.cwd === PROJECT)).toBe(true);
    }

    const cart = byPrompt(logs, "Check the cart module, run the tests and build.");
    expect(tools(cart).map((t) => [t.tool, t.command, t.isError, t.exitCode])).toEqual([
      ["Bash", "cat lib/cart.js", true, 1],
      ["Bash", "cat src/cart.js", false, undefined],
      ["Bash", "yarn test", true, 127],
      ["Bash", "npm test", false, undefined],
      ["Bash", "npm run build", true, 1],
      ["Bash", "npm run build", true, 1],
      ["Bash", "npm run build:prod", false, undefined],
    ]);
    expect(tools(cart)[0]?.output).toContain("No such file or directory");
    expect(tools(cart)[2]?.output).toContain("yarn: command not found");
    expect(tools(cart)[3]?.output).toContain("# pass 1");

    const lint = byPrompt(logs, "Lint the code.");
    expect(tools(lint).map((t) => [t.command, t.isError, t.exitCode])).toEqual([
      ["make lint", true, 2],
      ["npm run lint", false, undefined],
    ]);
  });

  it("reads the user's correction in a resumed turn as typed text, wrappers removed", async () => {
    const logs = await read({ project: PROJECT, env: { CLAUDE_CONFIG_DIR: FIXTURE } });
    const s = byPrompt(logs, "Run the unit tests with jest.");
    expect(s.events.map((e) => (e.kind === "user" ? `user: ${e.text}` : `${e.tool}: ${e.command} -> ${e.isError ? "error" : "ok"}`))).toEqual([
      "user: Run the unit tests with jest.",
      "Bash: jest -> error",
      "user: no, use npm test, not jest",
      "Bash: npm test -> ok",
    ]);
    const users = logs.flatMap((l) => l.events.filter((e): e is UserEvent => e.kind === "user"));
    expect(users.some((u) => u.text.includes("<system-reminder>"))).toBe(false);
    expect(users).toHaveLength(9);
  });

  it("finds ~/.claude from HOME, and CLAUDE_CONFIG_DIR wins over HOME", async () => {
    const home = temp();
    cpSync(FIXTURE, join(home, ".claude"), { recursive: true });
    expect(await read({ project: PROJECT, env: { HOME: home } })).toHaveLength(7);
    const empty = temp();
    expect(await read({ project: PROJECT, env: { HOME: home, CLAUDE_CONFIG_DIR: empty } })).toHaveLength(0);
  });

  it("reads nothing for another project", async () => {
    expect(await read({ project: "/home/dev/other", env: { CLAUDE_CONFIG_DIR: FIXTURE } })).toHaveLength(0);
    expect(await read({ project: "/home/dev/shop/src", env: { CLAUDE_CONFIG_DIR: FIXTURE } })).toHaveLength(0);
  });

  it("--since skips files modified before it, and events before it in a file", async () => {
    const dir = temp();
    cpSync(FIXTURE, dir, { recursive: true });
    const sessions = join(dir, "projects", "-home-dev-shop");
    const files = readdirSync(sessions).filter((f) => f.endsWith(".jsonl"));
    const old = new Date("2020-01-01T00:00:00Z");
    for (const f of files.slice(1)) utimesSync(join(sessions, f), old, old);
    const recent = await read({ project: PROJECT, env: { CLAUDE_CONFIG_DIR: dir }, since: Date.parse("2021-01-01T00:00:00Z") });
    expect(recent.map((s) => s.file)).toEqual([join(sessions, files[0] as string)]);

    // Event times: from the correction on, the earlier turn is left out.
    const all = await read({ project: PROJECT, env: { CLAUDE_CONFIG_DIR: FIXTURE } });
    const s = byPrompt(all, "Run the unit tests with jest.");
    const correction = s.events[2];
    const since = Date.parse(correction?.time ?? "");
    const later = (await read({ project: PROJECT, env: { CLAUDE_CONFIG_DIR: FIXTURE }, since })).find((l) => l.session === s.session);
    expect(later?.events.map((e) => (e.kind === "user" ? e.text : e.command))).toEqual(["no, use npm test, not jest", "npm test"]);
    expect(later?.events.map((e) => e.index)).toEqual([0, 1]);
  });

  it("skips and counts malformed lines and a truncated last line, keeping the rest of the file", async () => {
    const dir = temp();
    const sessions = join(dir, "projects", "-home-dev-shop");
    mkdirSync(sessions, { recursive: true });
    const source = readdirSync(SESSIONS_DIR).find((f) => readFileSync(join(SESSIONS_DIR, f), "utf8").includes('"content":"Run the test suite."'));
    const lines = readFileSync(join(SESSIONS_DIR, source as string), "utf8").split("\n");
    lines.splice(3, 0, '{"type":"user","message":{"role":"user","content":"broken}');
    const text = lines.join("\n");
    writeFileSync(join(sessions, "s.jsonl"), text);
    appendFileSync(join(sessions, "s.jsonl"), '{"type":"user","message":{"role":"user","content":"cut off');
    const stats = createReadStats();
    const logs = await read({ project: PROJECT, env: { CLAUDE_CONFIG_DIR: dir }, stats });
    expect(stats.linesSkipped).toBe(2);
    expect(stats.filesSkipped).toBe(0);
    expect(tools(logs[0] as SessionLog).map((t) => t.command)).toEqual(["yarn test", "npm test"]);
  });

  it("reads subagent transcripts as their own sessions, linked to the parent", async () => {
    const dir = temp();
    const sessions = join(dir, "projects", "-home-dev-shop");
    const parent = "11111111-2222-4333-8444-555555555555";
    mkdirSync(join(sessions, parent, "subagents"), { recursive: true });
    const base = { parentUuid: null, isSidechain: true, sessionId: parent, agentId: "a1b2", cwd: PROJECT, timestamp: "2026-11-25T01:00:00.000Z" };
    const lines = [
      { ...base, type: "user", message: { role: "user", content: "Find the tests" } },
      { ...base, type: "assistant", message: { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "Read", input: { file_path: "/home/dev/shop/lib/a.js" } }] } },
      { ...base, type: "user", message: { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", is_error: true, content: "<tool_use_error>File does not exist.</tool_use_error>" }] } },
    ];
    writeFileSync(join(sessions, parent, "subagents", "agent-a1b2.jsonl"), lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
    const [log] = await read({ project: PROJECT, env: { CLAUDE_CONFIG_DIR: dir } });
    expect(log?.session).toBe(`${parent}/agent-a1b2`);
    expect(log?.parent).toBe(parent);
    expect(tools(log as SessionLog)).toMatchObject([{ tool: "Read", path: "/home/dev/shop/lib/a.js", isError: true }]);
  });

  it("reports progress as bytes read so far", async () => {
    const seen: number[] = [];
    await read({ project: PROJECT, env: { CLAUDE_CONFIG_DIR: FIXTURE }, onProgress: (n) => seen.push(n) });
    const total = readdirSync(SESSIONS_DIR).reduce((n, f) => n + readFileSync(join(SESSIONS_DIR, f)).length, 0);
    expect(seen.at(-1)).toBe(total);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });
});
