import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { flagValues } from "../../adapters/common.js";
import { copilot } from "../../adapters/copilot.js";
import { adapterContract, MCP, PROXY_URL } from "./contract.js";
import { installStandIn, sandbox, type Sandbox } from "./support.js";

const BYOK = { COPILOT_PROVIDER_BASE_URL: "https://llm.corp.example/v1", COPILOT_PROVIDER_WIRE_API: "responses", COPILOT_MODEL: "gpt-5" };

adapterContract(copilot, {
  configure: () => BYOK,
  expectedUpstream: { openai: "https://llm.corp.example/v1" },
  credentials: { COPILOT_PROVIDER_API_KEY: "sk-test", COPILOT_PROVIDER_BEARER_TOKEN: "bearer-test", GH_TOKEN: "gho_test" },
  userArgs: ["-p", "fix it", "--model", "gpt-5", "--additional-mcp-config", "@mine.json"],
  userFlags: ["-p", "--model"],
  proxied: true,
  label: "bring-your-own provider",
});

adapterContract(copilot, {
  configure: () => ({}),
  expectedUpstream: {},
  credentials: { GH_TOKEN: "gho_test" },
  userArgs: ["-p", "fix it"],
  userFlags: ["-p"],
  proxied: false,
  label: "GitHub sign-in",
});

describe("copilot adapter", () => {
  let sb: Sandbox;
  beforeEach(() => {
    sb = sandbox();
    installStandIn(sb.bin, "copilot");
  });
  afterEach(() => sb.cleanup());
  const prepare = (env: Record<string, string>, userArgs: string[] = []) => copilot.prepare({ proxyUrl: PROXY_URL, env, userArgs, mcp: MCP });

  it("keeps the user's TYPE / WIRE_API / MODEL and moves only the base URL", async () => {
    const plan = await prepare({ ...sb.env, ...BYOK });
    expect(plan.env.COPILOT_PROVIDER_BASE_URL).toBe(`${PROXY_URL}/v1`);
    expect(plan.env.COPILOT_PROVIDER_WIRE_API).toBe("responses");
    expect(plan.env.COPILOT_MODEL).toBe("gpt-5");
  });

  it("an anthropic-type provider: anthropic upstream, proxy root without /v1", async () => {
    const env = { ...sb.env, COPILOT_PROVIDER_BASE_URL: "https://api.anthropic.com", COPILOT_PROVIDER_TYPE: "anthropic" };
    expect(await copilot.discoverUpstream(env, { userArgs: [] })).toEqual({ anthropic: "https://api.anthropic.com" });
    expect((await prepare(env)).env.COPILOT_PROVIDER_BASE_URL).toBe(PROXY_URL);
  });

  it("signed in to GitHub without BYOK: not proxied, says why, still registers the MCP server", async () => {
    const plan = await prepare(sb.env);
    expect(plan.env.COPILOT_PROVIDER_BASE_URL).toBeUndefined();
    expect(plan.notices.join("\n")).toMatch(/COPILOT_PROVIDER_BASE_URL/);
    expect(flagValues(plan.args, ["--additional-mcp-config"])).toHaveLength(1);
  });

  // bench:wrap (scripts/bench/README.md): raised thresholds cost more than the agents' own cut.
  it("keeps Copilot's own large-output threshold, or the user's", async () => {
    expect((await prepare({ ...sb.env, ...BYOK })).env.COPILOT_LARGE_OUTPUT_THRESHOLD_BYTES).toBeUndefined();
    const mine = { ...sb.env, ...BYOK, COPILOT_LARGE_OUTPUT_THRESHOLD_BYTES: "131072" };
    expect((await prepare(mine)).env.COPILOT_LARGE_OUTPUT_THRESHOLD_BYTES).toBe("131072");
  });

  it("adds its MCP config beside the user's", async () => {
    const plan = await prepare({ ...sb.env, ...BYOK }, ["--additional-mcp-config", "@mine.json"]);
    const configs = flagValues(plan.args, ["--additional-mcp-config"]);
    expect(configs[0]).toBe("@mine.json");
    expect(JSON.parse(configs[1] as string)).toEqual({ mcpServers: { headroom: { type: "local", command: MCP.command, args: MCP.args, tools: ["*"] } } });
  });
});
