import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { LedgerEntry } from "../../src/ledger/types.js";

export { useTempDirs } from "../ccr/helpers.js";

export const AGENT_REQUESTS = join(import.meta.dirname, "..", "fixtures", "agent-requests");

/** One captured request of a real agent (test/fixtures/agent-requests/*.jsonl). */
export interface CapturedRequest {
  readonly file: string;
  readonly seq: number;
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

/** Every captured request, by fixture file (one file = one run of one agent). */
export function capturedRuns(): Map<string, CapturedRequest[]> {
  const runs = new Map<string, CapturedRequest[]>();
  for (const file of readdirSync(AGENT_REQUESTS).filter((name) => name.endsWith(".jsonl")).sort()) {
    const requests = readFileSync(join(AGENT_REQUESTS, file), "utf8")
      .split("\n")
      .filter((line) => line.trim())
      .map((line) => ({ file, ...(JSON.parse(line) as Omit<CapturedRequest, "file">) }));
    runs.set(file, requests);
  }
  return runs;
}

/** A ledger entry with sensible defaults. */
export function entry(overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    time: Date.UTC(2026, 10, 20, 12, 0, 0),
    sessionKey: "session-a",
    agent: "claude-code",
    model: "claude-opus-5-5",
    path: "/v1/messages",
    mode: "compress",
    status: "compressed",
    unitsCompressed: 1,
    tokensBefore: 1000,
    tokensAfter: 400,
    byKind: { log: { units: 1, before: 1000, after: 400 } },
    estimate: true,
    usage: { input: 50, cacheCreation: 600, cacheRead: 2000, output: 30 },
    addedMs: 1.5,
    upstreamStatus: 200,
    ...overrides,
  };
}
