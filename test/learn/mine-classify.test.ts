import { describe, expect, it } from "vitest";
import { classifyFailure, isFailure } from "../../src/learn/mine-classify.js";
import type { ToolEvent } from "../../src/learn/types.js";

function tool(fields: Partial<ToolEvent>): ToolEvent {
  return { kind: "tool", agent: "codex", session: "s", index: 0, tool: "exec_command", output: "", isError: false, ...fields };
}

describe("classifyFailure", () => {
  it.each([
    ["bash: line 1: jest: command not found", "jest"],
    ["sh: 1: jest: not found", "jest"],
    ["zsh: command not found: rg", "rg"],
    ["env: 'python': No such file or directory", "python"],
    ["Error: spawn /usr/local/bin/deno ENOENT", "deno"],
  ])("%s -> binary %s not found", (output, binary) => {
    expect(classifyFailure(tool({ command: "x", output, exitCode: 127 }))).toMatchObject({ cause: "command-not-found", binary });
  });

  it("takes npx's 'could not determine executable' as the tool not being installed", () => {
    const failure = classifyFailure(tool({ command: "npx jest", output: "npm error could not determine executable to run\n", exitCode: 1 }));
    expect(failure).toMatchObject({ cause: "command-not-found", binary: "jest", reason: "npm error could not determine executable to run" });
  });

  it.each([
    ["cat: lib/utils.ts: No such file or directory", "lib/utils.ts"],
    ["ls: cannot access 'lib': No such file or directory", "lib"],
    ["Error: ENOENT: no such file or directory, open '/p/lib/a.json'", "/p/lib/a.json"],
    ["python3: can't open file '/p/run.py': [Errno 2] No such file or directory", "/p/run.py"],
  ])("%s -> missing %s", (output, path) => {
    expect(classifyFailure(tool({ command: "x", output, exitCode: 1 }))).toMatchObject({ cause: "missing-path", path });
  });

  it("takes a file tool's error about its own path as a missing path", () => {
    expect(classifyFailure(tool({ tool: "Read", path: "/p/lib/a.ts", output: "File does not exist.", isError: true }))).toMatchObject({ cause: "missing-path", path: "/p/lib/a.ts" });
  });

  it("trusts exit code 0 over words in the output, and reads a file's contents as success", () => {
    expect(classifyFailure(tool({ command: "grep -r 'not found' src", output: "src/a.ts: throw new Error('user not found')", exitCode: 0 }))).toBeUndefined();
    expect(isFailure(tool({ tool: "Read", path: "/p/a.ts", output: "command not found handler" }))).toBe(false);
  });

  it("an ordinary failure keeps its most telling line as the reason", () => {
    expect(classifyFailure(tool({ command: "npm test", output: "> vitest run\n\nTests  1 failed | 3 passed\nError: expected 2 to be 3", exitCode: 1 }))).toEqual({ cause: "error", reason: "Tests  1 failed | 3 passed" });
  });
});
