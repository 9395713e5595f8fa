// Cursor: its model requests are built and sent by Cursor's servers, not by the editor or the
// CLI on this machine (see adapters/cursor.md), so a proxy on 127.0.0.1 cannot be reached by them
// and no base URL is set. What does work is headroom's MCP server: the plan registers it for the
// run in ~/.cursor/mcp.json (read by the Cursor CLI and the editor), journaled and restored byte
// for byte on undo (or by recoverJournals() after a kill -9). The only adapter that edits a file.
import { join } from "node:path";
import { resolveHome } from "../src/config/home.js";
import { findBinaryFor, homeOf, planEnv, requireBinary } from "./common.js";
import { editWithJournal } from "./journal.js";
import type { Adapter, DiscoverOptions, Env, LaunchPlan, PrepareContext, Upstreams } from "./types.js";

export const CURSOR_NOT_PROXIED =
  "Cursor: model requests are sent by Cursor's servers, not from this machine, so they cannot reach headroom's proxy on 127.0.0.1 and this run is not compressed. headroom's MCP server (headroom_compress, headroom_retrieve) is registered for this run in ~/.cursor/mcp.json; `headroom mcp serve` works in the editor too.";

/** The Cursor CLI's global MCP file. */
export function cursorMcpPath(env: Env): string {
  return join(homeOf(env), ".cursor", "mcp.json");
}

export const cursor: Adapter = {
  name: "cursor",
  displayName: "Cursor CLI",
  binaryNames: ["cursor-agent"],
  installHint: "Install the Cursor CLI with `curl https://cursor.com/install -fsS | bash`",

  findBinary(env: Env, override?: string): string | undefined {
    return findBinaryFor(this.binaryNames, env, override);
  },

  async discoverUpstream(_env: Env, _options: DiscoverOptions): Promise<Upstreams> {
    return {}; // nothing of Cursor's model traffic passes through this machine
  },

  async prepare(ctx: PrepareContext): Promise<LaunchPlan> {
    const bin = requireBinary(this, ctx.env, ctx.bin);
    const notices = [CURSOR_NOT_PROXIED];
    const path = cursorMcpPath(ctx.env);
    const server = { command: ctx.mcp.command, args: ctx.mcp.args };
    let unreadable = false;
    const undo = editWithJournal(ctx.dataDir ?? resolveHome(ctx.env).dataDir, path, (original) => {
      let doc: Record<string, unknown> = {};
      if (original !== undefined && original.toString("utf8").trim() !== "") {
        try {
          const parsed: unknown = JSON.parse(original.toString("utf8"));
          if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
          doc = parsed as Record<string, unknown>;
        } catch {
          unreadable = true;
          return undefined;
        }
      }
      const servers = doc.mcpServers;
      if (servers !== undefined && (typeof servers !== "object" || servers === null || Array.isArray(servers))) {
        unreadable = true;
        return undefined;
      }
      if (servers !== undefined && "headroom" in servers) return undefined; // already installed: leave it
      return `${JSON.stringify({ ...doc, mcpServers: { ...(servers as Record<string, unknown> | undefined), headroom: server } }, null, 2)}\n`;
    });
    if (unreadable) notices.push(`Cursor: ${path} is not a JSON object with "mcpServers"; headroom left it alone and did not register its MCP server.`);
    return { bin, args: [...ctx.userArgs], env: planEnv(ctx.env, {}), proxied: false, notices, undo };
  },
};
