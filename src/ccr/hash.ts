import { createHash } from "node:crypto";

/** DESIGN.md: one hash per original tool output, the first 16 hex digits of SHA-256 of its UTF-8 bytes. */
export function contentHash(content: string | Uint8Array): string {
  return createHash("sha256").update(content).digest("hex").slice(0, 16);
}

export const HASH_PATTERN = /^[0-9a-f]{16}$/;
