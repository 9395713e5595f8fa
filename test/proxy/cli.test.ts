// `headroom proxy` as a user runs it: prints where it listens and how to point agents at it, serves,
// and exits 0 on SIGTERM / SIGINT; bad options are clear errors.
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { runCli, tempHome } from "../support/run-cli.js";
import { send, standIn } from "./helpers.js";

const ENTRY = join(import.meta.dirname, "../support/cli-entry.ts");

function startCli(args: string[], env: Record<string, string> = {}) {
  return execa(process.execPath, ["--import", "tsx", ENTRY, "proxy", ...args], {
    env: { HEADROOM_HOME: tempHome(), NO_COLOR: "1", ...env },
    stdin: "ignore",
    reject: false,
    timeout: 60_000,
  });
}

/** Resolves with stdout once `done(stdout)` is true. */
function stdoutUntil(child: ReturnType<typeof startCli>, done: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      if (done(text)) resolve(text);
    });
    void child.then((result) => reject(new Error(`exited early: ${result.stderr}`)));
  });
}

describe("headroom proxy", () => {
  it("--json prints the URL and agent settings, serves, and exits 0 on SIGTERM", async () => {
    const upstream = await standIn();
    const child = startCli(["--port", "0", "--json", "--anthropic-upstream", upstream.url], { HEADROOM_OPENAI_UPSTREAM: `${upstream.url}/v1` });
    const out = JSON.parse(await stdoutUntil(child, (text) => text.trim().endsWith("}"))) as {
      version: number;
      url: string;
      mode: string;
      upstreams: { anthropic: string; openai: string };
      env: { ANTHROPIC_BASE_URL: string; OPENAI_BASE_URL: string };
    };
    expect(out.version).toBe(1);
    expect(out.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(out.upstreams).toEqual({ anthropic: upstream.url, openai: `${upstream.url}/v1` });
    expect(out.env).toEqual({ ANTHROPIC_BASE_URL: out.url, OPENAI_BASE_URL: `${out.url}/v1` });
    const health = await send(`${out.url}/health`);
    expect(health.status).toBe(200);
    const answer = await send(`${out.url}/v1/chat/completions`, { method: "POST", headers: { authorization: "Bearer k" }, body: '{"model":"gpt-4o","messages":[]}' });
    expect(answer.headers["x-headroom-status"]).toBe("unchanged");
    expect(upstream.received.map((r) => r.url)).toEqual(["/v1/chat/completions"]);
    // The request reaches the ledger (after its response), and /stats is the ledger's summary.
    let stats: { version: number; totals: { requests: number } } = { version: 0, totals: { requests: 0 } };
    for (let i = 0; i < 100 && stats.totals.requests === 0; i++) {
      stats = JSON.parse((await send(`${out.url}/stats`)).body.toString()) as typeof stats;
      if (stats.totals.requests === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(stats.version).toBe(1);
    expect(stats.totals.requests).toBe(1);
    child.kill("SIGTERM");
    const result = await child;
    expect(result.exitCode).toBe(0);
  });

  it("tells humans how to point agents at it, and stops on SIGINT", async () => {
    const child = startCli(["--port", "0", "--mode", "measure"]);
    const text = await stdoutUntil(child, (t) => t.includes("Stop:"));
    expect(text).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+ \(mode: measure\)/);
    expect(text).toMatch(/ANTHROPIC_BASE_URL=http:\/\/127\.0\.0\.1:\d+\n/);
    expect(text).toMatch(/OPENAI_BASE_URL=http:\/\/127\.0\.0\.1:\d+\/v1/);
    child.kill("SIGINT");
    expect((await child).exitCode).toBe(0);
  });

  it("rejects a bad mode, port or upstream with a clear message", async () => {
    const home = tempHome();
    const mode = await runCli(["proxy", "--mode", "squash"], { home });
    expect(mode.exitCode).toBe(1);
    expect(mode.stderr).toMatch(/Unknown mode "squash"/);
    const port = await runCli(["proxy", "--port", "http"], { home });
    expect(port.stderr).toMatch(/--port must be a port number/);
    const url = await runCli(["proxy", "--openai-upstream", "localhost:4000"], { home });
    expect(url.stderr).toMatch(/--openai-upstream must be an http\(s\) URL/);
  });
});
