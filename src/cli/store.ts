// Opens the store the way every command does: settings resolved once, directory created 0700.
import type { Store } from "../ccr/store.js";
import { resolveSettings, type SettingFlags, type Settings } from "./settings.js";

export interface OpenStoreOptions {
  /** Checkpoint the write-ahead log in a worker thread (long-running proxies; see src/ccr/checkpointer.ts). */
  readonly backgroundCheckpoint?: boolean;
}

/** Resolves the settings, then opens the store they name. */
export async function openStore(flags: SettingFlags = {}): Promise<Store> {
  return openStoreWith(await resolveSettings(flags));
}

/** Opens the store named by settings a command has already resolved. */
export async function openStoreWith(settings: Settings, options: OpenStoreOptions = {}): Promise<Store> {
  const [{ ensureDir }, { Store }] = await Promise.all([import("../config/home.js"), import("../ccr/store.js")]);
  ensureDir(settings.dataDir);
  return Store.open({ path: settings.dbPath, retentionMs: settings.retentionMs, maxBytes: settings.storeMaxBytes, ...options });
}
