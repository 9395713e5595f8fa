// MCP server over stdio: headroom_compress, headroom_retrieve, headroom_stats on the shared store.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";
import type { Store } from "../ccr/store.js";
import type { RetrievalRecord } from "../ledger/types.js";
import { HASH_PATTERN } from "../ccr/hash.js";
import { retrieve } from "../ccr/retrieve.js";
import { compressText } from "../library.js";
import { loadGrammars } from "../resources/grammars.js";
import { JSON_SCHEMA_VERSION, VERSION } from "../version.js";

type ToolAnswer = { content: { type: "text"; text: string }[]; isError?: boolean };

const answer = (text: string, isError = false): ToolAnswer => ({ content: [{ type: "text", text }], ...(isError ? { isError } : {}) });

export interface McpServerOptions {
  /** Told about every retrieval served (the ledger counts them for reports). */
  readonly onRetrieve?: (retrieval: RetrievalRecord) => void;
  /** Extra figures for headroom_stats (the ledger's savings summary). */
  readonly savings?: () => unknown;
}

/** Builds the server with its three tools; `connect` it to a transport to serve. */
export function createMcpServer(store: Store, options: McpServerOptions = {}): McpServer {
  const server = new McpServer({ name: "headroom", version: VERSION });

  server.registerTool(
    "headroom_retrieve",
    {
      description:
        "Get back what a headroom marker left out. Pass the hash from a marker like " +
        "`[412 lines omitted ... headroom_retrieve hash=3f9a1c02b7de4410]`. Without a query you get the exact " +
        "original; with a query only the matching lines or items, with context.",
      inputSchema: {
        hash: z.string().describe("the 16 hex digits after hash= in the marker"),
        query: z.string().optional().describe("words or identifiers to narrow the original to"),
      },
    },
    ({ hash, query }) => {
      if (!HASH_PATTERN.test(hash)) return answer(`Not a headroom hash: "${hash}". Expected 16 hex digits, as in hash=3f9a1c02b7de4410.`, true);
      const found = retrieve(store, hash, query ? { query } : {});
      options.onRetrieve?.({ time: Date.now(), hash, via: "mcp", found: found !== undefined });
      if (!found) return answer(`No original stored for hash ${hash}: it was never stored here, or its retention period ended.`, true);
      return answer(found.text);
    },
  );

  server.registerTool(
    "headroom_compress",
    {
      description:
        "Compress a large piece of content (logs, JSON, grep output, listings) while keeping errors and " +
        "query-relevant parts verbatim; everything left out stays retrievable with headroom_retrieve.",
      inputSchema: {
        content: z.string().describe("the text to compress"),
        query: z.string().optional().describe("what you are looking for; matching parts are kept"),
      },
    },
    async ({ content, query }) => {
      await loadGrammars();
      const result = await compressText(content, { store, ...(query ? { query } : {}) });
      const note = result.fallback
        ? `[headroom: kept the original (${result.fallback})]`
        : `[headroom: ${result.kind}, ${result.tokensBefore} -> ${result.tokensAfter} tokens${result.tokenizer.estimate ? " (estimate)" : ""}]`;
      return answer(`${note}\n${result.text}`);
    },
  );

  server.registerTool(
    "headroom_stats",
    {
      description:
        "What headroom saved (tokens before and after compression, by agent, model and content kind) and " +
        "what its local store holds (originals kept for retrieval).",
    },
    () =>
      answer(
        JSON.stringify(
          { version: JSON_SCHEMA_VERSION, store: { path: store.path, ...store.stats() }, savings: options.savings?.() ?? null },
          null,
          2,
        ),
      ),
  );

  return server;
}

/** Serves MCP on stdin/stdout until the client closes the stream. */
export async function serveStdio(store: Store, options: McpServerOptions = {}): Promise<void> {
  const server = createMcpServer(store, options);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once("end", () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close();
}
