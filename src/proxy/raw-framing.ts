// Message framing for the raw relay (RFC 9112 6): where one HTTP/1.1 message's body ends, so the
// next head can be found, without copying or decoding the body. Bytes are fed in whatever pieces
// TCP delivers; every state survives a split at any byte.

/** How a body is delimited: none, a Content-Length, chunked, or the end of the connection. */
export type Framing = { readonly kind: "none" } | { readonly kind: "length"; readonly length: number } | { readonly kind: "chunked" } | { readonly kind: "close" };

export class FramingError extends Error {
  override readonly name = "FramingError";
}

const enum Chunk {
  Size,
  Extension,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  Trailer,
}

// A chunk size line (hex digits, optional extensions) or trailer section bigger than this is refused.
const MAX_LINE = 4096;
const MAX_TRAILERS = 64 * 1024;
const MAX_SIZE_DIGITS = 12;

/**
 * Follows one body through its pieces: `feed` says how many bytes from `from` belong to the body.
 * @example
 * const body = new BodyFramer({ kind: "length", length: 5 });
 * body.feed(Buffer.from("hel"), 0); // 3, body.done === false
 * body.feed(Buffer.from("loGET /"), 0); // 2, body.done === true
 */
export class BodyFramer {
  done: boolean;
  private readonly chunked: boolean;
  private remaining: number;
  private state = Chunk.Size;
  private digits = 0;
  private lineBytes = 0;
  private trailerBytes = 0;
  /** The body runs until the connection closes (a response without length or chunking). */
  readonly untilClose: boolean;

  constructor(framing: Framing) {
    this.chunked = framing.kind === "chunked";
    this.untilClose = framing.kind === "close";
    this.remaining = framing.kind === "length" ? framing.length : 0;
    this.done = framing.kind === "none" || (framing.kind === "length" && framing.length === 0);
  }

  /** Bytes of `buf` from `from` that belong to this body (all of them when it runs until close). */
  feed(buf: Uint8Array, from: number): number {
    if (this.done) return 0;
    const available = buf.length - from;
    if (this.untilClose) return available;
    if (!this.chunked) {
      const taken = Math.min(available, this.remaining);
      this.remaining -= taken;
      if (this.remaining === 0) this.done = true;
      return taken;
    }
    return this.feedChunked(buf, from);
  }

  private feedChunked(buf: Uint8Array, from: number): number {
    let i = from;
    while (i < buf.length && !this.done) {
      const byte = buf[i]!;
      switch (this.state) {
        case Chunk.Size: {
          const digit = hexValue(byte);
          if (digit >= 0) {
            if (++this.digits > MAX_SIZE_DIGITS) throw new FramingError("chunk size too large");
            this.remaining = this.remaining * 16 + digit;
          } else if (this.digits === 0) {
            throw new FramingError("chunk size expected");
          } else if (byte === 0x3b || byte === 0x20 || byte === 0x09) {
            this.state = Chunk.Extension;
            this.lineBytes = 0;
          } else if (byte === 0x0d) {
            this.state = Chunk.SizeLf;
          } else {
            throw new FramingError("bad chunk size line");
          }
          i++;
          break;
        }
        case Chunk.Extension:
          if (byte === 0x0d) this.state = Chunk.SizeLf;
          else if (byte === 0x0a) throw new FramingError("bare LF in chunk extension");
          else if (++this.lineBytes > MAX_LINE) throw new FramingError("chunk extension too long");
          i++;
          break;
        case Chunk.SizeLf:
          if (byte !== 0x0a) throw new FramingError("CR without LF after chunk size");
          i++;
          this.digits = 0;
          if (this.remaining === 0) {
            this.state = Chunk.Trailer;
            this.lineBytes = 0;
          } else {
            this.state = Chunk.Data;
          }
          break;
        case Chunk.Data: {
          const taken = Math.min(buf.length - i, this.remaining);
          this.remaining -= taken;
          i += taken;
          if (this.remaining === 0) this.state = Chunk.DataCr;
          break;
        }
        case Chunk.DataCr:
          if (byte !== 0x0d) throw new FramingError("chunk data not followed by CRLF");
          this.state = Chunk.DataLf;
          i++;
          break;
        case Chunk.DataLf:
          if (byte !== 0x0a) throw new FramingError("chunk data not followed by CRLF");
          this.state = Chunk.Size;
          i++;
          break;
        case Chunk.Trailer:
          // Trailer lines end at LF; an empty line (CRLF alone) ends the message.
          i++;
          if (++this.trailerBytes > MAX_TRAILERS) throw new FramingError("trailers too large");
          if (byte === 0x0a) {
            if (this.lineBytes === 0) this.done = true;
            this.lineBytes = 0;
          } else if (byte !== 0x0d) {
            this.lineBytes++;
          }
          break;
      }
    }
    return i - from;
  }
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

const HEAD_END = Buffer.from("\r\n\r\n");

/**
 * The index just past the blank line ending a head in `buf`, or -1. `searchFrom` lets a caller that
 * appends pieces search only the new bytes (minus 3, for a terminator split across pieces).
 */
export function headEnd(buf: Buffer, searchFrom = 0): number {
  const at = buf.indexOf(HEAD_END, Math.max(0, searchFrom - 3));
  return at < 0 ? -1 : at + 4;
}
