import { readFile } from "node:fs/promises";
import { HeadroomError } from "../errors.js";

/** Reads FILE, or standard input for "-" or no argument, as raw bytes. */
export async function readInput(file: string | undefined): Promise<Buffer> {
  if (file && file !== "-") {
    try {
      return await readFile(file);
    } catch (error) {
      throw new HeadroomError("HR_INPUT", `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
    }
  }
  if (process.stdin.isTTY) {
    throw new HeadroomError("HR_INPUT", "Nothing to compress: pass a FILE, or pipe content in (e.g. `npm test 2>&1 | headroom compress -`).");
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Decodes UTF-8 strictly: undefined when the bytes are not valid UTF-8 (they are then kept as they are). */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
