// The agent runs with the wrapper's signal rules: exit codes pass through, SIGTERM/SIGHUP are
// forwarded, a signal that ends the agent gives 128 + n, and SIGINT never kills the wrapper.
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runChild } from "../../src/wrap/child.js";

const AGENT = join(import.meta.dirname, "../fixtures/wrap/stand-in-agent.mjs");

function env(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? "", ...extra };
}

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("runChild", () => {
  it("passes the agent's exit code through, 0 and non-zero", async () => {
    expect((await runChild({ bin: AGENT, args: [], env: env({ STAND_IN_EXIT: "0" }) })).exitCode).toBe(0);
    expect((await runChild({ bin: AGENT, args: [], env: env({ STAND_IN_EXIT: "3" }) })).exitCode).toBe(3);
  });

  it("passes argv verbatim and only the env it was given", async () => {
    const record = join(mkdtempSync(join(tmpdir(), "headroom-child-")), "record.json");
    await runChild({ bin: AGENT, args: ["-p", "two words", "--flag=x"], env: env({ STAND_IN_RECORD: record, ONLY_THIS: "1" }) });
    const seen = JSON.parse(readFileSync(record, "utf8")) as { argv: string[]; env: Record<string, string> };
    expect(seen.argv).toEqual(["-p", "two words", "--flag=x"]);
    expect(seen.env.ONLY_THIS).toBe("1");
    expect(seen.env.HOME).toBeUndefined();
  });

  it("forwards SIGTERM sent to the wrapper and reports 128+n when the signal ends the agent", async () => {
    const record = join(mkdtempSync(join(tmpdir(), "headroom-child-")), "record.json");
    const running = runChild({ bin: AGENT, args: [], env: env({ STAND_IN_RECORD: record, STAND_IN_WAIT: "1", STAND_IN_SIGTERM_EXIT: "7" }) });
    await waitFor(() => existsSync(record));
    process.emit("SIGTERM", "SIGTERM");
    expect((await running).exitCode).toBe(7); // the agent handled it and chose its code
  });

  it("does not die from SIGINT and does not send the agent a second one", async () => {
    const record = join(mkdtempSync(join(tmpdir(), "headroom-child-")), "record.json");
    const running = runChild({ bin: AGENT, args: [], env: env({ STAND_IN_RECORD: record, STAND_IN_WAIT: "1" }) });
    await waitFor(() => existsSync(record));
    process.emit("SIGINT", "SIGINT"); // what the wrapper gets from the terminal: ignored
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(existsSync(`${record}.sigint`)).toBe(false); // not forwarded
    process.emit("SIGHUP", "SIGHUP"); // forwarded: the stand-in has no handler, so it dies of it
    const outcome = await running;
    expect(outcome.signal).toBe("SIGHUP");
    expect(outcome.exitCode).toBe(129);
  });
});
