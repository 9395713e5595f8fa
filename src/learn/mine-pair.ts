// Pairs each failed tool call with what fixed it later in the same session: the same task run with a
// different command (npx jest -> npm test, python -> python3), the same call with a different path
// (lib/ -> src/); or notes the failure as a missing binary or an unchanged retry when nothing fixed it.
import type { SessionLog, ToolEvent } from "./types.js";
import { classifyFailure, type Failure } from "./mine-classify.js";
import { parseCommand, pathWords, type ParsedCommand } from "./mine-command.js";
import type { Observation } from "./mine-observation.js";

/** How many later tool calls may hold the fix. */
const WINDOW = 12;

// A failure that is about the tooling (wrong binary, script, option), not about the code under test:
// only those make "use X, not Y" rules, so a failing test fixed by an edit is never taken for one.
const TOOLING =
  /not found|missing script|unknown (command|option|argument)|could not determine|cannot find module|no such file|not recognized|not installed|ENOENT|no tests? (found|ran)|unrecognized|invalid (option|argument|choice)|usage:|E404|ModuleNotFoundError|No module named|no rule to make target/i;

const EDIT_TOOLS = /^(edit|multiedit|write|notebookedit|apply_patch|write_file|replace|create_file|str_replace|str_replace_based_edit_tool|edit_file)$/i;

interface Step {
  readonly event: ToolEvent;
  readonly failure: Failure | undefined;
  readonly parsed: ParsedCommand | undefined;
  readonly edits: boolean;
}

function isEdit(event: ToolEvent): boolean {
  if (EDIT_TOOLS.test(event.tool)) return true;
  const command = event.command ?? "";
  return /\bapply_patch\b|\bsed -i\b|\bcat\s*>|\btee\b/.test(command);
}

function relative(path: string, cwd: string | undefined): string {
  let rel = path;
  if (cwd && rel.startsWith(`${cwd.replace(/\/+$/, "")}/`)) rel = rel.slice(cwd.replace(/\/+$/, "").length + 1);
  return rel.replace(/^\.\//, "").replace(/\/+$/, "");
}

/** The part two paths differ in, with their shared leading directories: lib/ vs src/. */
export function pathChange(
  wrong: string,
  right: string,
  requireSameName: boolean,
): { wrong: string; right: string; isDir: boolean } | undefined {
  const a = wrong.split("/");
  const b = right.split("/");
  let lead = 0;
  while (lead < a.length && lead < b.length && a[lead] === b[lead]) lead++;
  let tail = 0;
  while (tail < a.length - lead && tail < b.length - lead && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  if (a.length - lead - tail <= 0 || b.length - lead - tail <= 0) return undefined;
  if (requireSameName && tail === 0) return undefined;
  return { wrong: a.slice(0, a.length - tail).join("/"), right: b.slice(0, b.length - tail).join("/"), isDir: tail > 0 };
}

function candidatePaths(step: Step): string[] {
  const paths = step.event.path !== undefined ? [step.event.path] : [];
  if (step.parsed) paths.push(...pathWords(step.parsed.words));
  return paths;
}

function pathFix(steps: readonly Step[], at: number, failure: Failure, project: string | undefined): Omit<Observation, "agent" | "session"> | undefined {
  const failed = steps[at] as Step;
  const cwd = failed.event.cwd ?? project;
  const missing = relative(failure.path ?? "", cwd);
  if (!missing) return undefined;
  for (let j = at + 1; j < Math.min(steps.length, at + 1 + WINDOW); j++) {
    const step = steps[j] as Step;
    if (step.edits) return undefined; // the agent created or moved something: not a wrong guess
    if (step.failure) continue;
    let change: ReturnType<typeof pathChange>;
    // The same command with one word changed: `ls lib` -> `ls src`.
    const a = failed.parsed?.words;
    const b = step.parsed?.words;
    if (a && b && a.length === b.length) {
      const differing = a.flatMap((word, k) => (word !== b[k] ? [k] : []));
      const k = differing[0];
      if (differing.length === 1 && k !== undefined) {
        const word = relative(a[k] as string, cwd);
        if (word === missing || missing.endsWith(`/${word}`) || word.endsWith(`/${missing}`)) {
          change = pathChange(word, relative(b[k] as string, step.event.cwd ?? cwd), false);
        }
      }
    }
    for (const candidate of change ? [] : candidatePaths(step)) {
      change = pathChange(missing, relative(candidate, step.event.cwd ?? cwd), true);
      if (change) break;
    }
    if (change) {
      const wrong = change.isDir ? `${change.wrong}/` : change.wrong;
      const right = change.isDir ? `${change.right}/` : change.right;
      return { key: `path:${wrong}->${right}`, kind: "path", events: [failed.event.index, step.event.index], wrong, right, reason: failure.reason, detail: missing };
    }
  }
  return undefined;
}

function commandFix(steps: readonly Step[], at: number, failure: Failure): Omit<Observation, "agent" | "session"> | undefined {
  const failed = steps[at] as Step;
  const parsed = failed.parsed;
  if (!parsed) return undefined;
  if (failure.cause === "error" && !TOOLING.test(failed.event.output.slice(0, 1_500))) return undefined;
  let edited = false;
  for (let j = at + 1; j < Math.min(steps.length, at + 1 + WINDOW); j++) {
    const step = steps[j] as Step;
    edited ||= step.edits;
    const next = step.parsed;
    if (!next) continue;
    const sameTask = (parsed.role !== undefined && next.role === parsed.role) || (parsed.args !== "" && next.args === parsed.args && next.binary !== parsed.binary);
    if (!sameTask) continue;
    if (next.head === parsed.head) return undefined; // run again as it was: a retry, not a fix
    if (step.failure) continue;
    if (edited && failure.cause !== "command-not-found") return undefined;
    const role = parsed.role ?? next.role;
    return {
      key: `command:${parsed.head}->${next.head}`,
      kind: "command",
      events: [failed.event.index, step.event.index],
      wrong: parsed.head,
      right: next.head,
      ...(role ? { role } : {}),
      reason: failure.reason,
    };
  }
  return undefined;
}

// The next run of the very same command, if no edit came first: an unchanged retry.
function retryOf(steps: readonly Step[], at: number): number | undefined {
  const command = steps[at]?.event.command?.trim();
  if (!command) return undefined;
  for (let j = at + 1; j < Math.min(steps.length, at + 1 + WINDOW); j++) {
    const step = steps[j] as Step;
    if (step.edits) return undefined;
    if (step.event.command?.trim() === command) return j;
  }
  return undefined;
}

/** Observations from one session's tool calls (user messages are read by mine-user); paths are made relative to the event's cwd, else `project`. */
export function observeTools(log: SessionLog, project?: string): Observation[] {
  const steps: Step[] = [];
  for (const event of log.events) {
    if (event.kind !== "tool") continue;
    const parsed = event.command !== undefined ? parseCommand(event.command) : undefined;
    steps.push({ event, failure: classifyFailure(event), parsed, edits: isEdit(event) });
  }
  const fixes = steps.map((step, at) => {
    if (!step.failure) return undefined;
    if (step.failure.cause === "missing-path") return pathFix(steps, at, step.failure, project) ?? commandFix(steps, at, step.failure);
    return commandFix(steps, at, step.failure);
  });
  // A retry chain that ends in a fix is covered by the fix's rule.
  const chainFixed = (at: number): boolean => {
    for (let j: number | undefined = at, hops = 0; j !== undefined && hops < WINDOW; j = retryOf(steps, j), hops++) {
      if (!steps[j]?.failure) return false;
      if (fixes[j]) return true;
    }
    return false;
  };
  // Failed runs retried unchanged: the earlier run of each retry.
  const retriedFrom = new Map<number, number>();
  steps.forEach((step, at) => {
    const retry = step.failure ? retryOf(steps, at) : undefined;
    if (retry !== undefined && steps[retry]?.failure && !retriedFrom.has(retry)) retriedFrom.set(retry, at);
  });
  const seen = new Set<string>();
  const out: Observation[] = [];
  const add = (observation: Omit<Observation, "agent" | "session">) => {
    const id = `${observation.key}@${observation.events.at(-1)}`;
    if (seen.has(id)) return; // one fix cited once per rule
    seen.add(id);
    out.push({ agent: log.agent, session: log.session, ...observation });
  };
  steps.forEach((step, at) => {
    const failure = step.failure;
    if (!failure) return;
    const fix = fixes[at];
    if (fix) {
      const earlier: number[] = [];
      for (let j = retriedFrom.get(at); j !== undefined; j = retriedFrom.get(j)) earlier.unshift(steps[j]?.event.index ?? 0);
      return add(earlier.length > 0 ? { ...fix, events: [...earlier, ...fix.events], retried: true } : fix);
    }
    if (failure.cause === "command-not-found" && failure.binary) {
      if (chainFixed(at)) return;
      return add({ key: `not-installed:${failure.binary}`, kind: "not-installed", events: [step.event.index], wrong: failure.binary, reason: failure.reason, ...(step.parsed ? { detail: step.parsed.head } : {}) });
    }
    const retry = retryOf(steps, at);
    const again = retry !== undefined ? steps[retry] : undefined;
    if (retry !== undefined && again?.failure && !chainFixed(retry)) {
      const command = (step.event.command ?? "").trim();
      add({ key: `retry:${command}`, kind: "retry", events: [step.event.index, again.event.index], wrong: command, reason: again.failure.reason });
    }
  });
  return out;
}
