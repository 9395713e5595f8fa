// Streaming JSONL: split a byte stream into lines without readline's per-line overhead, decode only
// whole lines (so a UTF-8 character split across chunks is never mangled), skip what cannot be
// parsed and count it. Memory stays bounded: a line longer than the cap is dropped as it streams.
import { open } from "node:fs/promises";
import type { ReadStats } from "./types.js";

export function createReadStats(): ReadStats {
  return { files: 0, filesSkipped: 0, linesSkipped: 0, bytes: 0 };
}

/** Lines longer than this are skipped without being held whole. */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

export interface LineOptions {
  maxLineBytes?: number;
  /** Called with the size of each chunk as it arrives. */
  onBytes?: (n: number) => void;
}

/** A line of the stream, or a marker that a line over the cap was dropped. */
export type Line = string | { readonly oversize: number };

const NL = 10;
const CR = 13;

/**
 * Split chunks into lines (LF or CRLF; a last line without LF included). Lines over the cap are
 * reported as `{ oversize }` after their end is reached, and their bytes are not kept.
 */
export async function* splitLines(chunks: AsyncIterable<Uint8Array>, options: LineOptions = {}): AsyncGenerator<Line> {
  const cap = options.maxLineBytes ?? MAX_LINE_BYTES;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let dropping = false; // inside a line that is over the cap
  const finish = (last: Buffer): Line => {
    const total = pendingBytes + last.length;
    if (dropping || total > cap) {
      pending = [];
      pendingBytes = 0;
      dropping = false;
      return { oversize: total };
    }
    let buf = pending.length === 0 ? last : Buffer.concat([...pending, last], total);
    pending = [];
    pendingBytes = 0;
    if (buf.length > 0 && buf[buf.length - 1] === CR) buf = buf.subarray(0, buf.length - 1);
    return buf.toString("utf8");
  };
  for await (const raw of chunks) {
    const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    options.onBytes?.(chunk.length);
    let start = 0;
    for (let nl = chunk.indexOf(NL, start); nl !== -1; nl = chunk.indexOf(NL, start)) {
      yield finish(chunk.subarray(start, nl));
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      if (dropping || pendingBytes + rest.length > cap) {
        // Keep counting, stop keeping.
        dropping = true;
        pendingBytes += rest.length;
        pending = [];
      } else {
        // Copy: the stream may reuse its buffer.
        pending.push(Buffer.from(rest));
        pendingBytes += rest.length;
      }
    }
  }
  if (pendingBytes > 0 || dropping) yield finish(Buffer.alloc(0));
}

export interface JsonlOptions extends LineOptions {
  stats?: ReadStats;
  /** Read chunk size (default 256 KiB). */
  highWaterMark?: number;
  /**
   * A cheap test on the raw line before JSON.parse (e.g. a substring the wanted records carry);
   * lines it rejects are passed over uncounted. It only saves work: callers still check what they get.
   */
  want?: (line: string) => boolean;
}

/**
 * Parse a JSONL byte stream: yields each line that is a JSON object; blank lines are ignored;
 * malformed, truncated and oversize lines are skipped and counted in `stats.linesSkipped`.
 */
export async function* parseJsonl(chunks: AsyncIterable<Uint8Array>, options: JsonlOptions = {}): AsyncGenerator<Record<string, unknown>> {
  const stats = options.stats;
  const onBytes = (n: number): void => {
    if (stats) stats.bytes += n;
    options.onBytes?.(n);
  };
  for await (const line of splitLines(chunks, { ...options, onBytes })) {
    if (typeof line !== "string") {
      if (stats) stats.linesSkipped++;
      continue;
    }
    if (line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim().length === 0)) continue;
    if (options.want && !options.want(line)) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (stats) stats.linesSkipped++;
      continue;
    }
    if (typeof value === "object" && value !== null && !Array.isArray(value)) yield value as Record<string, unknown>;
    else if (stats) stats.linesSkipped++;
  }
}

/** parseJsonl over a file. Errors opening or reading the file propagate (the caller skips the file). */
export function readJsonl(file: string, options: JsonlOptions = {}): AsyncGenerator<Record<string, unknown>> {
  return parseJsonl(fileChunks(file, options.highWaterMark ?? 256 * 1024), options);
}

// One read buffer per file, sized to the file when it is small: fs.createReadStream allocates its
// full highWaterMark on every read, which for thousands of small rollouts was most of the time (GC).
// Reusing the buffer is safe because splitLines decodes or copies a chunk before asking for the next.
async function* fileChunks(file: string, maxChunk: number): AsyncGenerator<Buffer> {
  const fh = await open(file, "r");
  try {
    const size = (await fh.stat()).size;
    const buf = Buffer.allocUnsafe(Math.max(1, Math.min(maxChunk, size + 1)));
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}
