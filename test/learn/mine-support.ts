// Builds SessionLogs the way readers produce them, for the miner's tests.
import type { LearnAgent, SessionLog, ToolEvent, TranscriptEvent } from "../../src/learn/types.js";

export type Step =
  | { readonly bash: string; readonly exit?: number; readonly out?: string; readonly error?: boolean }
  | { readonly tool: string; readonly path?: string; readonly out?: string; readonly error?: boolean }
  | { readonly user: string };

export function session(id: string, steps: readonly Step[], agent: LearnAgent = "claude", cwd = "/home/u/proj"): SessionLog {
  const events: TranscriptEvent[] = steps.map((step, index): TranscriptEvent => {
    const base = { agent, session: id, index, cwd };
    if ("user" in step) return { ...base, kind: "user", text: step.user };
    if ("bash" in step) {
      const exit = step.exit ?? 0;
      const event: ToolEvent = { ...base, kind: "tool", tool: "Bash", command: step.bash, output: step.out ?? "", isError: step.error ?? exit !== 0, exitCode: exit };
      return event;
    }
    return { ...base, kind: "tool", tool: step.tool, ...(step.path !== undefined ? { path: step.path } : {}), output: step.out ?? "", isError: step.error ?? false };
  });
  return { agent, session: id, file: `/logs/${id}.jsonl`, events };
}
