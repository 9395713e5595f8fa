// The raw relay's framing and head readers on their own: every split point, and the heads it must
// refuse to relay as they are.
import { describe, expect, it } from "vitest";
import { BodyFramer, FramingError, headEnd } from "../../src/proxy/raw-framing.js";
import { parseRequestHead, parseResponseHead, upstreamHead } from "../../src/proxy/raw-head.js";

const feedAll = (framer: BodyFramer, pieces: Buffer[]): number => pieces.reduce((sum, piece) => sum + framer.feed(piece, 0), 0);

describe("BodyFramer", () => {
  const body = Buffer.from("4\r\nWiki\r\n13;name=v\r\npedia in\r\n\r\nchunks.\r\n0\r\nExpires: never\r\n\r\n");
  const next = Buffer.from("GET / HTTP/1.1\r\n");

  it("finds the end of a chunked body wherever the bytes are cut, leaving the next request", () => {
    const all = Buffer.concat([body, next]);
    for (let a = 0; a <= all.length; a++) {
      for (const b of [a, Math.min(all.length, a + 1), Math.min(all.length, a + 7)]) {
        const framer = new BodyFramer({ kind: "chunked" });
        const taken = feedAll(framer, [all.subarray(0, a), all.subarray(a, b), all.subarray(b)]);
        expect(taken, `cut at ${a}/${b}`).toBe(body.length);
        expect(framer.done).toBe(true);
      }
    }
  });

  it("counts a Content-Length body and stops at its end", () => {
    const framer = new BodyFramer({ kind: "length", length: 5 });
    expect(framer.feed(Buffer.from("hel"), 0)).toBe(3);
    expect(framer.done).toBe(false);
    expect(framer.feed(Buffer.from("xxloGET"), 2)).toBe(2);
    expect(framer.done).toBe(true);
  });

  it("refuses malformed chunk framing", () => {
    for (const bad of ["x\r\n", "4\r\nWikiXX", "4\nWiki\r\n", "1234567890abc\r\n", "4;ext\n"]) {
      expect(() => new BodyFramer({ kind: "chunked" }).feed(Buffer.from(bad), 0), bad).toThrow(FramingError);
    }
  });

  it("finds a head end split across pieces", () => {
    const head = Buffer.from("GET / HTTP/1.1\r\nHost: a\r\n\r\nrest");
    expect(headEnd(head)).toBe(head.length - 4);
    expect(headEnd(head.subarray(0, 26), 24)).toBe(-1);
    expect(headEnd(head.subarray(0, 27), 25)).toBe(27);
  });
});

describe("request heads", () => {
  const parse = (text: string) => parseRequestHead(Buffer.from(`${text}\r\n\r\n`, "latin1"));

  it("hands over what is ambiguous or not plain HTTP/1.1", () => {
    for (const head of [
      "GET / HTTP/1.0\r\nHost: a",
      "GET http://a/ HTTP/1.1\r\nHost: a",
      "GET / HTTP/1.1",
      "GET / HTTP/1.1\r\nHost: a\r\nHost: b",
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1",
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked",
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked",
      "GET / HTTP/1.1\r\nHost: a\r\nX: a\nY: b",
      "GET / HTTP/1.1\r\nHost: a\r\n folded",
      "GET / HTTP/1.1\r\nHost : a",
      "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket",
    ]) {
      expect(parse(head).handOver, JSON.stringify(head)).toBeDefined();
    }
    expect(parse("POST /v1/x?q=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 12").framing).toEqual({ kind: "length", length: 12 });
  });

  it("rewrites Host and drops proxy credentials and the fields Connection names", () => {
    const request = parse("POST /x HTTP/1.1\r\nhost: localhost:8787\r\nX-Api-Key: k\r\nProxy-Authorization: Basic s\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\nContent-Length: 0");
    expect(upstreamHead(request, "/v1/x", "api.example:443").toString("latin1")).toBe(
      "POST /v1/x HTTP/1.1\r\nHost: api.example:443\r\nX-Api-Key: k\r\nConnection: keep-alive, X-Hop\r\nContent-Length: 0\r\n\r\n",
    );
  });

  it("drops a field Connection names even when it comes before the Connection line", () => {
    const request = parse("GET /x HTTP/1.1\r\nHost: localhost\r\nX-Proxy-Token: secret\r\nConnection: X-Proxy-Token");
    expect(upstreamHead(request, "/v1/x", "api.example").toString("latin1")).toBe("GET /v1/x HTTP/1.1\r\nHost: api.example\r\nConnection: X-Proxy-Token\r\n\r\n");
  });
});

describe("response heads", () => {
  const parse = (text: string, method = "GET") => parseResponseHead(Buffer.from(`${text}\r\n\r\n`, "latin1"), method, "off");

  it("stamps x-headroom-status once, replacing one from further upstream", () => {
    expect(parse("HTTP/1.1 200 OK\r\nContent-Length: 2").bytes.toString()).toBe("HTTP/1.1 200 OK\r\nx-headroom-status: off\r\nContent-Length: 2\r\n\r\n");
    expect(parse("HTTP/1.1 204 No Content").bytes.toString()).toBe("HTTP/1.1 204 No Content\r\nx-headroom-status: off\r\n\r\n");
    expect(parse("HTTP/1.1 200 OK\r\nX-Headroom-Status: compressed\r\nContent-Length: 2").bytes.toString()).toBe(
      "HTTP/1.1 200 OK\r\nx-headroom-status: off\r\nContent-Length: 2\r\n\r\n",
    );
  });

  it("frames bodies as RFC 9112 6.3 says", () => {
    expect(parse("HTTP/1.1 200 OK\r\nContent-Length: 9", "HEAD").framing).toEqual({ kind: "none" });
    expect(parse("HTTP/1.1 304 Not Modified\r\nContent-Length: 9").framing).toEqual({ kind: "none" });
    expect(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked").framing).toEqual({ kind: "chunked" });
    expect(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip")).toMatchObject({ framing: { kind: "close" }, close: true });
    expect(parse("HTTP/1.1 200 OK")).toMatchObject({ framing: { kind: "close" }, close: true });
    expect(parse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close")).toMatchObject({ framing: { kind: "length", length: 3 }, close: true });
    expect(() => parse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4")).toThrow(FramingError);
    expect(() => parse("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket")).toThrow(FramingError);
    expect(() => parse("HTTP/2 200")).toThrow(FramingError);
  });
});
