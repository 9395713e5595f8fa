// `headroom mcp serve`: the MCP server on stdio, on the same store and ledger as the proxy.
import { openStore } from "./store.js";

export interface McpServeOptions {
  /** Set by `headroom wrap`: retrievals are counted for that run's report. */
  readonly session?: string;
}

export async function mcpServeCommand(options: McpServeOptions = {}): Promise<number> {
  const [{ serveStdio }, { Ledger }] = await Promise.all([import("../mcp/server.js"), import("../ledger/ledger.js")]);
  const store = await openStore();
  const ledger = Ledger.open({ path: store.path });
  try {
    await serveStdio(store, {
      onRetrieve: (retrieval) => ledger.recordRetrieval({ ...retrieval, ...(options.session ? { session: options.session } : {}) }),
      savings: () => ledger.summary().totals,
    });
    return 0;
  } finally {
    ledger.close();
    store.close();
  }
}
