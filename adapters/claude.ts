// Claude Code: ANTHROPIC_BASE_URL (env, and a `--settings` env block so a settings file cannot
// re-point it), `--mcp-config` for headroom's MCP server. No file is touched. Claude Code's own cut
// of big outputs (bashOutputMaxChars) is left alone: raised, it costs more through headroom
// (scripts/bench/README.md, bench:wrap); a user's --settings raising it wins.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { appendFlags, envOnlyPlan, findBinaryFor, flagValue, homeOf, planEnv, requireBinary, trimSlash } from "./common.js";
import type { Adapter, DiscoverOptions, Env, LaunchPlan, PrepareContext, Upstreams } from "./types.js";

export const ANTHROPIC_API = "https://api.anthropic.com";
/**
 * Claude Code 2.1.331 treats any ANTHROPIC_BASE_URL whose host is not api.anthropic.com as a
 * gateway: it drops first-party betas (prompt-caching-scope, tool-provenance, cache-diagnosis,
 * thinking-binding-controls: measured against the scripted upstream, see adapters/README.md)
 * and turns off other first-party features. This variable (read by the binary next to
 * ANTHROPIC_BASE_URL) tells it the base URL is the Anthropic API, which is true when headroom
 * forwards to api.anthropic.com. Set only then, and never over a value the user chose.
 */
export const ASSUME_FIRST_PARTY = "_CLAUDE_CODE_ASSUME_FIRST_PARTY_BASE_URL";

function readJson(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The `env.ANTHROPIC_BASE_URL` of a settings JSON (a file path or an inline JSON string). */
function settingsBaseUrl(source: string, cwd: string): string | undefined {
  const trimmed = source.trim();
  let text: string | undefined = trimmed.startsWith("{") ? trimmed : undefined;
  if (text === undefined) {
    const path = trimmed.startsWith("/") ? trimmed : join(cwd, trimmed);
    if (!existsSync(path)) return undefined;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
  }
  const env = readJson(text)?.env;
  if (typeof env !== "object" || env === null) return undefined;
  const v = (env as Record<string, unknown>).ANTHROPIC_BASE_URL;
  return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
}

interface BaseUrlSource {
  url: string;
  /** "flag": the user's own --settings; "file": a settings file; "env": the environment. */
  from: "flag" | "file" | "env";
}

// Highest precedence first, as Claude Code applies them: --settings, project local, project,
// user settings (their `env` blocks override the process env), then the environment itself.
function configuredBaseUrl(env: Env, userArgs: readonly string[], cwd: string): BaseUrlSource | undefined {
  const flag = flagValue(userArgs, ["--settings"]);
  if (flag !== undefined) {
    const url = settingsBaseUrl(flag, cwd);
    if (url !== undefined) return { url, from: "flag" };
  }
  const configDir = env.CLAUDE_CONFIG_DIR ?? join(homeOf(env), ".claude");
  for (const file of [join(cwd, ".claude", "settings.local.json"), join(cwd, ".claude", "settings.json"), join(configDir, "settings.json")]) {
    const url = settingsBaseUrl(file, cwd);
    if (url !== undefined) return { url, from: "file" };
  }
  const fromEnv = env.ANTHROPIC_BASE_URL?.trim();
  return fromEnv ? { url: fromEnv, from: "env" } : undefined;
}

function isAnthropicApi(url: string): boolean {
  try {
    return new URL(url).host === "api.anthropic.com";
  } catch {
    return false;
  }
}

export const claude: Adapter = {
  name: "claude",
  displayName: "Claude Code",
  binaryNames: ["claude"],
  installHint: "Install it with `npm install -g @anthropic-ai/claude-code`",

  findBinary(env: Env, override?: string): string | undefined {
    return findBinaryFor(this.binaryNames, env, override);
  },

  async discoverUpstream(env: Env, options: DiscoverOptions): Promise<Upstreams> {
    const src = configuredBaseUrl(env, options.userArgs, options.cwd ?? process.cwd());
    return { anthropic: trimSlash(src?.url ?? ANTHROPIC_API) };
  },

  async prepare(ctx: PrepareContext): Promise<LaunchPlan> {
    const bin = requireBinary(this, ctx.env, ctx.bin);
    const cwd = ctx.cwd ?? process.cwd();
    const src = configuredBaseUrl(ctx.env, ctx.userArgs, cwd);
    const proxy = trimSlash(ctx.proxyUrl);
    const notices: string[] = [];

    const extra: Record<string, string> = { ANTHROPIC_BASE_URL: proxy };
    if (isAnthropicApi(src?.url ?? ANTHROPIC_API) && ctx.env[ASSUME_FIRST_PARTY] === undefined) extra[ASSUME_FIRST_PARTY] = "1";

    const ours: string[] = [];
    const userHasSettings = flagValue(ctx.userArgs, ["--settings"]) !== undefined;
    let proxied = true;
    if (!userHasSettings) {
      // A settings file's env block beats the process env; flag settings beat settings files.
      ours.push("--settings", JSON.stringify({ env: extra }));
    } else if (src !== undefined && src.from !== "env") {
      proxied = false;
      notices.push(
        `Claude Code: your --settings or a settings file sets ANTHROPIC_BASE_URL (${src.url}), and headroom does not override a flag you passed; this run is not compressed. Move ANTHROPIC_BASE_URL to the environment to let headroom forward to it.`,
      );
    }
    const mcpConfig = { mcpServers: { headroom: { type: "stdio", command: ctx.mcp.command, args: ctx.mcp.args } } };
    // --mcp-config takes several configs (and may repeat): ours goes beside any the user passed.
    ours.push("--mcp-config", JSON.stringify(mcpConfig));

    return envOnlyPlan({ bin, args: appendFlags(ctx.userArgs, ours), env: planEnv(ctx.env, extra), proxied, notices });
  },
};
