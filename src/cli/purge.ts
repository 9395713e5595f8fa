// `headroom purge [--all | --older-than D]`: delete stored originals (and their memo entries).
import { HeadroomError } from "../errors.js";
import { parseDuration } from "./duration.js";
import { openStore } from "./store.js";
import { printJson } from "./output.js";

export interface PurgeCommandOptions {
  readonly all?: boolean;
  readonly olderThan?: string;
  readonly json?: boolean;
}

export async function purgeCommand(options: PurgeCommandOptions): Promise<number> {
  if (!options.all && !options.olderThan) {
    throw new HeadroomError("HR_BAD_OPTION", "Say what to purge: --all, or --older-than 3d (units s, m, h, d, w).");
  }
  const olderThanMs = options.olderThan ? parseDuration(options.olderThan, "--older-than") : undefined;
  const store = await openStore();
  try {
    const { removed } = store.purge(options.all ? { all: true } : { olderThanMs: olderThanMs ?? 0 });
    if (options.json) printJson({ removed, path: store.path });
    else process.stderr.write(`Removed ${removed} stored original${removed === 1 ? "" : "s"} from ${store.path}\n`);
    return 0;
  } finally {
    store.close();
  }
}
