// The ledger: one row per proxied request in the shared SQLite database (schema: migration 2 in
// src/ccr/migrations.ts), written by proxies and read by `headroom stats`, the wrap exit report,
// the proxy's GET /stats and the MCP server. Several processes write at once: WAL mode and the busy
// timeout of openDatabase() serialise them, and each record() is one short transaction.

import type { Database, Statement } from "better-sqlite3";
import { openDatabase } from "../ccr/db.js";
import type { LedgerEntry, RetrievalRecord } from "./types.js";

export type { LedgerEntry } from "./types.js";

/** Which requests a summary covers; every field is optional and they combine with AND. */
export interface LedgerFilter {
  /** Requests that arrived at or after this time (ms since the epoch). */
  readonly sinceMs?: number;
  /** Requests that arrived before this time (ms since the epoch). */
  readonly untilMs?: number;
  readonly agent?: string;
  readonly session?: string;
}

/** Provider-reported usage summed over requests (a request that reported nothing adds 0). */
export interface UsageSums {
  readonly input: number;
  readonly cacheCreation: number;
  readonly cacheRead: number;
  readonly output: number;
  /** Requests for which the provider reported at least one usage field. */
  readonly reported: number;
}

/**
 * Token counts of tool outputs over a set of requests. `tokensBefore` is what the agent sent,
 * `tokensAfter` what was forwarded (or, in measure mode, what would have been). Their difference is
 * split by mode: `saved` was really removed (compress mode), `measured` would have been removed but
 * the originals were forwarded (measure mode). So tokensBefore - tokensAfter = saved + measured.
 */
export interface TokenTotals {
  readonly requests: number;
  readonly tokensBefore: number;
  readonly tokensAfter: number;
  readonly saved: number;
  readonly measured: number;
  /** saved / tokensBefore, in percent (0 when tokensBefore is 0). */
  readonly percent: number;
}

/** One line of a breakdown by agent, model or day. */
export interface BreakdownRow extends TokenTotals {
  /** The agent, the model ("unknown" when the request named none) or the UTC day (YYYY-MM-DD). */
  readonly key: string;
  readonly usage: UsageSums;
  /** True when some of these counts come from a tokenizer that is not the provider's. */
  readonly estimate: boolean;
}

/** One session: its key, the agent that sent it, and when it was first and last seen. */
export interface SessionRow extends BreakdownRow {
  readonly agent: string;
  readonly firstMs: number;
  readonly lastMs: number;
}

/** One content kind (json, log, search, ...): tool outputs of that kind across the requests. */
export interface KindRow extends TokenTotals {
  readonly key: string;
  /** Tool outputs of this kind (counted once per request they appeared in). */
  readonly units: number;
  readonly estimate: boolean;
}

/** Milliseconds headroom added before requests left for the upstream. */
export interface AddedTime {
  readonly p50: number;
  readonly p95: number;
  readonly avg: number;
  readonly max: number;
}

export interface LedgerTotals extends TokenTotals {
  readonly usage: UsageSums;
  readonly unitsCompressed: number;
  readonly addedMs: AddedTime;
  /** True when any counted request's token counts are estimates: label them so wherever shown. */
  readonly estimate: boolean;
  readonly sessions: number;
  /** Time of the first and last request counted (absent when there is none). */
  readonly firstMs?: number;
  readonly lastMs?: number;
}

/** What `headroom stats`, the wrap exit report and GET /stats show. Plain data, JSON-serialisable. */
export interface LedgerSummary {
  /** Schema version of this object (for `--json` consumers). */
  readonly version: 1;
  readonly filter: LedgerFilter;
  readonly totals: LedgerTotals;
  /** Most recent session first. */
  readonly bySession: readonly SessionRow[];
  /** Most tokens saved first (then most requests, then key). */
  readonly byAgent: readonly BreakdownRow[];
  readonly byModel: readonly BreakdownRow[];
  readonly byKind: readonly KindRow[];
  /** Oldest day first; only days with requests. */
  readonly byDay: readonly BreakdownRow[];
}

/** Options of {@link Ledger.open}. */
export interface LedgerOptions {
  /** Database file; defaults to the one in the headroom home (`resolveHome().dbPath`). */
  readonly path?: string;
}

/** Model key used in breakdowns for requests whose body named no model. */
export const UNKNOWN_MODEL = "unknown";

type Params = Record<string, string | number>;

interface AggregateRow {
  key: string;
  requests: number;
  before: number;
  after: number;
  saved: number;
  measured: number;
  u_input: number;
  u_cache_creation: number;
  u_cache_read: number;
  u_output: number;
  u_reported: number;
  estimate: number;
  first_ms: number | null;
  last_ms: number | null;
  agent: string | null;
}

interface KindAggregateRow {
  key: string;
  requests: number;
  units: number;
  before: number;
  after: number;
  saved: number;
  measured: number;
  estimate: number;
}

interface TotalsRow extends AggregateRow {
  units_compressed: number;
  sessions: number;
  added_avg: number | null;
  added_max: number | null;
}

const AGGREGATES = `
  COUNT(*) AS requests,
  COALESCE(SUM(r.tokens_before), 0) AS before,
  COALESCE(SUM(r.tokens_after), 0) AS after,
  COALESCE(SUM(CASE WHEN r.mode = 'compress' THEN r.tokens_before - r.tokens_after ELSE 0 END), 0) AS saved,
  COALESCE(SUM(CASE WHEN r.mode = 'measure' THEN r.tokens_before - r.tokens_after ELSE 0 END), 0) AS measured,
  COALESCE(SUM(r.usage_input), 0) AS u_input,
  COALESCE(SUM(r.usage_cache_creation), 0) AS u_cache_creation,
  COALESCE(SUM(r.usage_cache_read), 0) AS u_cache_read,
  COALESCE(SUM(r.usage_output), 0) AS u_output,
  COALESCE(SUM(r.usage_input IS NOT NULL OR r.usage_cache_creation IS NOT NULL
               OR r.usage_cache_read IS NOT NULL OR r.usage_output IS NOT NULL), 0) AS u_reported,
  COALESCE(MAX(r.estimate), 0) AS estimate,
  MIN(r.time) AS first_ms,
  MAX(r.time) AS last_ms`;

// Days since the epoch (UTC): integer arithmetic is several times faster than strftime() here.
const DAY_MS = 86_400_000;
const DAY = `r.time / ${DAY_MS}`;

function utcDate(day: number | string): string {
  return new Date(Number(day) * DAY_MS).toISOString().slice(0, 10);
}

type Query<Row> = Statement<[Params], Row>;

interface Queries {
  readonly totals: Query<TotalsRow>;
  readonly addedAt: Query<{ added_ms: number }>;
  readonly bySession: Query<AggregateRow>;
  readonly byAgent: Query<AggregateRow>;
  readonly byModel: Query<AggregateRow>;
  readonly byDay: Query<AggregateRow>;
  readonly byKind: Query<KindAggregateRow>;
}

interface Writers {
  readonly insertRequest: Statement<unknown[]>;
  readonly insertKind: Statement<[number | bigint, string, number, number, number]>;
  readonly insertCompression: Statement<unknown[]>;
  readonly insertRetrieval: Statement<[number, string, string, string | null, number]>;
}

/** One row of `headroom show`: a tool output compressed for the first time. */
export interface CompressionRow {
  readonly hash: string;
  readonly time: number;
  readonly agent: string;
  readonly sessionKey: string;
  readonly tool: string | null;
  readonly kind: string;
  readonly tokensBefore: number;
  readonly tokensAfter: number;
  readonly markers: number;
}

// A non-negative integer, or 0 for anything that is not a finite number (the ledger never refuses a
// record for a bad count: the proxy calls it on the request path).
function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

function optionalCount(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? Math.round(value) : null;
}

function percentOf(saved: number, before: number): number {
  return before > 0 ? (saved / before) * 100 : 0;
}

function tokenTotals(row: { requests: number; before: number; after: number; saved: number; measured: number }): TokenTotals {
  return {
    requests: row.requests,
    tokensBefore: row.before,
    tokensAfter: row.after,
    saved: row.saved,
    measured: row.measured,
    percent: percentOf(row.saved, row.before),
  };
}

function breakdownRow(row: AggregateRow): BreakdownRow {
  return {
    key: row.key,
    ...tokenTotals(row),
    usage: {
      input: row.u_input,
      cacheCreation: row.u_cache_creation,
      cacheRead: row.u_cache_read,
      output: row.u_output,
      reported: row.u_reported,
    },
    estimate: row.estimate === 1,
  };
}

/**
 * Savings records. `record()` appends one proxied request; `summary()` aggregates any slice of
 * them. Open one per process (it holds a SQLite connection) and close it on exit.
 */
export class Ledger {
  readonly #db: Database;
  readonly #ownsDb: boolean;
  readonly #writers: Writers;
  readonly #record: (entry: LedgerEntry) => void;
  readonly #queries = new Map<string, Queries>();
  #closed = false;

  private constructor(db: Database, ownsDb: boolean) {
    this.#db = db;
    this.#ownsDb = ownsDb;
    this.#writers = {
      insertRequest: db.prepare(
        `INSERT INTO requests (time, session_key, agent, model, path, mode, status, units_compressed,
           tokens_before, tokens_after, estimate, usage_input, usage_cache_creation, usage_cache_read,
           usage_output, added_ms, upstream_status)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertKind: db.prepare(
        `INSERT INTO request_kinds (request_id, kind, units, tokens_before, tokens_after) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(request_id, kind) DO UPDATE SET units = units + excluded.units,
           tokens_before = tokens_before + excluded.tokens_before, tokens_after = tokens_after + excluded.tokens_after`,
      ),
      // First compression wins: later turns re-send the same output as a memo hit.
      insertCompression: db.prepare(
        `INSERT OR IGNORE INTO compressions (hash, time, agent, session_key, tool, kind, tokens_before, tokens_after, markers)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertRetrieval: db.prepare(`INSERT INTO retrievals (time, hash, via, session, found) VALUES (?, ?, ?, ?, ?)`),
    };
    const insert = db.transaction((entry: LedgerEntry) => this.#insert(entry));
    this.#record = (entry) => insert.immediate(entry);
  }

  /** Opens the ledger in the database at `path` (default: the headroom home), migrating it if needed. */
  static open(options: LedgerOptions = {}): Ledger {
    const db = openDatabase(options.path === undefined ? {} : { path: options.path });
    try {
      return new Ledger(db, true);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /**
   * A ledger on a connection the caller already opened with openDatabase() (so a proxy can share
   * one connection with the store). close() then leaves the connection open.
   */
  static attach(db: Database): Ledger {
    return new Ledger(db, false);
  }

  /** Appends one request and its per-kind counts in one transaction. Cheap: prepared statements only. */
  record(entry: LedgerEntry): void {
    if (this.#closed) throw new Error("ledger is closed");
    this.#record(entry);
  }

  /** Notes one retrieval served (MCP tool or CLI), for the wrap report's "retrievals served". */
  recordRetrieval(retrieval: RetrievalRecord): void {
    if (this.#closed) throw new Error("ledger is closed");
    this.#writers.insertRetrieval.run(
      Math.round(retrieval.time),
      retrieval.hash,
      retrieval.via,
      retrieval.session ?? null,
      retrieval.found ? 1 : 0,
    );
  }

  /** Retrievals served (found) at or after `sinceMs`, optionally only those of one wrap session. */
  retrievalsSince(sinceMs: number, session?: string): number {
    const row = this.#db
      .prepare(`SELECT COUNT(*) AS n FROM retrievals WHERE time >= ? AND found = 1 AND (? IS NULL OR session = ?)`)
      .get(sinceMs, session ?? null, session ?? null) as { n: number };
    return row.n;
  }

  /** The latest first compressions, newest first, optionally of one agent. */
  recentCompressions(limit: number, filter: { agent?: string; sinceMs?: number } = {}): CompressionRow[] {
    const rows = this.#db
      .prepare(
        `SELECT hash, time, agent, session_key AS sessionKey, tool, kind, tokens_before AS tokensBefore,
                tokens_after AS tokensAfter, markers
           FROM compressions
          WHERE (@agent IS NULL OR agent = @agent) AND time >= @since
          ORDER BY time DESC, hash LIMIT @limit`,
      )
      .all({ agent: filter.agent ?? null, since: filter.sinceMs ?? 0, limit: Math.max(0, Math.floor(limit)) });
    return rows as CompressionRow[];
  }

  #insert(entry: LedgerEntry): void {
    const usage = entry.usage;
    const upstream = entry.upstreamStatus;
    const result = this.#writers.insertRequest.run(
      Math.round(Number.isFinite(entry.time) ? entry.time : Date.now()),
      String(entry.sessionKey),
      String(entry.agent),
      entry.model === null || entry.model === undefined ? null : String(entry.model),
      String(entry.path),
      String(entry.mode),
      String(entry.status),
      count(entry.unitsCompressed),
      count(entry.tokensBefore),
      count(entry.tokensAfter),
      entry.estimate ? 1 : 0,
      optionalCount(usage?.input),
      optionalCount(usage?.cacheCreation),
      optionalCount(usage?.cacheRead),
      optionalCount(usage?.output),
      typeof entry.addedMs === "number" && Number.isFinite(entry.addedMs) && entry.addedMs > 0 ? entry.addedMs : 0,
      typeof upstream === "number" && Number.isInteger(upstream) ? upstream : null,
    );
    for (const [kind, tokens] of Object.entries(entry.byKind ?? {})) {
      this.#writers.insertKind.run(
        result.lastInsertRowid,
        kind,
        count(tokens.units),
        count(tokens.before),
        count(tokens.after),
      );
    }
    for (const unit of entry.compressions ?? []) {
      this.#writers.insertCompression.run(
        unit.hash,
        Math.round(Number.isFinite(entry.time) ? entry.time : Date.now()),
        String(entry.agent),
        String(entry.sessionKey),
        unit.tool,
        unit.kind,
        count(unit.tokensBefore),
        count(unit.tokensAfter),
        count(unit.markers),
      );
    }
  }

  /** Totals and breakdowns (by session, agent, model, content kind and UTC day) of the requests `filter` selects. */
  summary(filter: LedgerFilter = {}): LedgerSummary {
    const { queries, params } = this.#queriesFor(filter);
    return this.#db.transaction(() => {
      const totalsRow = queries.totals.get(params);
      if (!totalsRow) throw new Error("ledger totals query returned no row");
      const totals = this.#totals(totalsRow, queries, params);
      const bySession = queries.bySession.all(params).map(
        (row): SessionRow => ({
          ...breakdownRow(row),
          agent: row.agent ?? "unknown",
          firstMs: row.first_ms ?? 0,
          lastMs: row.last_ms ?? 0,
        }),
      );
      const byKind = queries.byKind.all(params).map(
        (row): KindRow => ({ key: row.key, units: row.units, ...tokenTotals(row), estimate: row.estimate === 1 }),
      );
      return {
        version: 1 as const,
        filter: { ...filter },
        totals,
        bySession,
        byAgent: queries.byAgent.all(params).map(breakdownRow),
        byModel: queries.byModel.all(params).map(breakdownRow),
        byKind,
        byDay: queries.byDay.all(params).map((row) => breakdownRow({ ...row, key: utcDate(row.key) })),
      };
    })();
  }

  #totals(row: TotalsRow, queries: Queries, params: Params): LedgerTotals {
    const base = breakdownRow(row);
    const at = (fraction: number): number => {
      if (row.requests === 0) return 0;
      const offset = Math.floor((row.requests - 1) * fraction);
      return queries.addedAt.get({ ...params, offset })?.added_ms ?? 0;
    };
    return {
      requests: base.requests,
      tokensBefore: base.tokensBefore,
      tokensAfter: base.tokensAfter,
      saved: base.saved,
      measured: base.measured,
      percent: base.percent,
      usage: base.usage,
      unitsCompressed: row.units_compressed,
      addedMs: { p50: at(0.5), p95: at(0.95), avg: row.added_avg ?? 0, max: row.added_max ?? 0 },
      estimate: base.estimate,
      sessions: row.sessions,
      ...(row.first_ms === null ? {} : { firstMs: row.first_ms }),
      ...(row.last_ms === null ? {} : { lastMs: row.last_ms }),
    };
  }

  // Statements are prepared once per filter shape (which fields are set), so each summary reuses them
  // and every WHERE clause can use the indexes on time, agent and session.
  #queriesFor(filter: LedgerFilter): { queries: Queries; params: Params } {
    if (this.#closed) throw new Error("ledger is closed");
    const conditions: string[] = [];
    const params: Params = {};
    if (filter.sinceMs !== undefined) {
      conditions.push("r.time >= @since");
      params.since = filter.sinceMs;
    }
    if (filter.untilMs !== undefined) {
      conditions.push("r.time < @until");
      params.until = filter.untilMs;
    }
    if (filter.agent !== undefined) {
      conditions.push("r.agent = @agent");
      params.agent = filter.agent;
    }
    if (filter.session !== undefined) {
      conditions.push("r.session_key = @session");
      params.session = filter.session;
    }
    const shape = Object.keys(params).join(",");
    let queries = this.#queries.get(shape);
    if (!queries) {
      queries = this.#prepareQueries(conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "");
      this.#queries.set(shape, queries);
    }
    return { queries, params };
  }

  #prepareQueries(where: string): Queries {
    const db = this.#db;
    const grouped = (keyExpr: string, order: string, extra = "") =>
      db.prepare<Params, AggregateRow>(
        `SELECT ${keyExpr} AS key, ${AGGREGATES}${extra} FROM requests r ${where}
         GROUP BY 1 ORDER BY ${order}`,
      );
    const bySaved = "saved DESC, requests DESC, key";
    return {
      totals: db.prepare<Params, TotalsRow>(
        `SELECT '' AS key, ${AGGREGATES},
           COALESCE(SUM(r.units_compressed), 0) AS units_compressed,
           COUNT(DISTINCT r.session_key) AS sessions,
           AVG(r.added_ms) AS added_avg, MAX(r.added_ms) AS added_max,
           NULL AS agent
         FROM requests r ${where}`,
      ),
      addedAt: db.prepare<Params, { added_ms: number }>(
        `SELECT r.added_ms FROM requests r ${where} ORDER BY r.added_ms LIMIT 1 OFFSET @offset`,
      ),
      bySession: grouped("r.session_key", "last_ms DESC, key", ", MIN(r.agent) AS agent"),
      byAgent: grouped("r.agent", bySaved, ", NULL AS agent"),
      byModel: grouped(`COALESCE(r.model, '${UNKNOWN_MODEL}')`, bySaved, ", NULL AS agent"),
      byDay: grouped(DAY, "key", ", NULL AS agent"),
      byKind: db.prepare<Params, KindAggregateRow>(
        `SELECT k.kind AS key,
           COUNT(*) AS requests,
           COALESCE(SUM(k.units), 0) AS units,
           COALESCE(SUM(k.tokens_before), 0) AS before,
           COALESCE(SUM(k.tokens_after), 0) AS after,
           COALESCE(SUM(CASE WHEN r.mode = 'compress' THEN k.tokens_before - k.tokens_after ELSE 0 END), 0) AS saved,
           COALESCE(SUM(CASE WHEN r.mode = 'measure' THEN k.tokens_before - k.tokens_after ELSE 0 END), 0) AS measured,
           COALESCE(MAX(r.estimate), 0) AS estimate
         FROM request_kinds k JOIN requests r ON r.id = k.request_id ${where}
         GROUP BY k.kind ORDER BY saved DESC, requests DESC, key`,
      ),
    };
  }

  /** Closes the connection (unless it was attached). Further calls throw. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queries.clear();
    if (this.#ownsDb) this.#db.close();
  }
}
