// `headroom learn --llm` with stand-in agent CLIs on PATH (no network): answers that keep every
// code span replace the offline wording; anything else (a dropped command, an error, no CLI) keeps it.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { learn } from "../../src/cli/learn.js";
import { fixtureHome, tempProject } from "./learn-support.js";

// A stand-in `claude`/`codex`: records its argv, then answers each numbered rule of the prompt.
function standIn(name: string, body: string): string {
  const bin = mkdtempSync(join(tmpdir(), "headroom-learn-bin-"));
  const script = join(bin, name);
  writeFileSync(
    script,
    `#!${process.execPath}
const fs = require("node:fs");
fs.writeFileSync(${JSON.stringify(join(bin, "argv.json"))}, JSON.stringify(process.argv.slice(2)));
const prompt = process.argv[process.argv.length - 1];
const rules = prompt.split("\\n").filter((l) => /^\\d+\\. /.test(l));
${body}
`,
  );
  chmodSync(script, 0o755);
  return bin;
}

const REWORD = `
for (const line of rules) {
  const [, n, text] = /^(\\d+)\\. (.*)$/.exec(line);
  // Rule 2 loses its commands: that answer must be refused.
  console.log(n === "2" ? n + ". Use the right test runner." : n + ". Always: " + text);
}`;

async function run(agent: "claude" | "codex", bin: string | undefined) {
  const project = tempProject();
  const env = { HOME: fixtureHome(project), PATH: [bin, dirname(process.execPath)].filter(Boolean).join(":") };
  return learn({ project, env, agent, llm: true });
}

describe("learn --llm", () => {
  it("claude -p rewords the rules, keeping each one's code spans", async () => {
    const bin = standIn("claude", REWORD);
    const report = await run("claude", bin);
    const texts = report.targets[0]?.rules.map((rule) => rule.text) ?? [];
    expect(texts).toHaveLength(4);
    expect(texts[0]).toMatch(/^Always: Build with `npm run build:prod`/);
    expect(texts[1]).toBe("Run the tests with `npm test`, not `jest` (it failed with `/bin/bash: line 1: jest: command not found`).");
    expect(texts[3]).toMatch(/^Always: The files are in `src\/`/);
    const argv = JSON.parse(readFileSync(join(bin, "argv.json"), "utf8")) as string[];
    expect(argv[0]).toBe("-p");
    expect(report.targets[0]?.diff).toContain("+- Always: Build with");
  });

  it("codex exec is asked for Codex's rules", async () => {
    const bin = standIn("codex", REWORD);
    const report = await run("codex", bin);
    expect(JSON.parse(readFileSync(join(bin, "argv.json"), "utf8")).slice(0, 2)).toEqual(["exec", "--skip-git-repo-check"]);
    expect(report.targets[0]?.rules[0]?.text).toMatch(/^Always: /);
  });

  it.each([
    ["a CLI that fails", () => standIn("claude", "console.log('1. Always: nothing'); process.exit(1);")],
    ["no CLI on PATH", () => mkdtempSync(join(tmpdir(), "headroom-learn-empty-"))],
  ])("%s: the offline wording, unchanged", async (_name, makeBin) => {
    const project = tempProject();
    const home = fixtureHome(project);
    const offline = await learn({ project, env: { HOME: home }, agent: "claude" });
    const bin = makeBin();
    mkdirSync(bin, { recursive: true });
    const online = await learn({ project, env: { HOME: home, PATH: `${bin}:${dirname(process.execPath)}` }, agent: "claude", llm: true });
    expect(online.targets[0]?.rules).toEqual(offline.targets[0]?.rules);
  });
});
