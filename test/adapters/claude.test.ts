import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ASSUME_FIRST_PARTY, claude } from "../../adapters/claude.js";
import { flagValues } from "../../adapters/common.js";
import { adapterContract, MCP, PROXY_URL } from "./contract.js";
import { installStandIn, sandbox, type Sandbox } from "./support.js";

adapterContract(claude, {
  configure: () => ({ ANTHROPIC_BASE_URL: "https://gateway.example.com/anthropic/" }),
  expectedUpstream: { anthropic: "https://gateway.example.com/anthropic" },
  credentials: { ANTHROPIC_API_KEY: "sk-ant-test", ANTHROPIC_AUTH_TOKEN: "oauth-bearer-test", CLAUDE_CODE_OAUTH_TOKEN: "sk-ant-oat-test" },
  userArgs: ["-p", "fix the bug", "--model", "opus", "--mcp-config", "/home/u/mine.json"],
  userFlags: ["-p", "--model"],
  proxied: true,
});

describe("claude adapter", () => {
  let sb: Sandbox;
  beforeEach(() => {
    sb = sandbox();
    installStandIn(sb.bin, "claude");
  });
  afterEach(() => sb.cleanup());
  const prepare = (userArgs: string[], env: Record<string, string> = sb.env) =>
    claude.prepare({ proxyUrl: PROXY_URL, env, userArgs, mcp: MCP, cwd: sb.cwd });

  it("without a gateway: upstream api.anthropic.com, and Claude Code keeps treating it as first party", async () => {
    expect(await claude.discoverUpstream(sb.env, { userArgs: [], cwd: sb.cwd })).toEqual({ anthropic: "https://api.anthropic.com" });
    const plan = await prepare(["-p", "hi"]);
    expect(plan.env.ANTHROPIC_BASE_URL).toBe(PROXY_URL);
    expect(plan.env[ASSUME_FIRST_PARTY]).toBe("1");
    const settings = JSON.parse(plan.args[plan.args.indexOf("--settings") + 1] as string) as { env: Record<string, string> };
    expect(settings.env).toEqual({ ANTHROPIC_BASE_URL: PROXY_URL, [ASSUME_FIRST_PARTY]: "1" });
  });

  it("behind a gateway: the gateway is the upstream and nothing claims first party", async () => {
    const plan = await prepare([], { ...sb.env, ANTHROPIC_BASE_URL: "https://llm.corp.example" });
    expect(plan.env[ASSUME_FIRST_PARTY]).toBeUndefined();
  });

  it("a user's own value of the first-party switch is kept", async () => {
    const plan = await prepare([], { ...sb.env, [ASSUME_FIRST_PARTY]: "0" });
    expect(plan.env[ASSUME_FIRST_PARTY]).toBe("0");
  });

  it("reads a gateway from a settings file's env block (user, project, --settings)", async () => {
    mkdirSync(join(sb.home, ".claude"), { recursive: true });
    writeFileSync(join(sb.home, ".claude", "settings.json"), JSON.stringify({ env: { ANTHROPIC_BASE_URL: "https://user.example" } }));
    expect(await claude.discoverUpstream(sb.env, { userArgs: [], cwd: sb.cwd })).toEqual({ anthropic: "https://user.example" });
    mkdirSync(join(sb.cwd, ".claude"), { recursive: true });
    writeFileSync(join(sb.cwd, ".claude", "settings.json"), JSON.stringify({ env: { ANTHROPIC_BASE_URL: "https://project.example" } }));
    expect(await claude.discoverUpstream(sb.env, { userArgs: [], cwd: sb.cwd })).toEqual({ anthropic: "https://project.example" });
    const flag = JSON.stringify({ env: { ANTHROPIC_BASE_URL: "https://flag.example" } });
    expect(await claude.discoverUpstream(sb.env, { userArgs: ["--settings", flag], cwd: sb.cwd })).toEqual({ anthropic: "https://flag.example" });
  });

  it("a user's --settings is never replaced; if it sets the base URL the run is not proxied", async () => {
    const mine = JSON.stringify({ env: { ANTHROPIC_BASE_URL: "https://flag.example" } });
    const plan = await prepare(["--settings", mine]);
    expect(flagValues(plan.args, ["--settings"])).toEqual([mine]);
    expect(plan.proxied).toBe(false);
    expect(plan.notices.join("\n")).toMatch(/not compressed/);
    const other = await prepare(["--settings", JSON.stringify({ model: "opus" })]);
    expect(other.proxied).toBe(true);
    expect(flagValues(other.args, ["--settings"])).toHaveLength(1);
  });

  // bench:wrap (scripts/bench/README.md): a raised bashOutputMaxChars costs +17% billed input through wrap.
  it("keeps Claude Code's own output cut; a user's raised bashOutputMaxChars reaches it unchanged", async () => {
    const plan = await prepare(["-p", "hi"]);
    expect(plan.args.join(" ")).not.toContain("bashOutputMaxChars");
    const mine = JSON.stringify({ bashOutputMaxChars: 128000 });
    expect(flagValues((await prepare(["-p", "hi", "--settings", mine])).args, ["--settings"])).toEqual([mine]);
  });

  it("adds its --mcp-config beside the user's, after the prompt and before a `--`", async () => {
    const plan = await prepare(["fix it", "--mcp-config", "mine.json", "--", "-not-a-flag"]);
    const configs = flagValues(plan.args, ["--mcp-config"]);
    expect(configs[0]).toBe("mine.json");
    expect(JSON.parse(configs[1] as string)).toEqual({ mcpServers: { headroom: { type: "stdio", command: MCP.command, args: MCP.args } } });
    expect(plan.args[0]).toBe("fix it");
    expect(plan.args.slice(-2)).toEqual(["--", "-not-a-flag"]);
  });
});
