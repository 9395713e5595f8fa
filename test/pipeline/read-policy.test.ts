import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readPolicy, DEFAULT_READ_SETTINGS, type ReadSettings } from "../../src/pipeline/read-policy.js";
import { readTarget } from "../../src/pipeline/read-target.js";
import type { ToolCall } from "../../src/pipeline/locate.js";
import { OUTPUTS } from "../support/fixtures.js";

const source = readFileSync(join(OUTPUTS, "code/commander-command-js.txt"), "utf8");
const numbered = source
  .split("\n")
  .map((line, index) => `${index + 1}\t${line}`)
  .join("\n");
const small = numbered.split("\n").slice(0, 40).join("\n");
const large: ReadSettings = DEFAULT_READ_SETTINGS;
const exact: ReadSettings = { fileReads: "exact", fileReadMinTokens: 2000 };

describe("readTarget", () => {
  it.each<[string, ToolCall, { path: string | undefined; ranged: boolean } | undefined]>([
    ["Claude Read, whole", { name: "Read", arguments: { file_path: "/p/src/a.ts" } }, { path: "/p/src/a.ts", ranged: false }],
    ["Claude Read with offset and limit", { name: "Read", arguments: { file_path: "/p/a.ts", offset: 120, limit: 40 } }, { path: "/p/a.ts", ranged: true }],
    ["Claude Read with a limit only", { name: "Read", arguments: { file_path: "/p/a.ts", limit: 50 } }, { path: "/p/a.ts", ranged: true }],
    ["Claude Read from line 1", { name: "Read", arguments: { file_path: "/p/a.ts", offset: 1 } }, { path: "/p/a.ts", ranged: false }],
    ["Copilot view, whole", { name: "view", arguments: '{"path":"/p/a.py"}' }, { path: "/p/a.py", ranged: false }],
    ["Copilot view with view_range", { name: "view", arguments: '{"path":"/p/a.py","view_range":[10,40]}' }, { path: "/p/a.py", ranged: true }],
    ["Copilot view [1,-1] (through EOF)", { name: "view", arguments: { path: "/p/a.py", view_range: [1, -1] } }, { path: "/p/a.py", ranged: false }],
    ["Gemini read_file", { name: "read_file", arguments: { absolute_path: "/p/a.go" } }, { path: "/p/a.go", ranged: false }],
    ["text editor view range", { name: "str_replace_based_edit_tool", arguments: { command: "view", path: "/p/a.rs", view_range: [5, 9] } }, { path: "/p/a.rs", ranged: true }],
    ["cat", { name: "Bash", arguments: { command: "cat src/index.ts" } }, { path: "src/index.ts", ranged: false }],
    ["cat -n, quoted path", { name: "Bash", arguments: { command: "cat -n 'src/my file.ts'" } }, { path: "src/my file.ts", ranged: false }],
    ["cat of two files", { name: "Bash", arguments: { command: "cat a.ts b.ts" } }, { path: undefined, ranged: false }],
    ["nl -ba", { name: "exec_command", arguments: '{"cmd":"nl -ba src/lib.rs"}' }, { path: "src/lib.rs", ranged: false }],
    ["sed -n range (Codex)", { name: "exec_command", arguments: '{"cmd":"sed -n \'1,200p\' src/x.rs"}' }, { path: "src/x.rs", ranged: true }],
    ["sed -n inside bash -lc", { name: "shell", arguments: { command: ["bash", "-lc", "sed -n '40,80p' app/main.py"] } }, { path: "app/main.py", ranged: true }],
    ["nl -ba | sed -n (Codex)", { name: "exec_command", arguments: { cmd: "nl -ba src/a.ts | sed -n '120,180p'" } }, { path: "src/a.ts", ranged: true }],
    ["head -n", { name: "Bash", arguments: { command: "head -n 50 README.md" } }, { path: "README.md", ranged: true }],
    ["tail", { name: "Bash", arguments: { command: "tail -20 log.txt" } }, { path: "log.txt", ranged: true }],
    ["cat | head", { name: "Bash", arguments: { command: "cat -n src/a.ts | head -100" } }, { path: "src/a.ts", ranged: true }],
    ["Codex code mode", { name: "exec", arguments: 'const r = await tools.exec_command({ cmd: "cat src/a.py" });' }, { path: "src/a.py", ranged: false }],
    ["cat | grep (not a read)", { name: "Bash", arguments: { command: "cat log.txt | grep ERROR" } }, undefined],
    ["sed -i (an edit)", { name: "Bash", arguments: { command: "sed -i 's/a/b/' x.ts" } }, undefined],
    ["two commands", { name: "Bash", arguments: { command: "cat a.ts && cat b.ts" } }, undefined],
    ["command substitution", { name: "Bash", arguments: { command: "cat $(ls *.ts)" } }, undefined],
    ["npm test", { name: "Bash", arguments: { command: "npm test" } }, undefined],
    // Ranged reads this parser cannot fully read are still ranged (exact), never "not a read" (lossy).
    ["sed -n by pattern (Codex)", { name: "exec_command", arguments: { cmd: "sed -n '/^func Run/,/^}/p' main.go" } }, { path: "main.go", ranged: true }],
    ["sed -n with shell variables", { name: "Bash", arguments: { command: 'sed -n "${start},${end}p" src/a.ts' } }, { path: undefined, ranged: true }],
    ["sed -ne", { name: "Bash", arguments: { command: "sed -ne '/a/,/b/p' x.ts" } }, { path: "x.ts", ranged: true }],
    ["sed -ni (an edit)", { name: "Bash", arguments: { command: "sed -ni '/a/p' x.ts" } }, undefined],
    ["sed -n of two files", { name: "Bash", arguments: { command: "sed -n '1,80p' a.ts b.ts" } }, { path: undefined, ranged: true }],
    ["head of two files", { name: "Bash", arguments: { command: "head -n 40 a.ts b.ts" } }, { path: undefined, ranged: true }],
    ["cat | sed -n by pattern", { name: "Bash", arguments: { command: "cat -n a.py | sed -n '/def run/,/return/p'" } }, { path: "a.py", ranged: true }],
  ])("%s", (_label, call, expected) => {
    expect(readTarget(call)).toEqual(expected);
  });
});

describe("readPolicy", () => {
  const whole: ToolCall = { name: "Read", arguments: { file_path: "/p/lib/command.js" } };

  it("compresses a whole read above the threshold as code in the path's language", () => {
    const decision = readPolicy(whole, numbered, large, true);
    expect(decision).toEqual({ exact: false, path: expect.any(String), kind: "code", language: "javascript", headerChars: 0, profile: "read-large-2000" });
  });

  it("keeps a read below the threshold exact", () => {
    expect(readPolicy(whole, small, large, true).exact).toBe(true);
    // The same read counts as large with a lower threshold.
    expect(readPolicy(whole, small, { fileReads: "large", fileReadMinTokens: 100 }, true).exact).toBe(false);
  });

  it.each<[string, ToolCall]>([
    ["Claude Read offset/limit", { name: "Read", arguments: { file_path: "/p/lib/command.js", offset: 1, limit: 900 } }],
    ["Copilot view_range", { name: "view", arguments: { path: "/p/lib/command.js", view_range: [1, 900] } }],
    ["sed -n", { name: "Bash", arguments: { command: "sed -n '1,900p' lib/command.js" } }],
    ["head -n", { name: "exec_command", arguments: { cmd: "head -n 900 lib/command.js" } }],
    ["nl -ba | sed -n", { name: "exec_command", arguments: { cmd: "nl -ba lib/command.js | sed -n '1,900p'" } }],
  ])("keeps a ranged read exact, however large (%s)", (_label, call) => {
    expect(readPolicy(call, numbered, large, true)).toMatchObject({ exact: true, reason: expect.stringContaining("ranged") });
  });

  it('keeps every read exact under "exact"', () => {
    expect(readPolicy(whole, numbered, exact, true).exact).toBe(true);
  });

  it("keeps reads exact when there is no store to retrieve from", () => {
    expect(readPolicy(whole, numbered, large, false).exact).toBe(true);
  });

  it("takes prose from .md/.txt/.rst paths and detection for unknown ones", () => {
    expect(readPolicy({ name: "Read", arguments: { file_path: "/p/README.md" } }, numbered, large, true)).toMatchObject({ exact: false, kind: "prose" });
    expect(readPolicy({ name: "Bash", arguments: { command: "cat notes.rst" } }, numbered, large, true)).toMatchObject({ kind: "prose" });
    // No extension: the numbered JavaScript is detected as code on its bare lines.
    expect(readPolicy({ name: "Bash", arguments: { command: "cat bin/tool" } }, numbered, large, true)).toMatchObject({ exact: false, kind: "code" });
  });

  it("sends an unnumbered prose read to the line-keeping text compressor (a kept sentence must stay on its own line of the file)", () => {
    const bare = numbered.replace(/^ *\d+\t/gm, "");
    expect(readPolicy({ name: "Bash", arguments: { command: "cat README.md" } }, bare, large, true)).toMatchObject({ exact: false, kind: "text" });
  });

  it("never picks a compressor that rewrites lines (JSON, logs) for a read", () => {
    const json = JSON.stringify(Array.from({ length: 400 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ["a", "b"] })), null, 2);
    expect(readPolicy({ name: "Bash", arguments: { command: "cat data.json" } }, json, large, true)).toMatchObject({ exact: false, kind: "text" });
  });

  it("keeps Codex's exec header out of the file part", () => {
    const header = "Chunk ID: 489de9\nWall time: 0.0000 seconds\nProcess exited with code 0\nOriginal token count: 7400\nOutput:\n";
    const call: ToolCall = { name: "exec_command", arguments: '{"cmd":"cat lib/command.js"}' };
    expect(readPolicy(call, header + source, large, true)).toMatchObject({ exact: false, kind: "code", headerChars: header.length });
    // The threshold applies to the file part: a small file with a header stays exact.
    expect(readPolicy(call, header + source.slice(0, 7000), large, true).exact).toBe(true);
  });

  it("gives each policy its own memo profile", () => {
    const profiles = new Set(
      [large, { fileReads: "large" as const, fileReadMinTokens: 1000 }].map((settings) => {
        const decision = readPolicy(whole, numbered, settings, true);
        return decision.exact ? "exact" : decision.profile;
      }),
    );
    expect(profiles.size).toBe(2);
    // The profile never depends on detection (it is computed on every turn, memo hits included).
    const python = readPolicy({ name: "Read", arguments: { file_path: "/p/a.py" } }, numbered, large, true);
    expect(python.exact ? "" : python.profile).toBe("read-large-2000");
  });
});
