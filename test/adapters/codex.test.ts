import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CHATGPT_CODEX_API, codex, OPENAI_API, proxyBaseFor } from "../../adapters/codex.js";
import { flagValues } from "../../adapters/common.js";
import { adapterContract, MCP, PROXY_URL } from "./contract.js";
import { installStandIn, sandbox, type Sandbox } from "./support.js";

const USER_CONFIG = `# my codex config
model = "gpt-5-codex"
model_provider = "corp"

[model_providers.corp]
name = "Corp gateway"
base_url = "https://llm.corp.example/openai/v1"
env_key = "CORP_OPENAI_KEY"
wire_api = "responses"
http_headers = { "X-Team" = "tools" }

[mcp_servers.docs]
command = "docs-mcp"
args = ["--port", "0"]
`;

function writeConfig(sb: Sandbox, text: string): Record<string, string> {
  const dir = join(sb.home, ".codex");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "config.toml"), text);
  return { CODEX_HOME: dir };
}

adapterContract(codex, {
  configure: (sb) => writeConfig(sb, USER_CONFIG),
  expectedUpstream: { openai: "https://llm.corp.example/openai/v1" },
  credentials: { CORP_OPENAI_KEY: "sk-corp-test", OPENAI_API_KEY: "sk-openai-test" },
  userArgs: ["exec", "--skip-git-repo-check", "-m", "gpt-5", "-c", "model_reasoning_effort=\"high\"", "fix the bug"],
  userFlags: ["-m"],
  proxied: true,
});

describe("codex adapter", () => {
  let sb: Sandbox;
  beforeEach(() => {
    sb = sandbox();
    installStandIn(sb.bin, "codex");
  });
  afterEach(() => sb.cleanup());
  const prepare = (userArgs: string[], env: Record<string, string>) => codex.prepare({ proxyUrl: PROXY_URL, env, userArgs, mcp: MCP });

  it("a user-defined provider keeps its id, auth and headers: only its base_url moves to the proxy", async () => {
    const env = { ...sb.env, ...writeConfig(sb, USER_CONFIG) };
    const plan = await prepare(["exec", "hi"], env);
    expect(plan.args.slice(-2)).toEqual(["exec", "hi"]);
    const overrides = flagValues(plan.args, ["-c"]);
    expect(overrides).toContain(`model_providers.corp.base_url="${PROXY_URL}/v1"`);
    expect(overrides.some((o) => o.startsWith("model_provider="))).toBe(false);
    expect(overrides).toContain(`mcp_servers.headroom={command="${MCP.command}",args=${JSON.stringify(MCP.args).replace(/\s/g, "")}}`);
  });

  it("the built-in openai provider becomes a `headroom` provider with the same auth", async () => {
    const env = { ...sb.env, ...writeConfig(sb, `model = "gpt-5"\n`), OPENAI_API_KEY: "sk-test" };
    expect(await codex.discoverUpstream(env, { userArgs: [] })).toEqual({ openai: OPENAI_API });
    const overrides = flagValues((await prepare([], env)).args, ["-c"]);
    expect(overrides).toContain(`model_provider="headroom"`);
    expect(overrides).toContain(
      `model_providers.headroom={name="OpenAI (headroom)",base_url="${PROXY_URL}/v1",wire_api="responses",env_key="OPENAI_API_KEY"}`,
    );
  });

  it("a ChatGPT sign-in keeps its auth and its upstream (chatgpt.com), with no /v1 added", async () => {
    const env = { ...sb.env, ...writeConfig(sb, "") };
    writeFileSync(join(env.CODEX_HOME as string, "auth.json"), JSON.stringify({ auth_mode: "chatgpt", tokens: { access_token: "x" } }));
    expect(await codex.discoverUpstream(env, { userArgs: [] })).toEqual({ openai: CHATGPT_CODEX_API });
    const overrides = flagValues((await prepare([], env)).args, ["-c"]);
    expect(overrides).toContain(
      `model_providers.headroom={name="OpenAI (headroom)",base_url="${PROXY_URL}",wire_api="responses",requires_openai_auth=true}`,
    );
  });

  it("follows profiles and -c model_provider; a -c base_url of the user's wins (not proxied)", async () => {
    const cfg = `${USER_CONFIG}\n[model_providers.other]\nbase_url = "https://other.example/v1"\n\n[profiles.work]\nmodel_provider = "other"\n`;
    const env = { ...sb.env, ...writeConfig(sb, cfg) };
    expect(await codex.discoverUpstream(env, { userArgs: ["--profile", "work"] })).toEqual({ openai: "https://other.example/v1" });
    expect(await codex.discoverUpstream(env, { userArgs: ["-c", "model_provider=other"] })).toEqual({ openai: "https://other.example/v1" });
    const mine = ["-c", `model_providers.corp.base_url="https://mine.example/v1"`];
    expect(await codex.discoverUpstream(env, { userArgs: mine })).toEqual({ openai: "https://mine.example/v1" });
    const plan = await prepare(mine, env);
    expect(plan.proxied).toBe(false);
    expect(flagValues(plan.args, ["-c"]).filter((o) => o.startsWith("model_providers.corp.base_url"))).toEqual([mine[1]]);
  });

  // bench:wrap (scripts/bench/README.md): a raised tool_output_token_limit costs +57% billed input through wrap.
  it("keeps Codex's own output cut; a user's -c tool_output_token_limit reaches it unchanged", async () => {
    const env = { ...sb.env, ...writeConfig(sb, USER_CONFIG) };
    expect(flagValues((await prepare(["exec", "hi"], env)).args, ["-c"]).some((o) => o.startsWith("tool_output_token_limit"))).toBe(false);
    const plan = await prepare(["-c", "tool_output_token_limit=10000", "exec", "hi"], env);
    expect(flagValues(plan.args, ["-c"]).filter((o) => o.startsWith("tool_output_token_limit"))).toEqual(["tool_output_token_limit=10000"]);
  });

  it("a local --oss model is left alone", async () => {
    const plan = await prepare(["--oss"], { ...sb.env, ...writeConfig(sb, "") });
    expect(plan.proxied).toBe(false);
  });

  it("proxyBaseFor mirrors whether the upstream ends in /v1", () => {
    expect(proxyBaseFor("http://127.0.0.1:1/", "https://a.example/v1/")).toBe("http://127.0.0.1:1/v1");
    expect(proxyBaseFor("http://127.0.0.1:1", "https://a.example/api")).toBe("http://127.0.0.1:1");
  });
});
