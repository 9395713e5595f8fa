import { mkdirSync, chmodSync, statSync, existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DB_FILE_NAME, ensureDir, resolveHome } from "../../src/config/home.js";
import { modeOf, useTempDirs } from "./helpers.js";

const tempDir = useTempDirs();

describe("resolveHome", () => {
  it("puts everything in HEADROOM_HOME when set", () => {
    const home = resolveHome({ HEADROOM_HOME: "/srv/hr", XDG_DATA_HOME: "/x/data", HOME: "/home/u" });
    expect(home).toEqual({ dataDir: "/srv/hr", configDir: "/srv/hr", dbPath: join("/srv/hr", DB_FILE_NAME) });
  });

  it("uses the XDG directories when set", () => {
    const home = resolveHome({ XDG_DATA_HOME: "/x/data", XDG_CONFIG_HOME: "/x/config", HOME: "/home/u" });
    expect(home.dataDir).toBe("/x/data/headroom");
    expect(home.configDir).toBe("/x/config/headroom");
    expect(home.dbPath).toBe(`/x/data/headroom/${DB_FILE_NAME}`);
  });

  it("falls back to ~/.local/share and ~/.config, ignoring empty or relative XDG values", () => {
    const home = resolveHome({ HOME: "/home/u", XDG_DATA_HOME: "", XDG_CONFIG_HOME: "relative/dir" });
    expect(home.dataDir).toBe("/home/u/.local/share/headroom");
    expect(home.configDir).toBe("/home/u/.config/headroom");
  });

  it("uses the OS home directory when HOME is unset", () => {
    expect(resolveHome({}).dataDir).toBe(join(homedir(), ".local", "share", "headroom"));
  });

  it("does not touch the disk", () => {
    const dir = join(tempDir(), "not-created");
    resolveHome({ HEADROOM_HOME: dir });
    expect(existsSync(dir)).toBe(false);
  });
});

describe("ensureDir", () => {
  it("creates missing directories with mode 0700", () => {
    const dir = join(tempDir(), "a", "b", "headroom");
    ensureDir(dir);
    expect(modeOf(statSync(dir))).toBe(0o700);
    expect(modeOf(statSync(join(dir, "..")))).toBe(0o700);
  });

  it("tightens an existing directory that others could read, and is idempotent", () => {
    const dir = join(tempDir(), "loose");
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    ensureDir(dir);
    ensureDir(dir);
    expect(modeOf(statSync(dir))).toBe(0o700);
  });
});
