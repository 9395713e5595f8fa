// The human correcting the agent: "no, use pnpm", "don't use npx jest", "use `npm test` instead".
// Only what the message says is taken; the thing ruled out is inferred only when the message names
// none and the agent's previous command did the same job (ran tests, built...).
import type { SessionLog } from "./types.js";
import { parseCommand } from "./mine-command.js";
import type { Observation } from "./mine-observation.js";

// A phrase: a `code span`, or up to three plain words before punctuation or a joining word.
const PHRASE = "(`[^`\\n]{1,80}`|[\\w@./:+-]+(?:[ \\t]+(?!(?:instead|not|for|to|when|here|please|and|but|because|since|so|it|the|this|that|or|rather|which)\\b)[\\w@./:+-]+){0,2})";

const PATTERNS: ReadonlyArray<{ readonly re: RegExp; readonly right?: number; readonly wrong?: number }> = [
  { re: new RegExp(`\\binstead of\\s+${PHRASE}\\s*,?\\s+(?:please\\s+)?use\\s+${PHRASE}`, "i"), wrong: 1, right: 2 },
  { re: new RegExp(`\\buse\\s+${PHRASE}\\s*,?\\s+not\\s+${PHRASE}`, "i"), right: 1, wrong: 2 },
  { re: new RegExp(`\\buse\\s+${PHRASE}\\s+instead\\s+of\\s+${PHRASE}`, "i"), right: 1, wrong: 2 },
  { re: new RegExp(`\\b(?:don'?t|do not|never)\\s+use\\s+${PHRASE}\\s*[,;.]?\\s+(?:please\\s+)?use\\s+${PHRASE}`, "i"), wrong: 1, right: 2 },
  { re: new RegExp(`\\b(?:don'?t|do not|never)\\s+use\\s+${PHRASE}`, "i"), wrong: 1 },
  { re: new RegExp(`\\buse\\s+${PHRASE}\\s+instead\\b`, "i"), right: 1 },
  { re: new RegExp(`^\\s*(?:no|nope|wrong)\\b[,.!:;]?\\s+(?:please\\s+)?(?:use|run)\\s+${PHRASE}`, "im"), right: 1 },
];

function clean(phrase: string | undefined): string | undefined {
  if (phrase === undefined) return undefined;
  const text = phrase.replace(/^`|`$/g, "").trim().replace(/[.,;:!]+$/, "");
  return text.length > 0 ? text : undefined;
}

/** What a message asks to use and to avoid, when it reads as a correction. */
export function parseCorrection(text: string): { right?: string; wrong?: string } | undefined {
  const head = text.slice(0, 600);
  for (const { re, right, wrong } of PATTERNS) {
    const match = re.exec(head);
    if (!match) continue;
    const r = right !== undefined ? clean(match[right]) : undefined;
    const w = wrong !== undefined ? clean(match[wrong]) : undefined;
    if (r === undefined && w === undefined) continue;
    return { ...(r !== undefined ? { right: r } : {}), ...(w !== undefined ? { wrong: w } : {}) };
  }
  return undefined;
}

/** Observations from the human's corrections in one session. */
export function observeUser(log: SessionLog): Observation[] {
  const out: Observation[] = [];
  // The agent's recent commands, newest last: what a correction may be about.
  const recent: { head: string; binary: string; role?: string; index: number }[] = [];
  for (const event of log.events) {
    if (event.kind === "tool") {
      const parsed = event.command !== undefined ? parseCommand(event.command) : undefined;
      if (parsed) recent.push({ head: parsed.head, binary: parsed.binary, index: event.index, ...(parsed.role ? { role: parsed.role } : {}) });
      if (recent.length > 12) recent.shift();
      continue;
    }
    const previous = recent.at(-1);
    const correction = parseCorrection(event.text);
    if (!correction) continue;
    let { wrong } = correction;
    const { right } = correction;
    const rightParsed = right !== undefined ? parseCommand(right) : undefined;
    const events = [event.index];
    if (wrong === undefined && rightParsed?.role && previous?.role === rightParsed.role && previous.head !== rightParsed.head) {
      wrong = previous.head;
      events.unshift(previous.index);
    }
    let wrongParsed = wrong !== undefined ? parseCommand(wrong) : undefined;
    // Cite the call being corrected, so a failure and the words about it count as one incident;
    // "not yarn" after `yarn test` is about `yarn test`.
    const bare = wrongParsed !== undefined && wrongParsed.words.length === 1;
    const corrected = events.length === 1 && wrongParsed ? recent.findLast((c) => c.binary === wrongParsed?.binary && (bare || c.head === wrongParsed?.head)) : undefined;
    if (corrected) {
      events.unshift(corrected.index);
      if (bare) wrongParsed = parseCommand(corrected.head);
    }
    // Both sides are commands doing one job: the same rule a failed run and its fix would give.
    if (rightParsed && wrongParsed && (rightParsed.role ?? wrongParsed.role) && rightParsed.head !== wrongParsed.head) {
      const role = rightParsed.role ?? wrongParsed.role;
      out.push({
        key: `command:${wrongParsed.head}->${rightParsed.head}`,
        kind: "command",
        agent: log.agent,
        session: log.session,
        events,
        wrong: wrongParsed.head,
        right: rightParsed.head,
        ...(role ? { role } : {}),
      });
      continue;
    }
    out.push({
      key: `user:${(right ?? "").toLowerCase()}|${(wrong ?? "").toLowerCase()}`,
      kind: "user",
      agent: log.agent,
      session: log.session,
      events,
      ...(right !== undefined ? { right } : {}),
      ...(wrong !== undefined ? { wrong } : {}),
    });
  }
  return out;
}
