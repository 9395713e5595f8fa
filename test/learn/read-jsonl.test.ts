import { describe, expect, it } from "vitest";
import { createReadStats, parseJsonl, splitLines, type Line } from "../../src/learn/read-jsonl.js";

async function* chunksOf(...parts: Buffer[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield p;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const text = ["{\"a\":\"café\"}", "{\"b\":\"€ and 😀\"}", "{\"c\":\"ünïcödé\"}"].join("\n") + "\n";

describe("splitLines", () => {
  it("gives the same lines wherever the chunks split, even inside a multi-byte character", async () => {
    const bytes = Buffer.from(text, "utf8");
    const expected = text.split("\n").slice(0, -1);
    for (let cut = 1; cut < bytes.length; cut++) {
      const lines = await collect(splitLines(chunksOf(bytes.subarray(0, cut), bytes.subarray(cut))));
      expect(lines, `split at byte ${cut}`).toEqual(expected);
    }
    const oneByte = [...bytes].map((b) => Buffer.from([b]));
    expect(await collect(splitLines(chunksOf(...oneByte)))).toEqual(expected);
  });

  it("strips CR of CRLF line ends and keeps a last line without a newline", async () => {
    const lines = await collect(splitLines(chunksOf(Buffer.from("one\r\ntwo\r"), Buffer.from("\nthree"))));
    expect(lines).toEqual(["one", "two", "three"]);
  });

  it("drops a line over the cap without keeping it, and goes on with the next lines", async () => {
    const big = Buffer.alloc(1000, "x");
    const parts = [Buffer.from("short\n"), ...Array.from({ length: 10 }, (_, i) => big.subarray(i * 100, (i + 1) * 100)), Buffer.from("\nafter\n")];
    const lines: Line[] = await collect(splitLines(chunksOf(...parts), { maxLineBytes: 200 }));
    expect(lines).toEqual(["short", { oversize: 1000 }, "after"]);
  });

  it("reports every chunk's size", async () => {
    const seen: number[] = [];
    await collect(splitLines(chunksOf(Buffer.from("ab\n"), Buffer.from("cde\n")), { onBytes: (n) => seen.push(n) }));
    expect(seen).toEqual([3, 4]);
  });
});

describe("parseJsonl", () => {
  it("skips and counts malformed lines, non-objects and a truncated last line; ignores blank lines", async () => {
    const stats = createReadStats();
    const input = '{"n":1}\n\n{not json\n[1,2]\n   \n{"n":2}\n{"n":3,"cut":"in the mid';
    const values = await collect(parseJsonl(chunksOf(Buffer.from(input)), { stats }));
    expect(values).toEqual([{ n: 1 }, { n: 2 }]);
    expect(stats.linesSkipped).toBe(3);
    expect(stats.bytes).toBe(Buffer.byteLength(input));
  });

  it("counts an oversize line as skipped", async () => {
    const stats = createReadStats();
    const input = `{"a":1}\n{"big":"${"y".repeat(500)}"}\n{"b":2}\n`;
    const values = await collect(parseJsonl(chunksOf(Buffer.from(input)), { stats, maxLineBytes: 100 }));
    expect(values).toEqual([{ a: 1 }, { b: 2 }]);
    expect(stats.linesSkipped).toBe(1);
  });
});
