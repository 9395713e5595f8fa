// `headroom retrieve HASH [--query TEXT]`: the original behind a marker.
import { HeadroomError } from "../errors.js";
import { openStore } from "./store.js";
import { printJson } from "./output.js";

export interface RetrieveCommandOptions {
  readonly hash: string;
  readonly query?: string;
  readonly json?: boolean;
}

export async function retrieveCommand(options: RetrieveCommandOptions): Promise<number> {
  const [{ retrieve }, { Ledger }] = await Promise.all([import("../ccr/retrieve.js"), import("../ledger/ledger.js")]);
  const store = await openStore();
  try {
    const found = retrieve(store, options.hash.trim(), options.query ? { query: options.query } : {});
    const ledger = Ledger.open({ path: store.path });
    ledger.recordRetrieval({ time: Date.now(), hash: options.hash.trim(), via: "cli", found: found !== undefined });
    ledger.close();
    if (!found) {
      throw new HeadroomError(
        "HR_NOT_FOUND",
        `No original stored for ${options.hash}: it was never stored in ${store.path}, or its retention period ended.`,
      );
    }
    if (options.json) printJson({ hash: options.hash, ...found });
    else process.stdout.write(found.text);
    return 0;
  } finally {
    store.close();
  }
}
