// GitHub Copilot CLI: COPILOT_PROVIDER_BASE_URL (bring-your-own provider) pointed at the proxy,
// the user's TYPE / WIRE_API / MODEL / keys kept; `--additional-mcp-config` for the MCP server.
// Without a BYOK provider Copilot talks to GitHub's service with the GitHub sign-in: that cannot
// be redirected without changing where requests go, so the plan says so and only adds the MCP.
// COPILOT_LARGE_OUTPUT_THRESHOLD_BYTES is left as the user has it (raised thresholds cost more
// through headroom: scripts/bench/README.md, bench:wrap).
import { appendFlags, envOnlyPlan, findBinaryFor, planEnv, requireBinary, trimSlash } from "./common.js";
import { proxyBaseFor } from "./codex.js";
import type { Adapter, DiscoverOptions, Env, LaunchPlan, PrepareContext, Upstreams } from "./types.js";

function provider(env: Env): { base: string; type: string } | undefined {
  const base = env.COPILOT_PROVIDER_BASE_URL?.trim();
  if (!base) return undefined;
  return { base: trimSlash(base), type: (env.COPILOT_PROVIDER_TYPE?.trim() || "openai").toLowerCase() };
}

export const copilot: Adapter = {
  name: "copilot",
  displayName: "GitHub Copilot CLI",
  binaryNames: ["copilot"],
  installHint: "Install it with `npm install -g @github/copilot`",

  findBinary(env: Env, override?: string): string | undefined {
    return findBinaryFor(this.binaryNames, env, override);
  },

  async discoverUpstream(env: Env, _options: DiscoverOptions): Promise<Upstreams> {
    const p = provider(env);
    if (p === undefined || p.type === "azure") return {};
    return p.type === "anthropic" ? { anthropic: p.base } : { openai: p.base };
  },

  async prepare(ctx: PrepareContext): Promise<LaunchPlan> {
    const bin = requireBinary(this, ctx.env, ctx.bin);
    const p = provider(ctx.env);
    const notices: string[] = [];
    const extra: Record<string, string> = {};
    let proxied = false;
    if (p === undefined) {
      notices.push(
        "Copilot CLI: signed in to GitHub, its model requests go to GitHub Copilot's service, which headroom cannot stand in front of without changing where they go; this run is not compressed (headroom's MCP server is still registered). To compress, use a bring-your-own provider: set COPILOT_PROVIDER_BASE_URL (and COPILOT_PROVIDER_API_KEY, COPILOT_MODEL).",
      );
    } else if (p.type === "azure") {
      notices.push("Copilot CLI: Azure providers (COPILOT_PROVIDER_TYPE=azure) build their own URL paths; headroom leaves them alone and this run is not compressed.");
    } else {
      // Anthropic type: the base has no /v1 (Copilot appends /v1/messages); OpenAI type: as the user wrote it.
      extra.COPILOT_PROVIDER_BASE_URL = p.type === "anthropic" ? trimSlash(ctx.proxyUrl) : proxyBaseFor(ctx.proxyUrl, p.base);
      proxied = true;
    }
    const mcpConfig = { mcpServers: { headroom: { type: "local", command: ctx.mcp.command, args: ctx.mcp.args, tools: ["*"] } } };
    // --additional-mcp-config may be repeated: ours goes beside any the user passed.
    const args = appendFlags(ctx.userArgs, ["--additional-mcp-config", JSON.stringify(mcpConfig)]);
    return envOnlyPlan({ bin, args, env: planEnv(ctx.env, extra), proxied, notices });
  },
};
