// Which readers `headroom learn --agent X` runs, and all of them as one stream.
import { readClaude } from "./read-claude.js";
import { readCodex } from "./read-codex.js";
import { readGemini } from "./read-gemini.js";
import type { LearnAgent, ReadOptions, SessionLog, SessionReader } from "./types.js";

export const LEARN_AGENTS: readonly LearnAgent[] = ["claude", "codex", "gemini"];

const READERS: Record<LearnAgent, SessionReader> = { claude: readClaude, codex: readCodex, gemini: readGemini };

/**
 * The readers for one agent or all of them, in a fixed order (claude, codex, gemini).
 * @example readersFor("all").length // 3
 */
export function readersFor(agent: LearnAgent | "all"): SessionReader[] {
  return agent === "all" ? LEARN_AGENTS.map((a) => READERS[a]) : [READERS[agent]];
}

/**
 * Sessions of every selected reader, one after another; `onProgress` gets the bytes read across
 * all of them (each reader counts from 0 on its own).
 * @example for await (const s of readSessions("all", { project: process.cwd(), env: process.env })) mine(s);
 */
export async function* readSessions(agent: LearnAgent | "all", options: ReadOptions): AsyncGenerator<SessionLog> {
  let done = 0;
  for (const reader of readersFor(agent)) {
    let last = 0;
    const report = options.onProgress;
    const onProgress = report
      ? (n: number): void => {
          last = n;
          report(done + n);
        }
      : undefined;
    yield* reader(onProgress ? { ...options, onProgress } : options);
    done += last;
  }
}
