// The SSE tap parses a copy of the stream split at any byte: mid-line, mid-UTF-8 character,
// between \r and \n. Driven by fast-check over the canned provider streams.
import fc from "fast-check";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { anthropicMessages } from "../../src/proxy/anthropic-messages.js";
import { openaiChat } from "../../src/proxy/openai-chat.js";
import { openaiResponses } from "../../src/proxy/openai-responses.js";
import { SseParser, createTap } from "../../src/proxy/sse-tap.js";
import type { SseEvent, WireFormat } from "../../src/proxy/wire-format.js";
import { SAMPLES, withLineEndings } from "./sse-samples.js";

const WIRES: Record<string, WireFormat> = { anthropic: anthropicMessages, chat: openaiChat, responses: openaiResponses };

function parseAll(chunks: readonly Uint8Array[]): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = new SseParser((event) => events.push(event));
  for (const chunk of chunks) parser.push(chunk);
  parser.end();
  return events;
}

/** Splits bytes at the given cut points (any byte offsets). */
function split(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let last = 0;
  for (const point of points) {
    out.push(bytes.subarray(last, point));
    last = point;
  }
  out.push(bytes.subarray(last));
  return out;
}

describe("SseParser", () => {
  it("follows the event-stream rules: names, multi-line data, comments, CR/LF/CRLF", () => {
    const text = "event: a\ndata: 1\ndata: 2\n\n: comment\n\ndata:no-space\r\n\r\nevent: b\rdata: x\r\rid: 7\nretry: 10\ndata\n\n";
    expect(parseAll([Buffer.from(text)])).toEqual([
      { event: "a", data: "1\n2" },
      { event: "message", data: "no-space" },
      { event: "b", data: "x" },
      { event: "message", data: "" },
    ]);
  });

  it("dispatches a last event that lacks its blank line at the end of the stream", () => {
    expect(parseAll([Buffer.from('event: response.completed\ndata: {"a":1}')])).toEqual([{ event: "response.completed", data: '{"a":1}' }]);
  });

  for (const sample of SAMPLES) {
    for (const eol of ["\n", "\r\n", "\r"] as const) {
      it(`${sample.name} (${JSON.stringify(eol)}): the same events and usage at any split`, () => {
        const bytes = Buffer.from(eol === "\n" ? sample.stream : withLineEndings(sample.stream, eol), "utf8");
        const whole = parseAll([bytes]);
        expect(whole.length).toBeGreaterThan(2);
        fc.assert(
          fc.property(fc.array(fc.nat(bytes.length), { maxLength: 40 }), (cuts) => {
            const chunks = split(bytes, cuts);
            expect(parseAll(chunks)).toEqual(whole);
            const reader = WIRES[sample.name]!.usageReader();
            const tap = createTap("text/event-stream", undefined, reader);
            for (const chunk of chunks) tap.write(chunk);
            void tap.end();
            expect(reader.usage()).toEqual(sample.usage);
          }),
          { numRuns: 150 },
        );
      });
    }
  }

  it("splits every byte on its own (worst case) and still agrees", () => {
    for (const sample of SAMPLES) {
      const bytes = Buffer.from(withLineEndings(sample.stream, "\r\n"));
      const chunks = [...bytes].map((byte) => Buffer.from([byte]));
      expect(parseAll(chunks)).toEqual(parseAll([bytes]));
    }
  });
});

describe("createTap", () => {
  it("reads usage from a gzip-encoded stream's copy at any split", async () => {
    for (const sample of SAMPLES) {
      const gz = gzipSync(sample.stream);
      await fc.assert(
        fc.asyncProperty(fc.array(fc.nat(gz.length), { maxLength: 20 }), async (cuts) => {
          const reader = WIRES[sample.name]!.usageReader();
          const tap = createTap("text/event-stream", "gzip", reader);
          for (const chunk of split(gz, cuts)) tap.write(chunk);
          await tap.end();
          expect(reader.usage()).toEqual(sample.usage);
        }),
        { numRuns: 20 },
      );
    }
  });

  it("ignores content types it does not read, and survives garbage", async () => {
    const reader = anthropicMessages.usageReader();
    const text = createTap("text/plain", undefined, reader);
    text.write(Buffer.from("hello"));
    await text.end();
    const broken = createTap("application/json", "gzip", reader);
    broken.write(Buffer.from("not gzip"));
    await broken.end();
    const badJson = createTap("application/json", undefined, reader);
    badJson.write(Buffer.from("{nope"));
    await badJson.end();
    expect(reader.usage()).toBeNull();
  });
});
