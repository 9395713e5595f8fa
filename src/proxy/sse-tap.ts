// Reads usage from a copy of a response while the original bytes go to the client untouched.
// The SSE parser takes bytes split anywhere (mid-line, mid-UTF-8 character, between \r and \n) and
// follows the WHATWG event-stream rules: lines end in \r\n, \n or \r; "event:" names, "data:" lines
// join with \n; a blank line dispatches; ":" starts a comment.
import { createBrotliDecompress, createGunzip, createInflate, type Gunzip } from "node:zlib";
import type { SseEvent, UsageReader } from "./wire-format.js";

/** Longest line kept while parsing a copy; past it the tap gives up (the client is unaffected). */
const MAX_LINE = 16 * 1024 * 1024;
/** Largest non-streamed JSON body parsed for usage. */
const MAX_JSON = 32 * 1024 * 1024;

/**
 * An incremental event-stream parser over bytes.
 * @example
 * const parser = new SseParser((event) => console.log(event.event, event.data));
 * parser.push(Buffer.from("event: ping\nda"));
 * parser.push(Buffer.from("ta: {}\n\n")); // logs: ping {}
 */
export class SseParser {
  readonly #onEvent: (event: SseEvent) => void;
  readonly #decoder = new TextDecoder("utf-8");
  #line = "";
  #afterCR = false;
  #event = "";
  #data: string[] = [];
  #failed = false;

  constructor(onEvent: (event: SseEvent) => void) {
    this.#onEvent = onEvent;
  }

  push(chunk: Uint8Array): void {
    if (this.#failed) return;
    this.#feed(this.#decoder.decode(chunk, { stream: true }));
  }

  /** End of stream: a last event without its blank line is still dispatched (lenient, for usage). */
  end(): void {
    if (this.#failed) return;
    this.#feed(this.#decoder.decode());
    if (this.#line !== "") this.#handleLine(this.#line);
    this.#line = "";
    this.#handleLine("");
  }

  #feed(text: string): void {
    let start = 0;
    if (this.#afterCR) {
      this.#afterCR = false;
      if (text.startsWith("\n")) start = 1;
    }
    const length = text.length;
    while (start < length) {
      let end = start;
      while (end < length) {
        const code = text.charCodeAt(end);
        if (code === 10 || code === 13) break;
        end++;
      }
      if (end === length) {
        this.#line += text.slice(start);
        if (this.#line.length > MAX_LINE) this.#fail();
        return;
      }
      const line = this.#line + text.slice(start, end);
      this.#line = "";
      if (text.charCodeAt(end) === 13) {
        if (end + 1 === length) this.#afterCR = true;
        else if (text.charCodeAt(end + 1) === 10) end++;
      }
      start = end + 1;
      this.#handleLine(line);
      if (this.#failed) return;
    }
  }

  #handleLine(line: string): void {
    if (line === "") {
      if (this.#data.length > 0) {
        const event = { event: this.#event === "" ? "message" : this.#event, data: this.#data.join("\n") };
        this.#data = [];
        this.#event = "";
        try {
          this.#onEvent(event);
        } catch {
          this.#fail();
        }
      } else {
        this.#event = "";
      }
      return;
    }
    if (line.charCodeAt(0) === 58 /* ":" comment */) return;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === "data") this.#data.push(value);
    else if (field === "event") this.#event = value;
  }

  #fail(): void {
    this.#failed = true;
    this.#line = "";
    this.#data = [];
  }
}

export interface Tap {
  /** A chunk the client was just sent (read, never modified). */
  write(chunk: Uint8Array): void;
  /** The response ended (or failed): resolves once everything written has been parsed. */
  end(): Promise<void>;
}

const NO_TAP: Tap = { write() {}, end: () => Promise.resolve() };

/**
 * A tap for one response, chosen by its content type: SSE events or a JSON body go to `reader`.
 * A response with a Content-Encoding is decompressed on the copy only.
 */
export function createTap(contentType: string | undefined, contentEncoding: string | undefined, reader: UsageReader): Tap {
  const type = (contentType ?? "").toLowerCase();
  let sink: { write(chunk: Uint8Array): void; end(): void };
  if (type.includes("text/event-stream")) {
    const parser = new SseParser((event) => reader.event(event));
    sink = { write: (chunk) => parser.push(chunk), end: () => parser.end() };
  } else if (type.includes("json")) {
    const chunks: Uint8Array[] = [];
    let size = 0;
    sink = {
      write(chunk) {
        size += chunk.length;
        if (size <= MAX_JSON) chunks.push(chunk);
      },
      end() {
        if (size === 0 || size > MAX_JSON) return;
        try {
          reader.json(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        } catch {
          // Not JSON after all: no usage.
        }
      },
    };
  } else {
    return NO_TAP;
  }
  const encoding = (contentEncoding ?? "").trim().toLowerCase();
  if (encoding === "" || encoding === "identity") {
    return { write: (chunk) => sink.write(chunk), end: () => (sink.end(), Promise.resolve()) };
  }
  return decompressingTap(encoding, sink);
}

function decompressingTap(encoding: string, sink: { write(chunk: Uint8Array): void; end(): void }): Tap {
  let stream: Gunzip | ReturnType<typeof createBrotliDecompress> | ReturnType<typeof createInflate>;
  if (encoding === "gzip" || encoding === "x-gzip") stream = createGunzip();
  else if (encoding === "br") stream = createBrotliDecompress();
  else if (encoding === "deflate") stream = createInflate();
  else return NO_TAP;
  let broken = false;
  const done = new Promise<void>((resolve) => {
    stream.on("data", (chunk: Buffer) => sink.write(chunk));
    stream.on("end", () => {
      sink.end();
      resolve();
    });
    stream.on("error", () => {
      broken = true;
      resolve();
    });
  });
  return {
    write(chunk) {
      // The copy is decompressed on its own; the original chunk is never touched.
      if (!broken) stream.write(Buffer.from(chunk));
    },
    end() {
      if (!broken) stream.end();
      return done;
    },
  };
}
