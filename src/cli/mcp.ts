// `headroom mcp serve`: the MCP server on stdio, on the same store and ledger as the proxy.
import { openStore } from "./store.js";

export async function mcpServeCommand(): Promise<number> {
  const [{ serveStdio }, { Ledger }] = await Promise.all([import("../mcp/server.js"), import("../ledger/ledger.js")]);
  const store = await openStore();
  const ledger = Ledger.open({ path: store.path });
  try {
    await serveStdio(store, {
      onRetrieve: (retrieval) => ledger.recordRetrieval(retrieval),
      savings: () => ledger.summary().totals,
    });
    return 0;
  } finally {
    ledger.close();
    store.close();
  }
}
