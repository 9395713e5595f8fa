// `headroom learn`: read the agents' session logs for this project, mine their failures, and show
// (dry run, the default) or write (--apply) the learned rules in each agent's instruction file.
import { relative, resolve } from "node:path";
import { HeadroomError } from "../errors.js";
import type { LearnedRule } from "../learn/mine.js";
import type { LearnAgent, ReadStats, SessionReader } from "../learn/types.js";
import { parseDuration } from "./duration.js";
import { useColor } from "./color.js";
import { note, printJson } from "./output.js";

const AGENTS: readonly LearnAgent[] = ["claude", "codex", "gemini"];

export interface LearnOptions {
  /** claude, codex, gemini or all (default all). */
  readonly agent?: string;
  /** Project directory (default: the current directory). */
  readonly project?: string;
  /** Only sessions active within this window: 30d, 12h... */
  readonly since?: string;
  readonly apply?: boolean;
  /** Instruction file to write instead of the agent's own (relative to the project). */
  readonly target?: string;
  readonly minEvidence?: string | number;
  /** Ask the agent's CLI to reword the rules (fails open to the offline wording). */
  readonly llm?: boolean;
  /** HOME, CLAUDE_CONFIG_DIR, CODEX_HOME, PATH...: default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly now?: number;
  /** Called with bytes read so far. */
  readonly onProgress?: (agent: LearnAgent, bytes: number) => void;
}

export interface LearnTarget {
  /** The agents whose sessions fed these rules. */
  readonly agents: readonly LearnAgent[];
  readonly file: string;
  readonly sessions: number;
  readonly rules: readonly LearnedRule[];
  readonly changed: boolean;
  readonly written: boolean;
  /** Unified diff of the change; "" when nothing changes. */
  readonly diff: string;
}

export interface LearnReport {
  readonly project: string;
  readonly dryRun: boolean;
  readonly minEvidence: number;
  readonly targets: readonly LearnTarget[];
  /** Per agent: transcript files read and skipped (unreadable or not the expected format). */
  readonly read: Readonly<Record<string, { sessions: number; files: number; filesSkipped: number; linesSkipped: number; bytes: number }>>;
  readonly filesSkipped: number;
  readonly linesSkipped: number;
}

function parseAgents(agent: string | undefined): LearnAgent[] {
  const name = (agent ?? "all").toLowerCase();
  if (name === "all") return [...AGENTS];
  if ((AGENTS as readonly string[]).includes(name)) return [name as LearnAgent];
  throw new HeadroomError("HR_BAD_OPTION", `Unknown agent "${agent}": use claude, codex, gemini or all.`);
}

function parseMinEvidence(value: string | number | undefined): number {
  if (value === undefined) return 2;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new HeadroomError("HR_BAD_OPTION", `Invalid --min-evidence "${value}": use a whole number, 1 or more.`);
  return n;
}

/**
 * Mines the project's sessions and plans (or, with `apply`, writes) each instruction file's block.
 * @example
 * const report = await learn({ agent: "codex", project: "/home/me/shop", since: "30d" });
 * report.targets[0]?.diff; // what AGENTS.md would gain
 */
export async function learn(options: LearnOptions = {}): Promise<LearnReport> {
  const agents = parseAgents(options.agent);
  const minEvidence = parseMinEvidence(options.minEvidence);
  const now = options.now ?? Date.now();
  const since = options.since !== undefined ? now - parseDuration(options.since, "--since") : undefined;
  const project = resolve(options.cwd ?? process.cwd(), options.project ?? ".");
  const env = options.env ?? process.env;
  const [{ Miner }, { createReadStats }, file, { readersFor }] = await Promise.all([
    import("../learn/mine.js"),
    import("../learn/read-jsonl.js"),
    import("../learn/instructions-file.js"),
    import("../learn/sources.js"),
  ]);
  const read: Record<string, LearnReport["read"][string]> = {};
  // One miner per file written: per agent, or all agents pooled when --target names one file.
  const miners = new Map<string, { agents: LearnAgent[]; miner: InstanceType<typeof Miner> }>();
  for (const agent of agents) {
    const path = file.instructionFile(agent, project, options.target);
    let entry = miners.get(path);
    if (!entry) miners.set(path, (entry = { agents: [], miner: new Miner({ project }) }));
    entry.agents.push(agent);
    const stats: ReadStats = createReadStats();
    const onProgress = options.onProgress;
    let sessions = 0;
    for await (const log of (readersFor(agent)[0] as SessionReader)({ project, env, stats, ...(since !== undefined ? { since } : {}), ...(onProgress ? { onProgress: (bytes: number) => onProgress(agent, bytes) } : {}) })) {
      entry.miner.add(log);
      sessions++;
    }
    read[agent] = { sessions, files: stats.files, filesSkipped: stats.filesSkipped, linesSkipped: stats.linesSkipped, bytes: stats.bytes };
  }
  const targets: LearnTarget[] = [];
  for (const [path, { agents: fed, miner }] of miners) {
    // --agent all writes only the files of agents that had sessions.
    if (miner.sessions === 0 && agents.length > 1) continue;
    let rules = miner.rules({ minEvidence });
    if (options.llm && rules.length > 0) rules = await (await import("./learn-llm.js")).rephrase(rules, fed[0] as LearnAgent, { env, cwd: project });
    const plan = file.planChange(path, rules, project);
    if (options.apply && plan.changed) file.writeAtomic(path, plan.after);
    targets.push({ agents: fed, file: path, sessions: miner.sessions, rules, changed: plan.changed, written: Boolean(options.apply && plan.changed), diff: plan.diff });
  }
  const filesSkipped = Object.values(read).reduce((sum, r) => sum + r.filesSkipped, 0);
  const linesSkipped = Object.values(read).reduce((sum, r) => sum + r.linesSkipped, 0);
  return { project, dryRun: !options.apply, minEvidence, targets, read, filesSkipped, linesSkipped };
}

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? "" : "s"}`;
}

/** The report as text: rules and diff on stdout's side, the rest as notes. */
export function formatReport(report: LearnReport): { out: string; notes: string[] } {
  const out: string[] = [];
  const notes: string[] = [];
  if (report.targets.length === 0) notes.push(`No agent sessions found for ${report.project}.`);
  for (const target of report.targets) {
    const name = relative(report.project, target.file) || target.file;
    out.push(`${target.agents.join(", ")}: ${plural(target.sessions, "session")} read, ${plural(target.rules.length, "rule")} with ${report.minEvidence}+ pieces of evidence -> ${name}`);
    for (const rule of target.rules) out.push(`  - ${rule.text} (${plural(rule.evidence, "time")} in ${plural(rule.sessions, "session")})`);
    if (target.diff) out.push("", target.diff.trimEnd(), "");
    if (!target.changed) notes.push(`${name}: ${target.rules.length === 0 ? "nothing to learn" : "already up to date"}; no change.`);
    else if (target.written) notes.push(`${name}: written.`);
    else notes.push(`${name}: dry run, nothing written. Run again with --apply to write it.`);
  }
  const skipped = [
    ...(report.filesSkipped > 0 ? [`${plural(report.filesSkipped, "file")} skipped (unreadable or not a transcript)`] : []),
    ...(report.linesSkipped > 0 ? [`${plural(report.linesSkipped, "line")} skipped (not JSON)`] : []),
  ];
  if (skipped.length > 0) notes.push(`${skipped.join(", ")}.`);
  return { out: out.length > 0 ? `${out.join("\n")}\n` : "", notes };
}

export interface LearnCommandOptions extends Omit<LearnOptions, "env" | "cwd" | "now" | "onProgress"> {
  readonly json?: boolean;
}

/** The CLI entry: runs `learn`, with a spinner on a terminal, and prints the report or JSON. */
export async function learnCommand(options: LearnCommandOptions): Promise<number> {
  const stderr = process.stderr;
  // A terminal that reports 0 columns (some pseudo-terminals) sends ora's line clearing into an endless loop.
  const spin = !options.json && stderr.isTTY && (stderr.columns ?? 0) > 0;
  const spinner = spin ? (await import("ora")).default({ stream: stderr, color: false, discardStdin: false, isEnabled: true }) : undefined;
  if (spinner && !useColor(stderr)) spinner.spinner = "line";
  spinner?.start("Reading agent sessions...");
  let last = 0;
  try {
    const report = await learn({
      ...options,
      ...(spinner
        ? {
            onProgress: (agent: LearnAgent, bytes: number) => {
              if (bytes >= last && bytes - last < 1 << 20 && last !== 0) return;
              last = bytes;
              spinner.text = `Reading ${agent} sessions... ${(bytes / 1e6).toFixed(1)} MB`;
            },
          }
        : {}),
    });
    spinner?.stop();
    if (options.json) {
      printJson(report);
      return 0;
    }
    const { out, notes } = formatReport(report);
    process.stdout.write(out);
    for (const line of notes) note(line);
    return 0;
  } finally {
    spinner?.stop();
  }
}
