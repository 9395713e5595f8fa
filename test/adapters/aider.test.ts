import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { aider } from "../../adapters/aider.js";
import { adapterContract, MCP, PROXY_URL } from "./contract.js";
import { installStandIn, runRecorded, sandbox, type Sandbox } from "./support.js";

adapterContract(aider, {
  configure: () => ({ OPENAI_API_BASE: "https://llm.corp.example/v1" }),
  expectedUpstream: { openai: "https://llm.corp.example/v1", anthropic: "https://api.anthropic.com" },
  credentials: { OPENAI_API_KEY: "sk-test", ANTHROPIC_API_KEY: "sk-ant-test" },
  userArgs: ["--model", "sonnet", "--yes-always", "src/app.py"],
  userFlags: ["--model"],
  proxied: true,
});

describe("aider adapter (stand-in executable)", () => {
  let sb: Sandbox;
  beforeEach(() => {
    sb = sandbox();
    installStandIn(sb.bin, "aider");
  });
  afterEach(() => sb.cleanup());

  it("the stand-in receives both base URLs at the proxy and the user's argv verbatim", async () => {
    const env = { ...sb.env, OPENAI_API_KEY: "sk-test" };
    const plan = await aider.prepare({ proxyUrl: PROXY_URL, env, userArgs: ["--model", "gpt-4.1", "a.py"], mcp: MCP });
    const rec = runRecorded(plan, join(sb.root, "rec.json"));
    expect(rec.argv).toEqual(["--model", "gpt-4.1", "a.py"]);
    expect(rec.env.OPENAI_API_BASE).toBe(`${PROXY_URL}/v1`);
    expect(rec.env.ANTHROPIC_BASE_URL).toBe(PROXY_URL);
    expect(rec.env.OPENAI_API_KEY).toBe("sk-test");
    expect(plan.notices.join("\n")).toMatch(/headroom retrieve/);
  });

  it("a user's --openai-api-base wins: it is the upstream and is not overridden", async () => {
    const userArgs = ["--openai-api-base", "https://mine.example/v1"];
    expect(await aider.discoverUpstream(sb.env, { userArgs })).toMatchObject({ openai: "https://mine.example/v1" });
    const plan = await aider.prepare({ proxyUrl: PROXY_URL, env: sb.env, userArgs, mcp: MCP });
    expect(plan.args).toEqual(userArgs);
    expect(plan.env.OPENAI_API_BASE).toBeUndefined();
    expect(plan.notices.join("\n")).toMatch(/not compressed/);
  });
});
