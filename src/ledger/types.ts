// What the proxy records per request (the ledger), shared by the proxy (writer) and stats (reader).

export type ProxyMode = "compress" | "measure" | "off";

/** Tokens of tool outputs before and after compression, for one content kind. */
export interface KindTokens {
  readonly units: number;
  readonly before: number;
  readonly after: number;
}

/** Usage as the provider reported it (absent fields were not reported). */
export interface ProviderUsage {
  readonly input?: number;
  readonly cacheCreation?: number;
  readonly cacheRead?: number;
  readonly output?: number;
}

/** A tool output compressed for the first time in this request (memo hits are not repeated). */
export interface CompressionRecord {
  readonly hash: string;
  readonly tool: string | null;
  readonly kind: string;
  readonly tokensBefore: number;
  readonly tokensAfter: number;
  /** Markers in the forwarded text (0 for a lossless rewrite). */
  readonly markers: number;
}

/** One retrieval served, by the MCP tool or the CLI. */
export interface RetrievalRecord {
  readonly time: number;
  readonly hash: string;
  readonly via: "mcp" | "cli";
  /** The `headroom wrap` run that registered the MCP server, when there is one. */
  readonly session?: string;
  readonly found: boolean;
}

export interface LedgerEntry {
  /** Milliseconds since the epoch when the request arrived. */
  readonly time: number;
  /** x-claude-code-session-id, Codex session-id, prompt_cache_key, else a hash of the first messages. */
  readonly sessionKey: string;
  /** claude-code | codex | copilot | aider | cursor | unknown (from user-agent). */
  readonly agent: string;
  readonly model: string | null;
  /** Request path without the query string, e.g. /v1/messages. */
  readonly path: string;
  readonly mode: ProxyMode;
  /** The x-headroom-status value sent back (see src/proxy/status.ts). */
  readonly status: string;
  /** Tool outputs compressed in this request (new ones and memo hits that differ from the original). */
  readonly unitsCompressed: number;
  /** Tokens of all tool outputs as the agent sent them, and as forwarded (or as they would be, in measure mode). */
  readonly tokensBefore: number;
  readonly tokensAfter: number;
  readonly byKind: Readonly<Record<string, KindTokens>>;
  /** True when the tokenizer is not the provider's (Claude): counts are estimates. */
  readonly estimate: boolean;
  readonly usage: ProviderUsage | null;
  /** Milliseconds headroom added before the request left for the upstream. */
  readonly addedMs: number;
  readonly upstreamStatus: number | null;
  /** Tool outputs compressed for the first time in this request, for `headroom show`. */
  readonly compressions?: readonly CompressionRecord[];
}
