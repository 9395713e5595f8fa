// `headroom compress` and `headroom retrieve` as a user runs them, in child processes.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseMarkers } from "../../src/ccr/marker.js";
import { realOutputs } from "../support/fixtures.js";
import { runCli, tempHome } from "../support/run-cli.js";

const log = realOutputs("log")[0]!.text;

interface CompressJson {
  version: number;
  text: string | null;
  kind: string;
  tokensBefore: number;
  tokensAfter: number;
  hashes: string[];
  fallback?: string;
}

describe("headroom compress", () => {
  it("compresses a real log from stdin and the marker's hash retrieves the exact original", async () => {
    const home = tempHome();
    const compressed = await runCli(["compress", "-"], { home, input: log });
    expect(compressed.exitCode).toBe(0);
    expect(compressed.stdout.length).toBeLessThan(log.length);
    const [marker] = parseMarkers(compressed.stdout);
    expect(marker).toBeDefined();
    expect(compressed.stdout).toContain(`headroom retrieve ${marker!.hash}`);

    const retrieved = await runCli(["retrieve", marker!.hash], { home });
    expect(retrieved.exitCode).toBe(0);
    expect(retrieved.stdout).toBe(log);
  });

  it("prints one JSON object with --json", async () => {
    const result = await runCli(["compress", "--json"], { home: tempHome(), input: log });
    const parsed = JSON.parse(result.stdout) as CompressJson;
    expect(parsed.version).toBe(1);
    expect(parsed.kind).toBe("log");
    expect(parsed.tokensAfter).toBeLessThan(parsed.tokensBefore);
    expect(parsed.hashes).toHaveLength(1);
    expect(parsed.fallback).toBeUndefined();
  });

  it("a prose model that does not load is reported once and the extractive path compresses anyway", async () => {
    const result = await runCli(["compress", "-"], { home: tempHome(), input: log, env: { HEADROOM_PROSE_MODEL: "/nonexistent/prose-model" } });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/prose model in \/nonexistent\/prose-model was not loaded/);
    expect(parseMarkers(result.stdout).length).toBeGreaterThan(0);
  });

  it("takes a source file's language from its path: the code compressor elides bodies, the original comes back by hash", async () => {
    const home = tempHome();
    const file = join(import.meta.dirname, "..", "fixtures", "code", "python", "textwrap.py");
    const result = await runCli(["compress", file, "--json"], { home });
    expect(result.exitCode, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as { kind: string; text: string; hashes: string[] };
    expect(json.kind).toBe("code");
    expect(json.text).toMatch(/# \[\d+ lines omitted: .*body of/);
    const retrieved = await runCli(["retrieve", json.hashes[0]!], { home });
    expect(retrieved.stdout).toBe(readFileSync(file, "utf8"));
  });

  it("gives the same bytes in two separate processes (deterministic across restarts)", async () => {
    const first = await runCli(["compress", "-", "--query", "error"], { home: tempHome(), input: log });
    const second = await runCli(["compress", "-", "--query", "error"], { home: tempHome(), input: log });
    expect(first.stdout).toBe(second.stdout);
  });

  it("rejects an unknown --kind with the list of kinds", async () => {
    const result = await runCli(["compress", "--kind", "yaml"], { home: tempHome(), input: log });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/Unknown kind "yaml".*json, search, log/);
  });

  it("says clearly when a file cannot be read", async () => {
    const result = await runCli(["compress", "/nonexistent/file.log"], { home: tempHome() });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/Cannot read \/nonexistent\/file.log: ENOENT/);
  });
});

describe("headroom compress on bad input: never a crash, never larger, nothing lost", () => {
  const cases: { name: string; input: string | Buffer; reason: RegExp }[] = [
    { name: "empty input", input: "", reason: /empty/ },
    { name: "invalid UTF-8", input: Buffer.from([0x66, 0x6f, 0xff, 0xfe, 0x80, 0x0a, 0xc3, 0x28]), reason: /UTF-8/ },
    { name: "binary with NUL bytes", input: Buffer.concat([Buffer.from("ELF"), Buffer.alloc(4096, 0), Buffer.from(log.slice(0, 4000))]), reason: /binary/ },
    { name: "text that looks like JSON but isn't", input: `{"a": 1, "b": [1, 2, 3` + ", 4".repeat(3000), reason: /./ },
    { name: "JSON nested 10,000 levels deep", input: "[".repeat(10_000) + "]".repeat(10_000), reason: /./ },
  ];

  for (const { name, input, reason } of cases) {
    it(name, async () => {
      const home = tempHome();
      const plain = await runCli(["compress", "-"], { home, input });
      expect(plain.exitCode).toBe(0);
      const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input);
      expect(plain.stdoutBytes.length).toBeLessThanOrEqual(bytes.length);
      if (parseMarkers(plain.stdout).length === 0) expect(plain.stdoutBytes.equals(bytes)).toBe(true);

      const json = JSON.parse((await runCli(["compress", "--json"], { home, input })).stdout) as CompressJson;
      if (json.hashes.length === 0) expect(json.fallback).toMatch(reason);
    });
  }

  it("a 50 MB input", async () => {
    const home = tempHome();
    let big = "";
    while (big.length < 50 * 1024 * 1024) big += log;
    const result = await runCli(["compress", "-", "--json"], { home, input: big });
    expect(result.exitCode).toBe(0);
    const parsed = JSON.parse(result.stdout) as CompressJson;
    expect(parsed.text!.length).toBeLessThanOrEqual(big.length);
    if (parsed.hashes[0]) {
      const back = await runCli(["retrieve", parsed.hashes[0]], { home });
      expect(back.stdout.length).toBe(big.length);
      expect(back.stdout === big).toBe(true);
    }
  }, 120_000);
});

describe("headroom retrieve and purge", () => {
  it("says not found for an unknown hash and rejects a malformed one", async () => {
    const home = tempHome();
    const unknown = await runCli(["retrieve", "0123456789abcdef"], { home });
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toMatch(/No original stored for 0123456789abcdef/);
    const bad = await runCli(["retrieve", "xyz"], { home });
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/HR_BAD_HASH/);
  });

  it("purges everything with --all, after which the hash is gone", async () => {
    const home = tempHome();
    const compressed = JSON.parse((await runCli(["compress", "--json"], { home, input: log })).stdout) as CompressJson;
    const purge = await runCli(["purge", "--all", "--json"], { home });
    expect(JSON.parse(purge.stdout)).toMatchObject({ version: 1, removed: 1 });
    const after = await runCli(["retrieve", compressed.hashes[0]!], { home });
    expect(after.exitCode).toBe(1);
  });

  it("asks what to purge when given nothing", async () => {
    const result = await runCli(["purge"], { home: tempHome() });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/--all, or --older-than/);
  });
});

describe("headroom --version and --help", () => {
  it("prints the bare version", async () => {
    const result = await runCli(["--version"], { home: tempHome() });
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("documents every command with examples", async () => {
    for (const command of ["compress", "retrieve", "purge"]) {
      const result = await runCli([command, "--help"], { home: tempHome() });
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toMatch(/Examples?:/);
    }
  });
});
