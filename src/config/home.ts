import { chmodSync, mkdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

/** Where headroom keeps its files. */
export interface HeadroomHome {
  /** Store of originals, ledger: private data. */
  readonly dataDir: string;
  /** Settings file(s). */
  readonly configDir: string;
  /** The one SQLite database (store and ledger), inside `dataDir`. */
  readonly dbPath: string;
}

/** File name of the database inside the data directory. */
export const DB_FILE_NAME = "headroom.db";

type Env = Readonly<Record<string, string | undefined>>;

// XDG says relative values are invalid and must be ignored; an empty value counts as unset.
function xdgDir(value: string | undefined): string | undefined {
  return value && isAbsolute(value) ? value : undefined;
}

/**
 * Resolves headroom's directories (DESIGN.md "Home") without touching the disk.
 * `HEADROOM_HOME` holds everything when set; otherwise data goes to `$XDG_DATA_HOME/headroom`
 * (else `~/.local/share/headroom`) and config to `$XDG_CONFIG_HOME/headroom` (else `~/.config/headroom`).
 */
export function resolveHome(env: Env = process.env): HeadroomHome {
  const raw = env.HEADROOM_HOME?.trim();
  if (raw) {
    const explicit = resolve(raw);
    return { dataDir: explicit, configDir: explicit, dbPath: join(explicit, DB_FILE_NAME) };
  }
  const home = env.HOME?.trim() || homedir();
  const dataDir = join(xdgDir(env.XDG_DATA_HOME) ?? join(home, ".local", "share"), "headroom");
  const configDir = join(xdgDir(env.XDG_CONFIG_HOME) ?? join(home, ".config"), "headroom");
  return { dataDir, configDir, dbPath: join(dataDir, DB_FILE_NAME) };
}

/**
 * Creates `dir` (and missing parents) readable by the user alone (0700). An existing `dir` owned by
 * the user that others can read is tightened to 0700; parents that already exist are left alone.
 */
export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = statSync(dir);
  const ownedByUs = typeof process.getuid !== "function" || st.uid === process.getuid();
  if (ownedByUs && (st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}
