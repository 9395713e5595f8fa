import { describe, expect, it } from "vitest";
import { parseCommand, pathWords, shellWords } from "../../src/learn/mine-command.js";

describe("parseCommand", () => {
  it.each([
    ["npm test", "npm test", "test"],
    ["npm run test:unit -- --watch=false", "npm run test:unit", "test"],
    ["npx jest src/a.test.ts", "npx jest", "test"],
    ["cd /home/u/proj && CI=1 npx vitest run 2>&1 | tail -20", "npx vitest", "test"],
    ["python3 -m pytest -q tests/", "python3 -m pytest", "test"],
    ["go test ./...", "go test", "test"],
    ["pnpm install", "pnpm install", "install"],
    ["npx tsc --noEmit", "npx tsc", "build"],
    ["tsc --noEmit -p .", "tsc", "typecheck"],
    ["/usr/bin/python script.py --x 1", "python", undefined],
    ["sudo -E make build", "make build", "build"],
    ["git log --oneline -5", "git log", undefined],
    ["timeout 30 yarn lint", "yarn lint", "lint"],
  ])("%s -> head %s, role %s", (line, head, role) => {
    const parsed = parseCommand(line);
    expect(parsed?.head).toBe(head);
    expect(parsed?.role).toBe(role);
  });

  it("keeps the arguments after the binary, quotes removed", () => {
    expect(parseCommand("python 'my script.py' -v")?.args).toBe("my script.py -v");
  });

  it("finds no command in a line of only cd and export", () => {
    expect(parseCommand("cd src && export A=1")).toBeUndefined();
  });
});

describe("shellWords", () => {
  it("splits on operators but not inside quotes or redirections", () => {
    expect(shellWords(`a "b && c" && d 2>&1 | e;f`)).toEqual(["a", "b && c", "&&", "d", "2>&1", "|", "e", ";", "f"]);
  });
});

describe("pathWords", () => {
  it("takes path-like operands, not flags or URLs", () => {
    expect(pathWords(["cat", "-n", "lib/utils.ts", "README.md", "https://x.org/a", "--out=dist/a.js", "plain"])).toEqual(["lib/utils.ts", "README.md"]);
  });
});
