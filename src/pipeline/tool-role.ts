// What a tool call means for compression: a file read (what the agent edits against: see
// read-policy.ts), a headroom retrieval (never compressed again), or anything else.
import type { ToolCall } from "./locate.js";
import { readTarget, shellCommand } from "./read-target.js";

export type ToolRole = "file-read" | "retrieval" | "other";

export { shellCommand };

export function toolRole(call: ToolCall | undefined): ToolRole {
  if (!call) return "other";
  if (call.name.toLowerCase().endsWith("headroom_retrieve")) return "retrieval";
  const command = shellCommand(call.arguments);
  if (command !== undefined && /\bheadroom\s+retrieve\b/.test(command)) return "retrieval";
  return readTarget(call) ? "file-read" : "other";
}
