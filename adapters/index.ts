/**
 * The adapter registry: `adapterFor("claude")`, the supported names, and journal recovery.
 *
 * @example
 *   import { adapterFor, recoverJournals } from "../../adapters/index.js";
 *   recoverJournals(resolveHome().dataDir);           // at every start of `wrap`
 *   const adapter = adapterFor(agentName);            // throws HR_UNKNOWN_AGENT
 */
import { HeadroomError } from "../src/errors.js";
import { aider } from "./aider.js";
import { claude } from "./claude.js";
import { codex } from "./codex.js";
import { AdapterErrorCodes } from "./common.js";
import { copilot } from "./copilot.js";
import { cursor } from "./cursor.js";
import type { Adapter, AgentName } from "./types.js";

export type { Adapter, AgentName, DiscoverOptions, Env, LaunchPlan, McpCommand, PrepareContext, Upstreams } from "./types.js";
export { AdapterErrorCodes } from "./common.js";
export { recoverJournals } from "./journal.js";

const ADAPTERS: Readonly<Record<AgentName, Adapter>> = { claude, codex, copilot, aider, cursor };

/** Every supported agent, in the order help text lists them. */
export const ADAPTER_NAMES: readonly AgentName[] = ["claude", "codex", "copilot", "aider", "cursor"];

export function isAgentName(name: string): name is AgentName {
  return (ADAPTER_NAMES as readonly string[]).includes(name);
}

/** The adapter for `name`; HeadroomError HR_UNKNOWN_AGENT listing the supported agents otherwise. */
export function adapterFor(name: string): Adapter {
  if (isAgentName(name)) return ADAPTERS[name];
  throw new HeadroomError(
    AdapterErrorCodes.UnknownAgent,
    `Unknown agent "${name}". headroom wrap supports: ${ADAPTER_NAMES.join(", ")}.`,
  );
}
