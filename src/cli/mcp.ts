// `headroom mcp serve`: the MCP server on stdio (install/uninstall come with the learn issue).
import { openStore } from "./store.js";

export async function mcpServeCommand(): Promise<number> {
  const { serveStdio } = await import("../mcp/server.js");
  const store = await openStore();
  try {
    await serveStdio(store);
    return 0;
  } finally {
    store.close();
  }
}
