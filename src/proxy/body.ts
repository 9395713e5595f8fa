// Reading a request body with a size limit, and undoing its Content-Encoding so it can be parsed.
import type { IncomingMessage } from "node:http";
import { promisify } from "node:util";
import { brotliDecompress, gunzip, inflate } from "node:zlib";
import { HeadroomError } from "../errors.js";

/** 64 MiB: above the providers' own request limits (32 MB for Anthropic), so their 413 is what agents see below it. */
export const DEFAULT_BODY_LIMIT = 64 * 1024 * 1024;

export const BODY_TOO_LARGE = "HR_PROXY_BODY_TOO_LARGE";

/** Reads the whole body; rejects with HR_PROXY_BODY_TOO_LARGE past `limit` bytes (and stops reading). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(buffer);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

function tooLarge(limit: number): HeadroomError {
  return new HeadroomError(
    BODY_TOO_LARGE,
    `Request body larger than headroom's limit of ${Math.round(limit / 1024 / 1024)} MiB (--max-body-mb).`,
  );
}

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);
const brotliAsync = promisify(brotliDecompress);

/**
 * The body without its Content-Encoding (gzip, x-gzip, deflate, br, identity, or a list of them),
 * decoded off the event loop. Undefined for an encoding we do not know or bytes that do not decode.
 */
export async function decodeBody(body: Buffer, encoding: string | undefined, limit: number): Promise<Buffer | undefined> {
  if (encoding === undefined) return body;
  const codings = encoding
    .split(",")
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== "" && coding !== "identity");
  let out = body;
  try {
    // Codings are listed in the order they were applied: undo the last first.
    for (const coding of codings.reverse()) {
      const options = { maxOutputLength: limit };
      if (coding === "gzip" || coding === "x-gzip") out = await gunzipAsync(out, options);
      else if (coding === "deflate") out = await inflateAsync(out, options);
      else if (coding === "br") out = await brotliAsync(out, options);
      else return undefined;
    }
  } catch {
    return undefined;
  }
  return out;
}
