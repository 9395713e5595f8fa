// One piece of evidence for a rule: the events it cites and what the rule text needs. The pairing
// and user-message modules produce these; mine-rules groups them by `key` (the cause).
import type { CommandRole } from "./mine-command.js";
import type { LearnAgent } from "./types.js";

export type RuleKind = "command" | "path" | "retry" | "not-installed" | "user";

export interface Observation {
  /** What groups observations into one rule: the normalised cause. */
  readonly key: string;
  readonly kind: RuleKind;
  readonly agent: LearnAgent;
  readonly session: string;
  /** Event indices cited: the failure (or user message) first, then what fixed it. */
  readonly events: readonly number[];
  /** The command head, path or phrase that failed or that the user ruled out. */
  readonly wrong?: string;
  /** What worked instead, or what the user asked for. */
  readonly right?: string;
  readonly role?: CommandRole;
  /** The failure's one-line reason, when there is one. */
  readonly reason?: string;
  /** The failing call had been retried unchanged before the fix. */
  readonly retried?: boolean;
  /** A concrete instance: the full path that did not exist, the command retried. */
  readonly detail?: string;
}
