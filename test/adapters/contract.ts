/**
 * One contract every adapter passes (STYLE.md "One contract suite, every implementation").
 * Each agent's test file calls `adapterContract(...)` with a scenario: how the user had configured
 * their upstream, some flags of their own, and their credentials.
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isHeadroomError } from "../../src/errors.js";
import { flagValue } from "../../adapters/common.js";
import type { Adapter, LaunchPlan, Upstreams } from "../../adapters/types.js";
import { hashTree, installStandIn, runRecorded, sandbox, type Sandbox } from "./support.js";

export const PROXY_URL = "http://127.0.0.1:45678";
export const MCP = { command: "/usr/bin/node", args: ["/opt/headroom/bin/headroom.js", "mcp", "serve", "--session", "s-1"] };

export interface ContractScenario {
  /** Writes the user's existing configuration into the sandbox; returns env to add. */
  configure(sb: Sandbox): Record<string, string>;
  /** What discoverUpstream must return for that configuration. */
  expectedUpstream: Upstreams;
  /** Credentials in the env that must reach the agent untouched. */
  credentials: Record<string, string>;
  /** The user's own args (after `--`). */
  userArgs: string[];
  /** Flags among userArgs whose value must survive (never overridden). */
  userFlags: string[];
  /** Whether this configuration is proxied (false: Cursor, Copilot without BYOK). */
  proxied: boolean;
  /** Names the scenario when an adapter runs the contract more than once. */
  label?: string;
}

/** Runs the whole contract for one adapter. */
export function adapterContract(adapter: Adapter, scenario: ContractScenario): void {
  describe(`${adapter.name} adapter contract${scenario.label ? ` (${scenario.label})` : ""}`, () => {
    let sb: Sandbox;
    let env: Record<string, string>;
    beforeEach(() => {
      sb = sandbox();
      installStandIn(sb.bin, adapter.binaryNames[0] as string);
      env = { ...sb.env, NO_PROXY: "corp.example", ...scenario.credentials, ...scenario.configure(sb) };
    });
    afterEach(() => sb.cleanup());

    const prepare = (over: Partial<Parameters<Adapter["prepare"]>[0]> = {}): Promise<LaunchPlan> =>
      adapter.prepare({ proxyUrl: PROXY_URL, env, userArgs: scenario.userArgs, mcp: MCP, cwd: sb.cwd, dataDir: sb.dataDir, ...over });

    it("finds its binary on the PATH it is given, and only there", () => {
      expect(adapter.findBinary(env)).toBe(join(sb.bin, adapter.binaryNames[0] as string));
      expect(adapter.findBinary({ ...env, PATH: "/nonexistent" })).toBeUndefined();
    });

    it("--bin overrides PATH; a missing binary is HR_AGENT_NOT_FOUND with the install hint", async () => {
      const other = installStandIn(sb.root, "custom-agent");
      expect(adapter.findBinary({ ...env, PATH: "/nonexistent" }, other)).toBe(other);
      expect((await prepare({ bin: other })).bin).toBe(other);
      const err = await prepare({ env: { ...env, PATH: "/nonexistent" } }).catch((e: unknown) => e);
      expect(isHeadroomError(err, "HR_AGENT_NOT_FOUND")).toBe(true);
      expect((err as Error).message).toContain(adapter.installHint);
      const bad = await prepare({ bin: join(sb.root, "missing") }).catch((e: unknown) => e);
      expect(isHeadroomError(bad, "HR_AGENT_NOT_FOUND")).toBe(true);
    });

    it("discovers the upstream the user already configured", async () => {
      expect(await adapter.discoverUpstream(env, { userArgs: scenario.userArgs, cwd: sb.cwd })).toEqual(scenario.expectedUpstream);
    });

    it(scenario.proxied ? "points the agent at the proxy" : "says plainly that it is not proxied, and sets no base URL", async () => {
      const plan = await prepare();
      const mentions = [...Object.values(plan.env), ...plan.args].some((v) => v.includes(PROXY_URL));
      expect(plan.proxied).toBe(scenario.proxied);
      expect(mentions).toBe(scenario.proxied);
      if (!scenario.proxied) expect(plan.notices.join("\n")).toMatch(/not compressed/);
    });

    it("keeps every user argument, in order, and never overrides a user flag", async () => {
      const plan = await prepare();
      let i = 0;
      for (const a of plan.args) if (a === scenario.userArgs[i]) i++;
      expect(i, `user args ${JSON.stringify(scenario.userArgs)} in ${JSON.stringify(plan.args)}`).toBe(scenario.userArgs.length);
      for (const flag of scenario.userFlags) expect(flagValue(plan.args, [flag])).toBe(flagValue(scenario.userArgs, [flag]));
    });

    it("adds loopback to NO_PROXY and no_proxy, keeping what was there", async () => {
      const plan = await prepare();
      for (const k of ["NO_PROXY", "no_proxy"]) {
        const items = (plan.env[k] ?? "").split(",");
        expect(items).toEqual(expect.arrayContaining(["corp.example", "127.0.0.1", "localhost", "::1"]));
      }
    });

    it("passes API keys and tokens through untouched and does not mutate the caller's env", async () => {
      const before = { ...env };
      const plan = await prepare();
      for (const [k, v] of Object.entries(scenario.credentials)) expect(plan.env[k]).toBe(v);
      expect(env).toEqual(before);
    });

    it("registers headroom's MCP server or says how to retrieve without it", async () => {
      const plan = await prepare();
      const inArgs = plan.args.some((a) => a.includes(MCP.args[0] as string));
      const noticed = plan.notices.some((n) => /MCP|headroom retrieve/.test(n));
      expect(inArgs || noticed).toBe(true);
    });

    it("undo leaves every file under HOME byte-identical (and is idempotent)", async () => {
      const before = hashTree(sb.home);
      const plan = await prepare();
      await plan.undo();
      await plan.undo();
      expect(hashTree(sb.home)).toEqual(before);
    });

    it("the plan is launchable: the agent gets exactly the plan's argv and env", async () => {
      const plan = await prepare();
      const rec = runRecorded(plan, join(sb.root, "record.json"));
      await plan.undo();
      expect(rec.status).toBe(0);
      expect(rec.argv).toEqual(plan.args);
      for (const [k, v] of Object.entries(plan.env)) expect(rec.env[k], k).toBe(v);
    });
  });
}
