import { describe, expect, it } from "vitest";
import { toolRole } from "../../src/pipeline/tool-role.js";

describe("toolRole", () => {
  it.each([
    [{ name: "Read", arguments: { file_path: "/a/b.ts" } }, "file-read"],
    [{ name: "view", arguments: { path: "/a/b.ts" } }, "file-read"],
    [{ name: "Bash", arguments: { command: "cat src/index.ts" } }, "file-read"],
    [{ name: "exec_command", arguments: '{"cmd":"sed -n 1,200p src/x.rs"}' }, "file-read"],
    [{ name: "shell", arguments: { command: ["bash", "-lc", "cat README.md"] } }, "file-read"],
    [{ name: "exec", arguments: 'const r = await tools.exec_command({ cmd: "cat src/a.py" });' }, "file-read"],
    [{ name: "Bash", arguments: { command: "cat log.txt | grep ERROR" } }, "other"],
    [{ name: "Bash", arguments: { command: "npm test" } }, "other"],
    [{ name: "mcp__headroom__headroom_retrieve", arguments: { hash: "3f9a1c02b7de4410" } }, "retrieval"],
    [{ name: "Bash", arguments: { command: "headroom retrieve 3f9a1c02b7de4410 --query x" } }, "retrieval"],
  ])("%j is %s", (call, role) => {
    expect(toolRole(call)).toBe(role);
  });

  it("treats an unknown call as other", () => {
    expect(toolRole(undefined)).toBe("other");
  });
});
