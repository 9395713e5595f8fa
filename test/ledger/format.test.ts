import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { bar, formatDollars, formatSummary, formatTokens } from "../../src/ledger/format.js";
import { Ledger, type LedgerSummary } from "../../src/ledger/ledger.js";
import { PRICES_AS_OF } from "../../src/ledger/prices.js";
import { entry, useTempDirs } from "./helpers.js";

const tempDir = useTempDirs();
const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2026, 10, 18, 12);

function summaryOf(record: (ledger: Ledger) => void, filter: Parameters<Ledger["summary"]>[0] = {}): LedgerSummary {
  const ledger = Ledger.open({ path: join(tempDir(), "headroom.db") });
  record(ledger);
  const summary = ledger.summary(filter);
  ledger.close();
  return summary;
}

// Three days of Claude Code (estimated counts), a gap day, then Codex (exact counts).
function sampleSummary(): LedgerSummary {
  return summaryOf((ledger) => {
    for (let i = 0; i < 3; i++) {
      ledger.record(entry({ time: T0 + i * 60_000, tokensBefore: 10_000, tokensAfter: 4_000, byKind: { log: { units: 1, before: 10_000, after: 4_000 } } }));
    }
    ledger.record(entry({ time: T0 + DAY, tokensBefore: 2_000, tokensAfter: 1_000, byKind: { json: { units: 2, before: 2_000, after: 1_000 } } }));
    ledger.record(
      entry({
        time: T0 + 3 * DAY,
        sessionKey: "01a20f80-f7ff-75f1-a5f5-b13f0ab760ab",
        agent: "codex",
        model: "gpt-6.1-sol",
        tokensBefore: 40_000,
        tokensAfter: 10_000,
        estimate: false,
        byKind: { search: { units: 3, before: 40_000, after: 10_000 } },
        usage: { input: 1000, cacheRead: 30_000, output: 500 },
        addedMs: 4,
      }),
    );
  });
}

const plain = (summary: LedgerSummary, width = 80) => formatSummary(summary, { color: false, width });

describe("formatSummary", () => {
  it("shows totals, every breakdown and a per-day chart", () => {
    const text = plain(sampleSummary());
    expect(text).toMatch(/^headroom savings\n/);
    expect(text).toMatch(/requests\s+5 in 2 sessions/);
    expect(text).toMatch(/tool outputs\s+72,000 tokens sent by the agent \(estimate\)/);
    expect(text).toMatch(/forwarded\s+23,000 tokens \(estimate\)/);
    expect(text).toMatch(/saved\s+49,000 tokens \(68\.1%\) \(estimate\)/);
    expect(text).toMatch(/provider input\s+1,200 uncached · 620 output/);
    expect(text).toMatch(/provider cache\s+38,000 read · 2,400 written/);
    expect(text).toMatch(/time added\s+p50 1\.50 ms · p95 1\.50 ms · max 4\.00 ms/);
    for (const title of ["By agent", "By model", "By content kind", "Sessions (most recent first)", "Tokens saved per day (UTC) (estimate)"]) {
      expect(text).toContain(`\n${title}\n`);
    }
    expect(text).toMatch(/\n {2}codex\s+1\s+40,000\s+10,000\s+30,000\s+75\.0%\n/);
    expect(text).toMatch(/\n {2}claude-code\s+4\s+32,000\s+13,000\s+19,000\s+59\.4%\n/);
    expect(text).toMatch(/\n {2}gpt-6\.1-sol\s+1\s+40,000/);
    expect(text).toMatch(/\n {2}search\s+3\s+40,000\s+10,000\s+30,000/);
    expect(text).toMatch(/\n {2}01a20f80-f7ff-75f1-a5f5-b13…\s+codex\s+2026-11-21\s+1\s+30,000\s+75\.0%\n/);
    expect(plain(sampleSummary(), 100)).toMatch(/\n {2}01a20f80-f7ff-75f1-a5f5-b13f0ab760ab\s+codex\s+2026-11-21/);
  });

  it("draws one bar per UTC day from the first to the last, gaps included, longest for the most saved", () => {
    const text = plain(sampleSummary());
    const chart = text.slice(text.indexOf("Tokens saved per day"));
    const rows = chart.split("\n").slice(1).filter((line) => /^ {2}\d{4}-\d{2}-\d{2}/.test(line));
    expect(rows.map((line) => line.slice(2, 12))).toEqual(["2026-11-18", "2026-11-19", "2026-11-20", "2026-11-21"]);
    const bars = rows.map((line) => (line.match(/[█▏▎▍▌▋▊▉]+/)?.[0] ?? "").length);
    expect(bars[2]).toBe(0); // no requests that day
    expect(bars[3]).toBeGreaterThan(bars[0]!);
    expect(bars[0]).toBeGreaterThan(bars[1]!);
    expect(rows[3]).toMatch(/█ 30,000$/);
    expect(rows[2]).toMatch(/ 0$/);
  });

  it("labels estimates: counts from a non-provider tokenizer and every dollar figure", () => {
    const text = plain(sampleSummary());
    expect(text).toMatch(/dollars saved\s+\$\d+\.\d{2,4} \(estimate\)/);
    expect(text).toContain(`list prices as of ${PRICES_AS_OF}`);
    expect(text).toContain("(estimate): token counts from a tokenizer that is not the provider's");

    const exact = plain(summaryOf((ledger) => ledger.record(entry({ estimate: false, model: "my-local-model" }))));
    expect(exact).not.toContain("(estimate)"); // exact counts, and no price for this model: no dollars line
    expect(exact).not.toContain("dollars saved");
  });

  it("names models it could not price", () => {
    const text = plain(
      summaryOf((ledger) => {
        ledger.record(entry());
        ledger.record(entry({ model: "my-local-model" }));
      }),
    );
    expect(text.replace(/\s+/g, " ")).toContain("Not priced: my-local-model.");
  });

  it("keeps measure mode apart: would-save is never counted as saved", () => {
    const text = plain(
      summaryOf((ledger) => {
        ledger.record(entry({ mode: "measure", status: "measured", agent: "copilot", estimate: false }));
      }),
    );
    expect(text).toMatch(/saved\s+0 tokens \(0\.0%\)/);
    expect(text).toMatch(/would save\s+600 tokens \(measure mode\)/);
    expect(text).toContain("Tokens that would be saved per day (measure mode, UTC)");
    expect(text).toMatch(/would save\n/); // the column
    expect(text).not.toContain("dollars saved");
  });

  it("plain output has no escape sequences; colour output differs only by them", () => {
    const summary = sampleSummary();
    const noColor = formatSummary(summary, { color: false, width: 80 });
    const color = formatSummary(summary, { color: true, width: 80 });
    expect(noColor).not.toMatch(/\u001b/);
    expect(color).toMatch(/\u001b\[1m/);
    expect(stripVTControlCharacters(color)).toBe(noColor);
  });

  it("fits the width it is given", () => {
    const summary = sampleSummary();
    for (const width of [80, 100, 120]) {
      const lines = plain(summary, width).split("\n");
      for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(width);
    }
    const narrow = plain(summary, 60);
    expect(narrow).toContain("01a20f8…"); // the session key is shortened, not dropped
  });

  it("lists the most recent sessions and says how many more there are", () => {
    const summary = summaryOf((ledger) => {
      for (let i = 0; i < 15; i++) ledger.record(entry({ sessionKey: `s-${String(i).padStart(2, "0")}`, time: T0 + i }));
    });
    const text = plain(summary);
    expect(text).toContain("  s-14 ");
    expect(text).not.toContain("  s-04 ");
    expect(text).toContain("... 5 more");
  });

  it("an empty ledger prints how to get data", () => {
    const text = plain(summaryOf(() => {}));
    expect(text).toContain("no requests recorded yet");
    expect(text).toContain("headroom wrap claude");
    expect(text).toContain("headroom proxy");
    expect(text).not.toContain("By agent");
  });

  it("an empty filtered view says which filter matched nothing", () => {
    const text = plain(summaryOf((ledger) => ledger.record(entry()), { agent: "aider", sinceMs: Date.UTC(2026, 10, 17) }));
    expect(text).toContain("no requests recorded (since 2026-11-17 00:00 UTC, agent aider)");
    expect(text).toContain("headroom wrap claude");
  });
});

describe("formatting helpers", () => {
  it("bar: eighths of a block, full blocks at the maximum, nothing for zero", () => {
    expect(bar(10, 10, 4)).toBe("████");
    expect(bar(5, 10, 4)).toBe("██");
    expect(bar(1, 16, 2)).toBe("▏");
    expect(bar(3, 16, 2)).toBe("▍");
    expect(bar(0, 10, 4)).toBe("");
    expect(bar(0.0001, 10, 4)).toBe("▏"); // anything above zero shows
    expect(bar(20, 10, 4)).toBe("████");
  });

  it("numbers and dollars", () => {
    expect(formatTokens(1234567.4)).toBe("1,234,567");
    expect(formatDollars(0)).toBe("$0.00");
    expect(formatDollars(0.0042)).toBe("$0.0042");
    expect(formatDollars(1234.5)).toBe("$1,234.50");
  });
});
