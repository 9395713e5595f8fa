// The miner over sessions built the way readers build them: it finds each planted pattern with its
// evidence, and invents nothing from ordinary work (tests failing and then fixed by an edit).
import { describe, expect, it } from "vitest";
import { mine } from "../../src/learn/mine.js";
import { session, type Step } from "./mine-support.js";

const yarnThenNpm = (id: string) =>
  session(id, [
    { bash: "ls" },
    { bash: "yarn test", exit: 127, out: "/bin/bash: line 1: yarn: command not found" },
    { bash: "npm test", out: "# pass 3" },
  ]);

const ordinaryWork: Step[] = [
  { bash: "npm test", exit: 1, out: "not ok 1 - cart total\n# fail 1" },
  { tool: "Edit", path: "/home/u/proj/src/cart.js" },
  { bash: "npx vitest run test/cart.test.js", out: "1 passed" },
  { tool: "Read", path: "/home/u/proj/src/cart.js", out: "// throws 'item not found'" },
  { bash: "grep -rn 'No such file' src", exit: 1, out: "" },
  { user: "thanks, now use the same style for the README" },
];

describe("mine", () => {
  it("a test command that fails and a different one that passes, in two sessions", () => {
    const rules = mine([yarnThenNpm("a"), yarnThenNpm("b")]);
    expect(rules).toEqual([
      {
        id: "command:yarn test->npm test",
        kind: "command",
        text: "Run the tests with `npm test`, not `yarn test` (it failed with `/bin/bash: line 1: yarn: command not found`).",
        evidence: 2,
        sessions: 2,
        examples: [
          { agent: "claude", session: "a", events: [1, 2] },
          { agent: "claude", session: "b", events: [1, 2] },
        ],
      },
    ]);
  });

  it("drops a rule seen once unless minEvidence is 1", () => {
    expect(mine([yarnThenNpm("a")])).toEqual([]);
    expect(mine([yarnThenNpm("a")], { minEvidence: 1 }).map((rule) => rule.id)).toEqual(["command:yarn test->npm test"]);
  });

  it("a path that did not exist, corrected by the same command or a file tool", () => {
    const rules = mine([
      session("a", [
        { bash: "cat lib/index.js", exit: 1, out: "cat: lib/index.js: No such file or directory" },
        { bash: "ls" },
        { bash: "cat src/index.js", out: "export {}" },
      ]),
      session("b", [
        { tool: "Read", path: "/home/u/proj/lib/cart.js", out: "File does not exist.", error: true },
        { tool: "Read", path: "/home/u/proj/src/cart.js", out: "export {}" },
      ]),
    ]);
    expect(rules.map(({ text, evidence, sessions }) => ({ text, evidence, sessions }))).toEqual([
      { text: "The files are in `src/`, not `lib/` (`lib/index.js` does not exist).", evidence: 2, sessions: 2 },
    ]);
  });

  it("a retried failing command whose fix came later becomes one rule about the fix", () => {
    const build = (id: string) =>
      session(id, [
        { bash: "npm run build", exit: 1, out: 'npm error Missing script: "build"' },
        { bash: "npm run build", exit: 1, out: 'npm error Missing script: "build"' },
        { bash: "cat package.json" },
        { bash: "npm run build:prod" },
      ]);
    expect(mine([build("a"), build("b")]).map((rule) => rule.text)).toEqual([
      'Build with `npm run build:prod`, not `npm run build` (it failed with `npm error Missing script: "build"`; retrying it unchanged does not help).',
    ]);
  });

  it("an unchanged retry that never succeeds", () => {
    const steps: Step[] = [
      { bash: "curl -s localhost:3000/health", exit: 7, out: "curl: (7) Failed to connect to localhost port 3000" },
      { bash: "curl -s localhost:3000/health", exit: 7, out: "curl: (7) Failed to connect to localhost port 3000" },
    ];
    const rules = mine([session("a", steps), session("b", steps)]);
    expect(rules.map((rule) => [rule.text, rule.evidence])).toEqual([
      ["Don't retry `curl -s localhost:3000/health` unchanged: it fails the same way (it failed with `curl: (7) Failed to connect to localhost port 3000`).", 2],
    ]);
  });

  it("a binary that is not installed and was never replaced", () => {
    const steps: Step[] = [{ bash: "rg TODO src", exit: 127, out: "bash: rg: command not found" }, { bash: "grep -rn TODO src" }];
    expect(mine([session("a", steps), session("b", steps)]).map((rule) => rule.text)).toEqual([
      "Don't run `rg`: `rg` is not installed (it failed with `bash: rg: command not found`).",
    ]);
  });

  it("a different binary for the same arguments", () => {
    const steps: Step[] = [{ bash: "python scripts/gen.py --all", exit: 127, out: "python: command not found" }, { bash: "python3 scripts/gen.py --all" }];
    expect(mine([session("a", steps), session("b", steps)]).map((rule) => rule.text)).toEqual([
      "Use `python3`, not `python` (it failed with `python: command not found`).",
    ]);
  });

  it("the user's correction and the failure it corrects count as one incident", () => {
    const corrected = (id: string, words: string) =>
      session(id, [
        { user: "Run the unit tests with jest." },
        { bash: "jest test/cart.test.js", exit: 127, out: "bash: jest: command not found" },
        { user: words },
        { bash: "npm test" },
      ]);
    const rules = mine([corrected("a", "no, use npm test, not jest"), corrected("b", "No, use npm test, not jest.")]);
    expect(rules.map(({ id, evidence, sessions }) => ({ id, evidence, sessions }))).toEqual([{ id: "command:jest->npm test", evidence: 2, sessions: 2 }]);
  });

  it("user corrections with nothing failing", () => {
    const rules = mine([
      session("a", [{ user: "no, use pnpm" }, { user: "don't use `git push --force`" }]),
      session("b", [{ user: "Nope, use pnpm." }, { user: "Please, do not use git push --force here" }]),
    ]);
    expect(rules.map((rule) => rule.text)).toEqual(["Don't use `git push --force` (you asked for this).", "Use `pnpm` (you asked for this)."]);
  });

  it("invents nothing from ordinary work, however often it happens", () => {
    expect(mine(["a", "b", "c"].map((id) => session(id, ordinaryWork)), { minEvidence: 1 })).toEqual([]);
  });

  it("gives the same rules whatever order sessions arrive in", () => {
    const logs = [yarnThenNpm("b"), yarnThenNpm("a"), yarnThenNpm("c"), session("d", ordinaryWork)];
    expect(mine([...logs].reverse())).toEqual(mine(logs));
  });
});
