// The miner over the real agents' transcripts (test/fixtures/learn, PLANTED.md): it finds exactly
// the planted failures' rules, each with its two sessions of evidence, and nothing else.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Miner } from "../../src/learn/mine.js";
import { readClaude } from "../../src/learn/read-claude.js";
import { readCodex } from "../../src/learn/read-codex.js";
import { readGemini } from "../../src/learn/read-gemini.js";
import type { SessionReader } from "../../src/learn/types.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/learn");
const ENV = {
  HOME: "/nonexistent",
  CLAUDE_CONFIG_DIR: join(FIXTURES, "claude"),
  CODEX_HOME: join(FIXTURES, "codex"),
  GEMINI_CLI_HOME: join(FIXTURES, "gemini"),
};

async function mineFixtures(reader: SessionReader, minEvidence: number) {
  const miner = new Miner({ project: "/home/dev/shop" });
  for await (const log of reader({ project: "/home/dev/shop", env: ENV })) miner.add(log);
  return miner.rules({ minEvidence }).map(({ id, evidence, sessions }) => ({ id, evidence, sessions }));
}

// One rule per planted pattern, two sessions each (PLANTED.md).
const PLANTED = [
  { id: "command:npm run build->npm run build:prod", evidence: 2, sessions: 2 }, // retried-command, then fixed
  { id: "command:jest->npm test", evidence: 2, sessions: 2 }, // user-correction (and the failed jest it corrects)
  { id: "command:yarn test->npm test", evidence: 2, sessions: 2 }, // test-command
  { id: "path:lib/->src/", evidence: 2, sessions: 2 }, // missing-path
];

describe("mining the real fixtures", () => {
  it.each([
    ["claude", readClaude],
    ["codex", readCodex],
  ] as const)("%s: exactly the planted rules", async (_agent, reader) => {
    expect(await mineFixtures(reader, 2)).toEqual(PLANTED);
  });

  it("claude: the once-only failure appears only with --min-evidence 1", async () => {
    expect(await mineFixtures(readClaude, 1)).toEqual([...PLANTED, { id: "command:make lint->npm run lint", evidence: 1, sessions: 1 }]);
  });

  it("gemini (hand-written, one of each): nothing at 2, the yarn and lib/ corrections at 1", async () => {
    expect(await mineFixtures(readGemini, 2)).toEqual([]);
    expect(await mineFixtures(readGemini, 1)).toEqual([
      { id: "command:yarn test->npm test", evidence: 1, sessions: 1 },
      { id: "path:lib/->src/", evidence: 1, sessions: 1 },
    ]);
  });

  it("the rules' wording", async () => {
    const miner = new Miner({ project: "/home/dev/shop" });
    for await (const log of readClaude({ project: "/home/dev/shop", env: ENV })) miner.add(log);
    expect(miner.rules().map((rule) => rule.text)).toEqual([
      'Build with `npm run build:prod`, not `npm run build` (it failed with `npm error Missing script: "build"`; retrying it unchanged does not help).',
      "Run the tests with `npm test`, not `jest` (it failed with `/bin/bash: line 1: jest: command not found`).",
      "Run the tests with `npm test`, not `yarn test` (it failed with `/bin/bash: line 1: yarn: command not found`).",
      "The files are in `src/`, not `lib/` (`lib/cart.js` does not exist).",
    ]);
  });
});
