// Groups observations by cause, counts their evidence, and words each group as one imperative rule.
// Memory grows with the number of causes, not with sessions' size: per group only counts, session
// ids, reason tallies and the first few examples (in a fixed order) are kept.
import type { CommandRole } from "./mine-command.js";
import type { Observation, RuleKind } from "./mine-observation.js";
import type { LearnAgent } from "./types.js";

export interface RuleExample {
  readonly agent: LearnAgent;
  readonly session: string;
  /** Event indices in the session: the failure (or message) first, then its fix. */
  readonly events: readonly number[];
}

export interface LearnedRule {
  /** The normalised cause; stable across runs, used to match a rule with its rephrasing. */
  readonly id: string;
  readonly kind: RuleKind;
  /** Imperative and concrete: "Run the tests with `npm test`, not `npx jest` (...)." */
  readonly text: string;
  /** Distinct occurrences. */
  readonly evidence: number;
  /** Distinct sessions they came from. */
  readonly sessions: number;
  /** The first occurrences, by agent, session and index. */
  readonly examples: readonly RuleExample[];
}

const MAX_EXAMPLES = 5;
const MAX_REASONS = 64;

interface Group {
  readonly first: Observation;
  evidence: number;
  retried: boolean;
  readonly sessions: Set<string>;
  readonly reasons: Map<string, number>;
  examples: RuleExample[];
  /** Events already cited in each session, so one incident seen twice (a failure and the user's words) counts once. */
  readonly cited: Map<string, Set<number>>;
}

function compareExamples(a: RuleExample, b: RuleExample): number {
  if (a.agent !== b.agent) return a.agent < b.agent ? -1 : 1;
  if (a.session !== b.session) return a.session < b.session ? -1 : 1;
  return (a.events[0] ?? 0) - (b.events[0] ?? 0);
}

const ROLE_VERBS: Record<CommandRole, string> = {
  test: "Run the tests with",
  build: "Build with",
  lint: "Lint with",
  typecheck: "Type-check with",
  install: "Install dependencies with",
  format: "Format with",
};

function code(text: string): string {
  const ticks = text.includes("`") ? "``" : "`";
  return `${ticks}${text}${ticks}`;
}

function because(reason: string | undefined, retried = false): string {
  const again = retried ? "; retrying it unchanged does not help" : "";
  return reason ? ` (it failed with ${code(reason)}${again})` : retried ? ` (it fails${again})` : "";
}

function render(first: Observation, reason: string | undefined, retried: boolean): string {
  const { wrong = "", right = "" } = first;
  switch (first.kind) {
    case "command": {
      const verb = first.role ? ROLE_VERBS[first.role] : "Use";
      return `${verb} ${code(right)}, not ${code(wrong)}${because(reason, retried)}.`;
    }
    case "path":
      return wrong.endsWith("/")
        ? `The files are in ${code(right)}, not ${code(wrong)} (${code(first.detail ?? wrong)} does not exist).`
        : `Use ${code(right)}, not ${code(wrong)} (${code(wrong)} does not exist).`;
    case "not-installed":
      return `Don't run ${code(first.detail ?? wrong)}: ${code(wrong)} is not installed${because(reason)}.`;
    case "retry":
      return `Don't retry ${code(wrong)} unchanged: it fails the same way${because(reason)}.`;
    case "user":
      if (first.right !== undefined && first.wrong !== undefined) return `Use ${code(right)}, not ${code(wrong)} (you asked for this).`;
      if (first.right !== undefined) return `Use ${code(right)} (you asked for this).`;
      return `Don't use ${code(wrong)} (you asked for this).`;
  }
}

// The reason most groups cite; ties go to the alphabetically first, so the text never depends on order.
function topReason(reasons: ReadonlyMap<string, number>): string | undefined {
  let best: [string, number] | undefined;
  for (const [reason, count] of reasons) {
    if (!best || count > best[1] || (count === best[1] && reason < best[0])) best = [reason, count];
  }
  return best?.[0];
}

/** Collects observations session by session; `rules()` words the groups with enough evidence. */
export class RuleBook {
  readonly #groups = new Map<string, Group>();

  add(observation: Observation): void {
    let group = this.#groups.get(observation.key);
    if (!group) {
      group = { first: observation, evidence: 0, retried: false, sessions: new Set(), reasons: new Map(), examples: [], cited: new Map() };
      this.#groups.set(observation.key, group);
    }
    const sessionKey = `${observation.agent}\u0000${observation.session}`;
    let cited = group.cited.get(sessionKey);
    if (!cited) group.cited.set(sessionKey, (cited = new Set()));
    if (observation.events.some((index) => cited.has(index))) return;
    for (const index of observation.events) cited.add(index);
    group.evidence++;
    group.retried ||= observation.retried === true;
    group.sessions.add(sessionKey);
    if (observation.reason !== undefined && (group.reasons.size < MAX_REASONS || group.reasons.has(observation.reason))) {
      group.reasons.set(observation.reason, (group.reasons.get(observation.reason) ?? 0) + 1);
    }
    const example = { agent: observation.agent, session: observation.session, events: observation.events };
    // Keep the first examples in a fixed order, and the observation that words the rule with them.
    if (compareExamples(example, group.examples[0] ?? example) < 0) (group as { first: Observation }).first = observation;
    group.examples.push(example);
    group.examples.sort(compareExamples);
    if (group.examples.length > MAX_EXAMPLES) group.examples.length = MAX_EXAMPLES;
    // Per-session citations are only needed while that session is being read.
    if (group.cited.size > 1) for (const key of group.cited.keys()) if (key !== sessionKey) group.cited.delete(key);
  }

  /** Rules with at least `minEvidence` occurrences: most evidence first, then by text. */
  rules(minEvidence = 2): LearnedRule[] {
    const rules: LearnedRule[] = [];
    for (const [id, group] of this.#groups) {
      if (group.evidence < minEvidence) continue;
      const reason = group.first.kind === "user" || group.first.kind === "path" ? undefined : topReason(group.reasons);
      rules.push({ id, kind: group.first.kind, text: render(group.first, reason, group.retried), evidence: group.evidence, sessions: group.sessions.size, examples: group.examples });
    }
    return rules.sort((a, b) => b.evidence - a.evidence || b.sessions - a.sessions || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0) || (a.id < b.id ? -1 : 1));
  }
}
