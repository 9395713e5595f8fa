import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { geminiChatsDir, geminiProjectHash, readGemini } from "../../src/learn/read-gemini.js";
import { createReadStats } from "../../src/learn/read-jsonl.js";
import { readersFor, readSessions } from "../../src/learn/sources.js";
import { collect, tempDirs, PROJECT } from "./support.js";
import type { ReadOptions, SessionLog } from "../../src/learn/types.js";

// Hand-written in gemini-cli's documented format (see test/fixtures/learn/PLANTED.md).
const FIXTURE = join(import.meta.dirname, "..", "fixtures", "learn", "gemini");
const LEARN = join(import.meta.dirname, "..", "fixtures", "learn");

const read = (options: ReadOptions): Promise<SessionLog[]> => collect(readGemini, options);

const temp = tempDirs("headroom-read-gemini-");

describe("readGemini", () => {
  it("looks in ~/.gemini/tmp/<sha256 of the project path>/chats", () => {
    expect(geminiProjectHash(PROJECT)).toMatch(/^[0-9a-f]{64}$/);
    expect(geminiChatsDir({ HOME: "/home/dev" }, PROJECT)).toBe(`/home/dev/.gemini/tmp/${geminiProjectHash(PROJECT)}/chats`);
    expect(geminiChatsDir({ HOME: "/home/dev", GEMINI_CLI_HOME: "/x" }, PROJECT)).toBe(`/x/.gemini/tmp/${geminiProjectHash(PROJECT)}/chats`);
  });

  it("reads the whole-file .json chat: shell commands, exit codes, the user's correction", async () => {
    const logs = await read({ project: PROJECT, env: { GEMINI_CLI_HOME: FIXTURE } });
    expect(logs.map((l) => l.session)).toEqual(["9b2f6c1e-0000-4000-8000-000000000001", "4d8a0b7c-0000-4000-8000-000000000002"]);
    const [json, jsonl] = logs as [SessionLog, SessionLog];
    expect(json.events.map((e) => (e.kind === "user" ? `user: ${e.text}` : `${e.tool} ${e.command} ${e.exitCode} ${e.isError}`))).toEqual([
      "user: Run the tests.",
      "run_shell_command yarn test 127 true",
      "run_shell_command npm test 0 false",
      "user: no, use npm test, not yarn",
    ]);
    // The .jsonl chat: the message record rewritten under the same id counts once, with its result.
    expect(jsonl.events.map((e) => (e.kind === "user" ? `user: ${e.text}` : `${e.tool} ${e.path} ${e.isError} ${e.output}`))).toEqual([
      "user: Show me the entry point.",
      "read_file /home/dev/shop/lib/index.js true File not found: /home/dev/shop/lib/index.js",
      'read_file /home/dev/shop/src/index.js false export { Cart } from "./cart.js";\n',
    ]);
  });

  it("skips and counts a chat that is not JSON or belongs to another project; reads nothing for another project", async () => {
    const home = temp();
    cpSync(FIXTURE, home, { recursive: true });
    const chats = geminiChatsDir({ GEMINI_CLI_HOME: home }, PROJECT);
    writeFileSync(join(chats, "session-2026-11-25T02-00-broken00.json"), '{"sessionId": "x", "messages": [');
    writeFileSync(join(chats, "session-2026-11-25T02-01-other000.json"), JSON.stringify({ sessionId: "y", projectHash: "0".repeat(64), messages: [] }));
    const stats = createReadStats();
    expect(await read({ project: PROJECT, env: { GEMINI_CLI_HOME: home }, stats })).toHaveLength(2);
    expect(stats).toMatchObject({ files: 4, filesSkipped: 2 });
    expect(await read({ project: "/home/dev/other", env: { GEMINI_CLI_HOME: home } })).toHaveLength(0);
  });

  it("--since drops events recorded before it", async () => {
    const logs = await read({ project: PROJECT, env: { GEMINI_CLI_HOME: FIXTURE }, since: Date.parse("2026-11-25T01:00:03.000Z") });
    expect(logs[0]?.events.map((e) => (e.kind === "user" ? e.text : e.command))).toEqual(["npm test", "no, use npm test, not yarn"]);
  });
});

describe("readersFor / readSessions", () => {
  it("chains the agents' readers in order, with progress summed across them", async () => {
    expect(readersFor("all")).toHaveLength(3);
    expect(readersFor("codex")).toHaveLength(1);
    const home = temp();
    cpSync(join(LEARN, "claude"), join(home, ".claude"), { recursive: true });
    cpSync(join(LEARN, "codex"), join(home, ".codex"), { recursive: true });
    cpSync(join(FIXTURE, ".gemini"), join(home, ".gemini"), { recursive: true });
    let last = 0;
    const stats = createReadStats();
    const agents: string[] = [];
    for await (const s of readSessions("all", { project: PROJECT, env: { HOME: home }, stats, onProgress: (n) => (last = n) })) agents.push(s.agent);
    expect(agents).toEqual([...Array(7).fill("claude"), ...Array(6).fill("codex"), ...Array(2).fill("gemini")]);
    expect(stats.files).toBe(15);
    expect(last).toBe(stats.bytes);
  });
});
