import { appendFileSync, cpSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCodex } from "../../src/learn/read-codex.js";
import { createReadStats } from "../../src/learn/read-jsonl.js";
import { collect, byPrompt, tools, tempDirs, PROJECT } from "./support.js";
import type { ReadOptions, SessionLog, UserEvent } from "../../src/learn/types.js";

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "learn", "codex");
const DAY = join(FIXTURE, "sessions", "2026", "11", "25");

const read = (options: ReadOptions): Promise<SessionLog[]> => collect(readCodex, options);


const temp = tempDirs("headroom-read-codex-");

describe("readCodex on the real rollouts", () => {
  it("yields every session of the project with commands, exit codes and outputs without the exec header", async () => {
    const stats = createReadStats();
    const logs = await read({ project: PROJECT, env: { CODEX_HOME: FIXTURE }, stats });
    expect(logs).toHaveLength(6);
    expect(stats).toMatchObject({ files: 6, filesSkipped: 0, linesSkipped: 0 });
    for (const s of logs) {
      expect(s.agent).toBe("codex");
      expect(s.file.startsWith(DAY)).toBe(true);
      expect(s.file).toContain(s.session); // rollout-<time>-<session id>.jsonl
      expect(s.events.map((e) => e.index)).toEqual(s.events.map((_, i) => i));
    }
    const cart = byPrompt(logs, "Check the cart module, run the tests and build.");
    expect(tools(cart).map((t) => [t.tool, t.command, t.isError, t.exitCode])).toEqual([
      ["exec_command", "cat lib/cart.js", true, 1],
      ["exec_command", "cat src/cart.js", false, 0],
      ["exec_command", "yarn test", true, 127],
      ["exec_command", "npm test", false, 0],
      ["exec_command", "npm run build", true, 1],
      ["exec_command", "npm run build", true, 1],
      ["exec_command", "npm run build:prod", false, 0],
    ]);
    expect(tools(cart)[2]?.output).toBe("/bin/bash: line 1: yarn: command not found\n");
    expect(tools(cart).every((t) => !t.output.includes("Process exited with code"))).toBe(true);
    expect(cart.events.every((e) => e.cwd === PROJECT && e.time !== undefined)).toBe(true);
  });

  it("reads the user's correction after `codex exec resume`, and no injected environment_context", async () => {
    const logs = await read({ project: PROJECT, env: { CODEX_HOME: FIXTURE } });
    const s = byPrompt(logs, "Run the cart tests.");
    expect(s.events.map((e) => (e.kind === "user" ? `user: ${e.text}` : `${e.command} -> ${e.exitCode}`))).toEqual([
      "user: Run the cart tests.",
      "jest test/cart.test.js -> 127",
      "user: No, use npm test, not jest.",
      "npm test -> 0",
    ]);
    const users = logs.flatMap((l) => l.events.filter((e): e is UserEvent => e.kind === "user"));
    expect(users).toHaveLength(8);
    expect(users.some((u) => u.text.includes("environment_context") || u.text.includes("AGENTS.md"))).toBe(false);
  });

  it("finds ~/.codex from HOME, and CODEX_HOME wins over HOME", async () => {
    const home = temp();
    cpSync(FIXTURE, join(home, ".codex"), { recursive: true });
    expect(await read({ project: PROJECT, env: { HOME: home } })).toHaveLength(6);
    expect(await read({ project: PROJECT, env: { HOME: home, CODEX_HOME: temp() } })).toHaveLength(0);
  });

  it("leaves out rollouts whose session_meta cwd is another directory", async () => {
    const stats = createReadStats();
    expect(await read({ project: "/home/dev/other", env: { CODEX_HOME: FIXTURE }, stats })).toHaveLength(0);
    expect(stats.filesSkipped).toBe(0); // not bad files, just other projects
    expect(await read({ project: "/home/dev/shop/", env: { CODEX_HOME: FIXTURE } })).toHaveLength(6);
  });

  it("--since skips rollouts modified before it", async () => {
    const home = temp();
    cpSync(FIXTURE, home, { recursive: true });
    const day = join(home, "sessions", "2026", "11", "25");
    const files = readdirSync(day).sort();
    const old = new Date("2020-01-01T00:00:00Z");
    for (const f of files.slice(0, 4)) utimesSync(join(day, f), old, old);
    const logs = await read({ project: PROJECT, env: { CODEX_HOME: home }, since: Date.parse("2021-01-01T00:00:00Z") });
    expect(logs.map((l) => l.file)).toEqual(files.slice(4).map((f) => join(day, f)));
  });

  it("skips and counts a malformed line and a truncated last line", async () => {
    const home = temp();
    const day = join(home, "sessions", "2026", "11", "25");
    mkdirSync(day, { recursive: true });
    const source = readdirSync(DAY).find((f) => readFileSync(join(DAY, f), "utf8").includes('"text":"Run the test suite."')) as string;
    const lines = readFileSync(join(DAY, source), "utf8").split("\n");
    lines.splice(2, 0, '{"timestamp":"2026-11-25T00:58:22.000Z","type":"response_item","payload":{"type":');
    writeFileSync(join(day, source), lines.join("\n"));
    appendFileSync(join(day, source), '{"timestamp":"2026-11-25T00:59:00.000Z","type":"response_item","payload":{"type":"message","role":"us');
    const stats = createReadStats();
    const [log] = await read({ project: PROJECT, env: { CODEX_HOME: home }, stats });
    expect(stats.linesSkipped).toBe(2);
    expect(tools(log as SessionLog).map((t) => [t.command, t.exitCode])).toEqual([
      ["yarn test", 127],
      ["npm test", 0],
    ]);
  });
});
