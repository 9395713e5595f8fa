// The failure miner's front door: feed it sessions one at a time (it keeps no events), then ask for
// the rules. Pure and deterministic: the same sessions, in any order, give the same rules.
import type { SessionLog } from "./types.js";
import { observeTools } from "./mine-pair.js";
import { observeUser } from "./mine-user.js";
import { RuleBook, type LearnedRule } from "./mine-rules.js";

export type { LearnedRule, RuleExample } from "./mine-rules.js";
export type { RuleKind } from "./mine-observation.js";

export interface MineOptions {
  /** Fewest occurrences a rule needs (default 2). */
  readonly minEvidence?: number;
}

export interface MinerOptions {
  /** Project directory: paths under it are shown relative to it when an event has no cwd. */
  readonly project?: string;
}

/**
 * Accumulates the evidence of sessions as they stream in.
 * @example
 * const miner = new Miner();
 * for await (const log of readClaude(options)) miner.add(log);
 * miner.rules({ minEvidence: 2 });
 */
export class Miner {
  readonly #book = new RuleBook();
  #sessions = 0;
  readonly #project: string | undefined;

  constructor(options: MinerOptions = {}) {
    this.#project = options.project;
  }

  add(log: SessionLog): void {
    this.#sessions++;
    const observations = [...observeTools(log, this.#project), ...observeUser(log)];
    // Tool evidence first, so a user's words about the same incident are the duplicate, not the fix.
    for (const observation of observations) this.#book.add(observation);
  }

  get sessions(): number {
    return this.#sessions;
  }

  rules(options: MineOptions = {}): LearnedRule[] {
    return this.#book.rules(options.minEvidence ?? 2);
  }
}

/**
 * Rules from a set of sessions.
 * @example
 * mine(sessions).map((rule) => rule.text); // ["Run the tests with `npm test`, not `npx jest` (...)."]
 */
export function mine(sessions: Iterable<SessionLog>, options: MineOptions & MinerOptions = {}): LearnedRule[] {
  const miner = new Miner(options);
  for (const log of sessions) miner.add(log);
  return miner.rules(options);
}
