import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { latestHumanText, locateUnits, replaceAt } from "../../src/pipeline/locate.js";

// Real request bodies captured from Claude Code, Codex and Copilot CLI (copied from shared/fixtures).
const FIXTURES = join(import.meta.dirname, "../fixtures/agent-requests");

interface Captured {
  url: string;
  body: { messages?: unknown[]; input?: unknown[] } | null;
}

function requests(file: string): Captured[] {
  return readFileSync(join(FIXTURES, file), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Captured)
    .filter((request) => request.body && (request.body.messages || request.body.input));
}

const conversation = (request: Captured) => (request.body?.messages ?? request.body?.input ?? []) as unknown[];

describe("locateUnits on real agent requests", () => {
  const expectations: Record<string, { tool: string; startsWith: string }> = {
    "claude-code.jsonl": { tool: "Bash", startsWith: "total 272" },
    "copilot-anthropic.jsonl": { tool: "bash", startsWith: "total 272" },
    "copilot-chat.jsonl": { tool: "bash", startsWith: "total 272" },
    "copilot-responses.jsonl": { tool: "bash", startsWith: "total 272" },
    "codex-classic.jsonl": { tool: "exec_command", startsWith: "Chunk ID:" },
    "codex-default-model.jsonl": { tool: "exec", startsWith: "Script completed" },
    "claude-code-read-big-file.jsonl": { tool: "Read", startsWith: "1\t2026-11-24T10:00:00Z" },
  };

  for (const [file, expected] of Object.entries(expectations)) {
    it(`finds the tool output and its tool call in ${file}`, () => {
      const last = requests(file).at(-1)!;
      const units = locateUnits(conversation(last));
      expect(units.length).toBeGreaterThan(0);
      expect(units[0]!.call?.name).toBe(expected.tool);
      expect(units[0]!.text.startsWith(expected.startsWith)).toBe(true);
    });
  }

  it("finds nothing in first turns, which have no tool output", () => {
    for (const file of readdirSync(FIXTURES)) {
      const first = requests(file)[0];
      if (first) expect(locateUnits(conversation(first))).toEqual([]);
    }
  });

  it("never reports system prompts, user text or role:system entries as units", () => {
    for (const file of readdirSync(FIXTURES)) {
      for (const request of requests(file)) {
        const items = conversation(request);
        for (const unit of locateUnits(items)) {
          const top = items[unit.path[0] as number] as { role?: string; type?: string };
          expect(["user", "tool", undefined]).toContain(top.role);
          if (top.role === undefined) expect(top.type).toMatch(/_call_output$/);
        }
      }
    }
  });
});

describe("replaceAt", () => {
  it("replaces one string and leaves every other branch identical", () => {
    const last = requests("claude-code.jsonl").at(-1)!;
    const items = conversation(last);
    const [unit] = locateUnits(items);
    const replaced = replaceAt(items, unit!.path, "short");
    expect(locateUnits(replaced)[0]!.text).toBe("short");
    const changedIndex = unit!.path[0] as number;
    items.forEach((item, index) => {
      if (index !== changedIndex) expect(replaced[index]).toBe(item);
    });
    expect(locateUnits(items)[0]!.text).toBe(unit!.text); // the input is not mutated
  });
});

describe("latestHumanText", () => {
  it("takes the human's words, not tool results", () => {
    const last = requests("claude-code.jsonl").at(-1)!;
    const text = latestHumanText(conversation(last));
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toContain("drwxr-xr-x");
  });

  it("reads OpenAI chat and Responses shapes", () => {
    expect(latestHumanText([{ role: "user", content: "fix the failing test" }, { role: "tool", content: "x" }])).toBe(
      "fix the failing test",
    );
    expect(
      latestHumanText([{ type: "message", role: "user", content: [{ type: "input_text", text: "why 500?" }] }]),
    ).toBe("why 500?");
  });
});
