// Codex: `-c` overrides only (config.toml is read, never written). The user's active provider
// keeps its id, auth and headers with only its base_url pointed at the proxy; the built-in
// `openai` provider (which config cannot override) is replaced for the run by a `headroom`
// provider with the same auth. `-c mcp_servers.headroom=...` registers the MCP server. Codex's own
// cut of big outputs (tool_output_token_limit) is left alone: raised, it costs more through headroom
// (scripts/bench/README.md, bench:wrap).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { envOnlyPlan, findBinaryFor, flagValue, flagValues, hasFlag, homeOf, planEnv, requireBinary, trimSlash } from "./common.js";
import { parseTomlLite, splitKey, tomlKeyPart, tomlString, type TomlFlat, type TomlScalar } from "./toml-lite.js";
import type { Adapter, DiscoverOptions, Env, LaunchPlan, PrepareContext, Upstreams } from "./types.js";

export const OPENAI_API = "https://api.openai.com/v1";
/** Where the built-in provider sends requests for a ChatGPT sign-in. */
export const CHATGPT_CODEX_API = "https://chatgpt.com/backend-api/codex";
/** Built-in providers that talk to a model on this machine: nothing to compress upstream of. */
const LOCAL_BUILTINS = new Set(["oss", "ollama", "lmstudio"]);

const codexHome = (env: Env): string => env.CODEX_HOME ?? join(homeOf(env), ".codex");

function readConfig(env: Env): TomlFlat {
  try {
    return parseTomlLite(readFileSync(join(codexHome(env), "config.toml"), "utf8"));
  } catch {
    return new Map();
  }
}

// `-c key=value` values are TOML; codex takes an unparsable value as a literal string.
function userOverrides(userArgs: readonly string[]): TomlFlat {
  const out: TomlFlat = new Map();
  for (const kv of flagValues(userArgs, ["-c", "--config"])) {
    const eq = kv.indexOf("=");
    if (eq < 0) continue;
    const key = splitKey(kv.slice(0, eq));
    if (key === undefined) continue;
    const parsed = parseTomlLite(`v = ${kv.slice(eq + 1)}`);
    const prefix = key.join(".");
    const whole = parsed.get("v");
    out.set(prefix, whole ?? kv.slice(eq + 1).trim());
    for (const [k, v] of parsed) if (k.startsWith("v.")) out.set(`${prefix}.${k.slice(2)}`, v);
  }
  return out;
}

/** Only `auth_mode` (and whether ChatGPT tokens exist) is read from auth.json; no secret leaves it. */
function signedInWithChatGpt(env: Env): boolean | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(codexHome(env), "auth.json"), "utf8"));
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const auth = parsed as Record<string, unknown>;
  if (typeof auth.auth_mode === "string") return auth.auth_mode.toLowerCase().includes("chatgpt");
  return auth.tokens !== null && auth.tokens !== undefined && !auth.OPENAI_API_KEY;
}

interface Active {
  id: string;
  builtin: boolean;
  /** Where its requests go today. */
  baseUrl: string | undefined;
  /** The user set model_provider on the command line. */
  idFromFlag: boolean;
  /** The user set this provider's base_url on the command line. */
  baseFromFlag: boolean;
}

function activeProvider(env: Env, userArgs: readonly string[]): Active {
  const config = readConfig(env);
  const flags = userOverrides(userArgs);
  const get = (key: string): TomlScalar | undefined => flags.get(key) ?? config.get(key);
  const str = (v: TomlScalar | undefined): string | undefined => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);
  const profile = flagValue(userArgs, ["--profile", "-p"]) ?? str(get("profile"));
  const fromFlag = str(flags.get("model_provider"));
  const id = hasFlag(userArgs, ["--oss"])
    ? "oss"
    : (fromFlag ?? (profile !== undefined ? str(get(`profiles.${profile}.model_provider`)) : undefined) ?? str(get("model_provider")) ?? "openai");
  const defined = [...config.keys(), ...flags.keys()].some((k) => k.startsWith(`model_providers.${id}.`));
  if (id === "openai" || LOCAL_BUILTINS.has(id) || !defined) {
    // Built-ins win over user tables of the same name (codex merges with or_insert).
    const base = id === "openai" ? (str(get("openai_base_url")) ?? (signedInWithChatGpt(env) === true ? CHATGPT_CODEX_API : OPENAI_API)) : undefined;
    return { id, builtin: true, baseUrl: base, idFromFlag: fromFlag !== undefined, baseFromFlag: flags.has("openai_base_url") };
  }
  const baseKey = `model_providers.${id}.base_url`;
  return { id, builtin: false, baseUrl: str(get(baseKey)), idFromFlag: fromFlag !== undefined, baseFromFlag: flags.has(baseKey) };
}

/**
 * The base URL the agent gets: the proxy root plus `/v1` exactly when the upstream ends in `/v1`,
 * so the path the agent appends (`/responses`) lands on the upstream as it would have directly.
 */
export function proxyBaseFor(proxyUrl: string, upstream: string): string {
  const root = trimSlash(proxyUrl);
  return /\/v1$/.test(trimSlash(upstream)) ? `${root}/v1` : root;
}

const inlineArray = (xs: readonly string[]): string => `[${xs.map(tomlString).join(",")}]`;

export const codex: Adapter = {
  name: "codex",
  displayName: "Codex",
  binaryNames: ["codex"],
  installHint: "Install it with `npm install -g @openai/codex`",

  findBinary(env: Env, override?: string): string | undefined {
    return findBinaryFor(this.binaryNames, env, override);
  },

  async discoverUpstream(env: Env, options: DiscoverOptions): Promise<Upstreams> {
    const active = activeProvider(env, options.userArgs);
    return active.baseUrl === undefined ? {} : { openai: trimSlash(active.baseUrl) };
  },

  async prepare(ctx: PrepareContext): Promise<LaunchPlan> {
    const bin = requireBinary(this, ctx.env, ctx.bin);
    const active = activeProvider(ctx.env, ctx.userArgs);
    const notices: string[] = [];
    const ours: string[] = [];
    let proxied = false;

    if (active.baseUrl === undefined) {
      notices.push(`Codex: the active model provider "${active.id}" has no base_url headroom can sit in front of; this run is not compressed.`);
    } else if (active.baseFromFlag || (active.builtin && active.idFromFlag)) {
      notices.push(`Codex: you set the provider on the command line (-c), and headroom does not override a flag you passed; this run is not compressed.`);
    } else if (active.builtin) {
      // Same auth as the built-in: its sign-in (auth.json, ChatGPT or API key) when there is one,
      // else the OPENAI_API_KEY environment variable.
      let hasLogin = false;
      try {
        readFileSync(join(codexHome(ctx.env), "auth.json"));
        hasLogin = true;
      } catch {
        hasLogin = false;
      }
      const auth = hasLogin ? "requires_openai_auth=true" : `env_key="OPENAI_API_KEY"`;
      const base = proxyBaseFor(ctx.proxyUrl, active.baseUrl);
      ours.push("-c", `model_provider="headroom"`);
      ours.push("-c", `model_providers.headroom={name="OpenAI (headroom)",base_url=${tomlString(base)},wire_api="responses",${auth}}`);
      proxied = true;
    } else {
      ours.push("-c", `model_providers.${tomlKeyPart(active.id)}.base_url=${tomlString(proxyBaseFor(ctx.proxyUrl, active.baseUrl))}`);
      proxied = true;
    }
    ours.push("-c", `mcp_servers.headroom={command=${tomlString(ctx.mcp.command)},args=${inlineArray(ctx.mcp.args)}}`);
    // Root-level -c overrides come before the subcommand (`exec`, `resume`) and apply to all of them.
    return envOnlyPlan({ bin, args: [...ours, ...ctx.userArgs], env: planEnv(ctx.env, {}), proxied, notices });
  },
};
