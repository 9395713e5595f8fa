// Aider: OPENAI_API_BASE and ANTHROPIC_BASE_URL in the environment (aider reads both, and its
// env vars beat .aider.conf.yml). A `--openai-api-base` flag the user passed wins. Aider has no
// MCP client: markers are retrieved with `headroom retrieve HASH`.
import { envOnlyPlan, findBinaryFor, flagValue, planEnv, requireBinary, trimSlash } from "./common.js";
import { proxyBaseFor } from "./codex.js";
import type { Adapter, DiscoverOptions, Env, LaunchPlan, PrepareContext, Upstreams } from "./types.js";

const OPENAI_FLAG = ["--openai-api-base"];

function openaiBase(env: Env, userArgs: readonly string[]): string {
  const v = flagValue(userArgs, OPENAI_FLAG) ?? env.OPENAI_API_BASE ?? env.OPENAI_BASE_URL;
  return v !== undefined && v.trim() !== "" ? trimSlash(v.trim()) : "https://api.openai.com/v1";
}

function anthropicBase(env: Env): string {
  const v = env.ANTHROPIC_BASE_URL?.trim();
  return v ? trimSlash(v) : "https://api.anthropic.com";
}

export const aider: Adapter = {
  name: "aider",
  displayName: "Aider",
  binaryNames: ["aider"],
  installHint: "Install it with `python -m pip install aider-install && aider-install` (see aider.chat)",

  findBinary(env: Env, override?: string): string | undefined {
    return findBinaryFor(this.binaryNames, env, override);
  },

  async discoverUpstream(env: Env, options: DiscoverOptions): Promise<Upstreams> {
    return { openai: openaiBase(env, options.userArgs), anthropic: anthropicBase(env) };
  },

  async prepare(ctx: PrepareContext): Promise<LaunchPlan> {
    const bin = requireBinary(this, ctx.env, ctx.bin);
    const notices: string[] = ["Aider has no MCP client: fetch anything a marker left out with `headroom retrieve HASH`."];
    const openaiFromFlag = flagValue(ctx.userArgs, OPENAI_FLAG) !== undefined;
    const extra: Record<string, string> = { ANTHROPIC_BASE_URL: trimSlash(ctx.proxyUrl) };
    if (openaiFromFlag) {
      notices.push("Aider: you passed --openai-api-base, and headroom does not override a flag you passed; OpenAI-compatible requests are not compressed.");
    } else {
      const base = proxyBaseFor(ctx.proxyUrl, openaiBase(ctx.env, ctx.userArgs));
      extra.OPENAI_API_BASE = base;
      // Older aider/litellm versions read OPENAI_BASE_URL; set it only where the user had it.
      if (ctx.env.OPENAI_BASE_URL !== undefined) extra.OPENAI_BASE_URL = base;
    }
    return envOnlyPlan({ bin, args: [...ctx.userArgs], env: planEnv(ctx.env, extra), proxied: true, notices });
  },
};
