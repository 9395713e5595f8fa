// Opens the store the way every command does: settings resolved once, directory created 0700.
import type { Store } from "../ccr/store.js";
import { resolveSettings, type SettingFlags } from "./settings.js";

export async function openStore(flags: SettingFlags = {}, options: { backgroundCheckpoint?: boolean } = {}): Promise<Store> {
  const settings = await resolveSettings(flags);
  const [{ ensureDir }, { Store }] = await Promise.all([import("../config/home.js"), import("../ccr/store.js")]);
  ensureDir(settings.dataDir);
  return Store.open({ path: settings.dbPath, retentionMs: settings.retentionMs, maxBytes: settings.storeMaxBytes, ...options });
}
