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
  const { retrieve } = await import("../ccr/retrieve.js");
  const store = await openStore();
  try {
    const found = retrieve(store, options.hash.trim(), options.query ? { query: options.query } : {});
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
