// `headroom stats` and `headroom show` over a real ledger written the way the proxy writes it.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Ledger } from "../../src/ledger/ledger.js";
import type { LedgerEntry } from "../../src/ledger/types.js";
import { realOutputs } from "../support/fixtures.js";
import { runCli, tempHome } from "../support/run-cli.js";

const DAY = 86_400_000;

function entry(time: number, agent: string, overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    time,
    sessionKey: `${agent}-session`,
    agent,
    model: agent === "codex" ? "gpt-5-codex" : "claude-sonnet-4-5",
    path: "/v1/messages",
    mode: "compress",
    status: "compressed",
    unitsCompressed: 1,
    tokensBefore: 10_000,
    tokensAfter: 1_000,
    byKind: { log: { units: 1, before: 10_000, after: 1_000 } },
    estimate: agent !== "codex",
    usage: { input: 1_200, cacheRead: 3_000, output: 50 },
    addedMs: 1.2,
    upstreamStatus: 200,
    ...overrides,
  };
}

function seed(home: string, now: number): void {
  const ledger = Ledger.open({ path: join(home, "headroom.db") });
  ledger.record(
    entry(now - 10 * DAY, "claude-code", {
      compressions: [{ hash: "00000000000000aa", tool: "Bash", kind: "log", tokensBefore: 10_000, tokensAfter: 1_000, markers: 2 }],
    }),
  );
  ledger.record(
    entry(now - 1_000, "codex", {
      compressions: [{ hash: "00000000000000bb", tool: "exec_command", kind: "search", tokensBefore: 8_000, tokensAfter: 700, markers: 3 }],
    }),
  );
  ledger.close();
}

describe("headroom stats", () => {
  it("prints how to get data when the ledger is empty", async () => {
    const result = await runCli(["stats"], { home: tempHome() });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/headroom wrap claude/);
  });

  it("totals and breakdowns, filtered by --since and --agent", async () => {
    const home = tempHome();
    seed(home, Date.now());
    const all = JSON.parse((await runCli(["stats", "--json"], { home })).stdout) as { version: number; totals: { requests: number; saved: number } };
    expect(all.version).toBe(1);
    expect(all.totals.requests).toBe(2);
    expect(all.totals.saved).toBe(18_000);
    const recent = JSON.parse((await runCli(["stats", "--since", "7d", "--json"], { home })).stdout) as { totals: { requests: number } };
    expect(recent.totals.requests).toBe(1);
    const claude = JSON.parse((await runCli(["stats", "--agent", "claude-code", "--json"], { home })).stdout) as { totals: { requests: number } };
    expect(claude.totals.requests).toBe(1);
  });

  it("prints plain text without escapes when not on a terminal", async () => {
    const home = tempHome();
    seed(home, Date.now());
    const result = await runCli(["stats"], { home });
    expect(result.stdout).toMatch(/codex/);
    expect(result.stdout).toMatch(/estimate/);
    expect(result.stdout).not.toMatch(/\u001b\[/);
  });

  it("rejects a malformed --since", async () => {
    const result = await runCli(["stats", "--since", "soon"], { home: tempHome() });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/Invalid --since "soon"/);
  });
});

describe("headroom show", () => {
  it("lists the latest compressions, newest first, with their hashes", async () => {
    const home = tempHome();
    seed(home, Date.now());
    const text = (await runCli(["show"], { home })).stdout;
    expect(text.indexOf("00000000000000bb")).toBeLessThan(text.indexOf("00000000000000aa"));
    expect(text).toMatch(/headroom retrieve HASH/);
    const json = JSON.parse((await runCli(["show", "1", "--json"], { home })).stdout) as { compressions: { hash: string; tool: string }[] };
    expect(json.compressions).toEqual([expect.objectContaining({ hash: "00000000000000bb", tool: "exec_command" })]);
  });

  it("says how to get data when nothing was compressed", async () => {
    const result = await runCli(["show"], { home: tempHome() });
    expect(result.stdout).toMatch(/No compressions recorded yet/);
  });
});

describe("retrievals are counted", () => {
  it("records CLI retrievals in the ledger: found ones as served, misses not", async () => {
    const home = tempHome();
    const started = Date.now();
    const compressed = JSON.parse((await runCli(["compress", "--json"], { home, input: realOutputs("log")[0]!.text })).stdout) as { hashes: string[] };
    await runCli(["retrieve", compressed.hashes[0]!], { home });
    await runCli(["retrieve", "0123456789abcdef"], { home });
    const ledger = Ledger.open({ path: join(home, "headroom.db") });
    const served = ledger.retrievalsSince(started);
    ledger.close();
    expect(served).toBe(1);
  });
});
