// A test client on one raw socket: writes requests as bytes (in any pieces) and reads responses with
// a reader of its own (Content-Length, chunked, or no body), so tests see exactly what went over the wire.
import { connect, type Socket } from "node:net";

export interface WireResponse {
  readonly status: number;
  /** Lowercase names; repeated headers joined with ", ". */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

export class Wire {
  private buf = Buffer.alloc(0);
  private closed = false;
  private wake: (() => void) | undefined;

  private constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      this.wake?.();
    });
    socket.on("close", () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on("error", () => undefined);
  }

  static open(port: number): Promise<Wire> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => resolve(new Wire(socket)));
      socket.once("error", reject);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Writes `bytes`, cut at `cuts` (offsets), pausing between pieces so each is its own TCP write. */
  async write(bytes: Buffer | string, cuts: readonly number[] = []): Promise<void> {
    const data = Buffer.from(bytes);
    let from = 0;
    for (const cut of [...cuts, data.length]) {
      if (cut <= from) continue;
      this.socket.write(data.subarray(from, cut));
      from = cut;
      if (cut < data.length) await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /** Reads one response; `method` HEAD means no body whatever the headers say. */
  async response(method = "GET"): Promise<WireResponse> {
    const end = await this.until(() => this.buf.indexOf("\r\n\r\n"));
    const lines = this.buf.subarray(0, end).toString("latin1").split("\r\n");
    this.buf = this.buf.subarray(end + 4);
    const status = Number(lines[0]!.slice(9, 12));
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    if (status < 200) return this.response(method);
    if (method === "HEAD" || status === 204 || status === 304) return { status, headers, body: Buffer.alloc(0) };
    if (headers["content-length"] !== undefined) {
      const length = Number(headers["content-length"]);
      await this.until(() => (this.buf.length >= length ? length : -1));
      const body = this.buf.subarray(0, length);
      this.buf = this.buf.subarray(length);
      return { status, headers, body };
    }
    if (/chunked/i.test(headers["transfer-encoding"] ?? "")) return { status, headers, body: await this.chunked() };
    await this.until(() => (this.closed ? 0 : -1));
    const body = this.buf;
    this.buf = Buffer.alloc(0);
    return { status, headers, body };
  }

  private async chunked(): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (;;) {
      const lineEnd = await this.until(() => this.buf.indexOf("\r\n"));
      const size = parseInt(this.buf.subarray(0, lineEnd).toString("latin1"), 16);
      if (size === 0) {
        const end = await this.until(() => this.buf.indexOf("\r\n\r\n", lineEnd));
        this.buf = this.buf.subarray(end + 4);
        return Buffer.concat(parts);
      }
      await this.until(() => (this.buf.length >= lineEnd + 2 + size + 2 ? 0 : -1));
      parts.push(this.buf.subarray(lineEnd + 2, lineEnd + 2 + size));
      this.buf = this.buf.subarray(lineEnd + 2 + size + 2);
    }
  }

  /** Resolves with `found()` once it is not negative; rejects if the socket closes first. */
  private async until(found: () => number): Promise<number> {
    for (;;) {
      const at = found();
      if (at >= 0) return at;
      if (this.closed) throw new Error("connection closed");
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A request head (HTTP/1.1 unless the line says otherwise) followed by `body`. */
export function rawRequest(line: string, headers: Record<string, string | number>, body: Buffer | string = ""): Buffer {
  const head = `${line}\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("")}\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), Buffer.from(body)]);
}
