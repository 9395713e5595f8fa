import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import type { LedgerEntry } from "../../src/ledger/types.js";
import { buildReport, formatReport } from "../../src/wrap/report.js";

function entry(overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    time: 0,
    sessionKey: "s",
    agent: "claude-code",
    model: "claude-sonnet-4-5",
    path: "/v1/messages",
    mode: "compress",
    status: "compressed",
    unitsCompressed: 1,
    tokensBefore: 10_000,
    tokensAfter: 1_000,
    byKind: { log: { units: 1, before: 6_000, after: 500 }, search: { units: 1, before: 4_000, after: 500 } },
    estimate: true,
    usage: { input: 2_000, cacheRead: 5_000, cacheCreation: 1_000, output: 100 },
    addedMs: 1.5,
    upstreamStatus: 200,
    ...overrides,
  };
}

describe("the wrap report", () => {
  const report = buildReport({ agent: "Claude Code", exitCode: 0, durationMs: 5_000, proxied: true, entries: [entry(), entry({ addedMs: 0.5 })], retrievals: 2 });

  it("adds up tokens, usage, kinds and time", () => {
    expect(report.requests).toBe(2);
    expect(report.toolOutputs).toEqual({ before: 20_000, after: 2_000, saved: 18_000, percent: 90 });
    expect(report.input.asSent).toBe(16_000);
    expect(report.input.withoutHeadroom).toBe(34_000);
    expect(report.cache).toEqual({ read: 10_000, write: 2_000 });
    expect(report.topKinds.map((k) => k.kind)).toEqual(["log", "search"]);
    expect(report.topKinds[0]!.saved).toBe(11_000);
    expect(report.retrievals).toBe(2);
    expect(report.addedMs.total).toBe(2);
    expect(report.dollarsSaved.estimate).toBeGreaterThan(0);
  });

  it("labels estimates and prints no escapes without colour", () => {
    const text = formatReport(report, false);
    expect(text).toBe(stripVTControlCharacters(text));
    expect(text).toMatch(/90\.0% saved \(estimate\)/);
    expect(text).toMatch(/estimate, list prices of \d{4}-\d{2}-\d{2}/);
    expect(text).toMatch(/retrievals\s+2/);
  });

  it("counts measure-mode requests as requests but not as savings", () => {
    const measured = buildReport({ agent: "Codex", exitCode: 0, durationMs: 1, proxied: true, entries: [entry({ mode: "measure" })], retrievals: 0 });
    expect(measured.requests).toBe(1);
    expect(measured.toolOutputs.saved).toBe(0);
  });

  it("says so when the agent's traffic did not go through headroom", () => {
    const text = formatReport(buildReport({ agent: "Cursor CLI", exitCode: 0, durationMs: 1, proxied: false, entries: [], retrievals: 0 }), false);
    expect(text).toMatch(/did not go through headroom/);
  });
});
