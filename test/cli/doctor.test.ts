import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/ccr/db.js";
import { latestVersion } from "../../src/ccr/migrations.js";
import { doctor, formatDoctor, satisfiesMinimum, type Check, type DoctorReport } from "../../src/cli/doctor.js";

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

// A home with an empty PATH directory (no agent found) unless `binDir` says otherwise.
function setup(): { home: string; env: Record<string, string> } {
  dir = mkdtempSync(join(tmpdir(), "hr-doctor-"));
  const home = join(dir, "hr");
  const bin = join(dir, "bin");
  mkdirSync(bin);
  return { home, env: { HOME: dir, HEADROOM_HOME: home, PATH: bin } };
}

const byId = (report: DoctorReport, id: string): Check => {
  const found = report.checks.find((c) => c.id === id);
  if (found === undefined) throw new Error(`no check ${id} in ${report.checks.map((c) => c.id).join(", ")}`);
  return found;
};

describe("headroom doctor", () => {
  it("a healthy store: schema, size, private modes and retention, exit code 0", async () => {
    const { home, env } = setup();
    openDatabase({ path: join(home, "headroom.db") }).close();
    const report = await doctor({ env: { ...env, HEADROOM_RETENTION: "3d" } });
    const store = byId(report, "store");
    expect(store.status).toBe("ok");
    expect(store.detail).toContain(`schema ${latestVersion()}`);
    expect(store.detail).toContain("modes 0600/0700");
    expect(store.detail).toContain("retention 3d");
    expect(byId(report, "sqlite").status).toBe("ok");
    expect(byId(report, "node").status).toBe("ok");
    expect(byId(report, "settings").detail).toContain(`data ${home}`);
    expect(report.checks.filter((c) => c.status === "fail")).toEqual([]);
    expect(report.exitCode).toBe(0);
  });

  it("a store readable by others is a warning that names the file and the mode", async () => {
    const { home, env } = setup();
    const db = join(home, "headroom.db");
    openDatabase({ path: db }).close();
    chmodSync(db, 0o644);
    const store = byId(await doctor({ env }), "store");
    expect(store.status).toBe("warn");
    expect(store.detail).toContain(`${db} is 0644 (want 0600)`);
  });

  it("a corrupt database file is a failure, exit code 1, and the file is not modified", async () => {
    const { home, env } = setup();
    mkdirSync(home, { mode: 0o700 });
    const db = join(home, "headroom.db");
    const junk = Buffer.from("this is not a database\n".repeat(100));
    writeFileSync(db, junk, { mode: 0o600 });
    const report = await doctor({ env });
    const store = byId(report, "store");
    expect(store.status).toBe("fail");
    expect(store.detail).toContain("not a SQLite database");
    expect(report.exitCode).toBe(1);
    expect(readFileSync(db).equals(junk)).toBe(true);
    expect(readdirSync(home)).toEqual(["headroom.db"]);
  });

  it("a missing agent is reported with its install hint (a warning, not a failure)", async () => {
    const { env } = setup();
    const report = await doctor({ env });
    const claude = byId(report, "agent:claude");
    expect(claude.status).toBe("warn");
    expect(claude.detail).toContain("npm install -g @anthropic-ai/claude-code");
    expect(report.exitCode).toBe(0);
  });

  it("a found agent is reported with what --version printed", async () => {
    const { env } = setup();
    const fake = join(env.PATH as string, "codex");
    writeFileSync(fake, "#!/bin/sh\necho 'codex-cli 9.9.9'\n", { mode: 0o755 });
    const codex = byId(await doctor({ env }), "agent:codex");
    expect(codex).toMatchObject({ status: "ok", detail: `Codex: ${fake} (codex-cli 9.9.9)` });
  });

  it("a configured prose model directory that does not exist fails and says the extractive path is used", async () => {
    const { env } = setup();
    const missing = join(dir as string, "no-such-model");
    const report = await doctor({ env: { ...env, HEADROOM_PROSE_MODEL: missing } });
    const prose = byId(report, "prose-model");
    expect(prose.status).toBe("fail");
    expect(prose.detail).toContain(missing);
    expect(prose.detail).toContain("extractive");
    expect(report.exitCode).toBe(1);
    expect(existsSync(missing)).toBe(false);
  });

  it("without a prose model: the extractive path, ok", async () => {
    const { env } = setup();
    const prose = byId(await doctor({ env }), "prose-model");
    expect(prose.status).toBe("ok");
    expect(prose.detail).toContain("extractive path");
  });

  it("an invalid setting fails the settings check", async () => {
    const { env } = setup();
    const report = await doctor({ env: { ...env, HEADROOM_MODE: "turbo" } });
    expect(byId(report, "settings")).toMatchObject({ status: "fail", detail: expect.stringContaining('Unknown mode "turbo"') });
    expect(report.exitCode).toBe(1);
  });

  it("prints plain text without escapes on a non-TTY stream", async () => {
    const { env } = setup();
    const report = await doctor({ env });
    const text = formatDoctor(report, process.stdout);
    expect(stripVTControlCharacters(text)).toBe(text);
    expect(text).toMatch(/^ok {4}node +Node /m);
    expect(text).toMatch(/\d+ failed, \d+ warnings?, \d+ ok\n$/);
  });

  it("compares versions against a >= range", () => {
    expect(satisfiesMinimum("20.20.2", ">=20.19")).toBe(true);
    expect(satisfiesMinimum("20.18.9", ">=20.19")).toBe(false);
    expect(satisfiesMinimum("22.0.0", ">=20.19")).toBe(true);
    expect(satisfiesMinimum("20.19.0", ">=20.19.0")).toBe(true);
    expect(satisfiesMinimum("20.19.0", "^20")).toBeUndefined();
  });
});
