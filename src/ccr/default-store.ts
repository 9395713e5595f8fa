// One store per process, opened on first use in the headroom home (DESIGN.md "Home").
import { resolveHome, ensureDir } from "../config/home.js";
import { Store } from "./store.js";

let opened: Store | undefined;

export function defaultStore(env: NodeJS.ProcessEnv = process.env): Store {
  if (!opened) {
    const home = resolveHome(env);
    ensureDir(home.dataDir);
    opened = Store.open({ path: home.dbPath });
  }
  return opened;
}

/** Closes the process-wide store (tests, CLI exit). */
export function closeDefaultStore(): void {
  opened?.close();
  opened = undefined;
}
