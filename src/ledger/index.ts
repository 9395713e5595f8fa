// The ledger's public surface: records of proxied requests, their summary, and its rendering.
export type { CompressionRecord, KindTokens, LedgerEntry, ProviderUsage, ProxyMode, RetrievalRecord } from "./types.js";
export {
  Ledger,
  type CompressionRow,
  UNKNOWN_MODEL,
  type AddedTime,
  type BreakdownRow,
  type KindRow,
  type LedgerFilter,
  type LedgerOptions,
  type LedgerSummary,
  type LedgerTotals,
  type SessionRow,
  type TokenTotals,
  type UsageSums,
} from "./ledger.js";
export { conversationOpening, sessionKey, UNKNOWN_SESSION, type RequestHeaders } from "./session.js";
export { agentFrom, AGENT_NAMES, type AgentName } from "./agent.js";
export { formatSummary, formatTokens, formatPercent, formatMs, formatDollars, bar, type FormatOptions } from "./format.js";
export {
  PRICES,
  PRICES_AS_OF,
  PRICES_SOURCE_NOTE,
  blendedInputPrice,
  canonicalModel,
  estimateDollarsByModel,
  estimateDollarsSaved,
  priceOf,
  type InputMix,
  type ModelPrice,
  type Provider,
} from "./prices.js";
