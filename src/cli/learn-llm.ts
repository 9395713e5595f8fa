// `headroom learn --llm`: ask the installed agent CLI (`claude -p`, `codex exec`, `gemini -p`) to
// reword the rules. Fail-open: a rule keeps its offline text unless the answer keeps every code span
// of it (commands, paths) and is one short line; a missing CLI, an error or a timeout changes nothing.
import type { LearnedRule } from "../learn/mine.js";
import type { LearnAgent } from "../learn/types.js";

const TIMEOUT_MS = 120_000;

function prompt(rules: readonly LearnedRule[]): string {
  return [
    "Reword each rule below for an AI coding agent's instruction file: one short imperative sentence per rule.",
    "Keep every `code span` exactly as written. Add no facts. Answer with exactly one line per rule,",
    'numbered like "1. ...", and nothing else.',
    "",
    ...rules.map((rule, i) => `${i + 1}. ${rule.text}`),
  ].join("\n");
}

function invocation(agent: LearnAgent, text: string): [string, string[]] {
  if (agent === "codex") return ["codex", ["exec", "--skip-git-repo-check", text]];
  if (agent === "gemini") return ["gemini", ["-p", text]];
  return ["claude", ["-p", text]];
}

function codeSpans(text: string): string[] {
  return [...text.matchAll(/``?([^`]+)``?/g)].map((m) => m[1] as string);
}

// The numbered answer lines that pass the checks, by rule position.
export function acceptAnswers(rules: readonly LearnedRule[], answer: string): LearnedRule[] {
  const lines = new Map<number, string>();
  for (const line of answer.split(/\r?\n/)) {
    const match = /^\s*(\d+)[.)]\s+(.+?)\s*$/.exec(line);
    if (match) lines.set(Number(match[1]) - 1, match[2] as string);
  }
  return rules.map((rule, i) => {
    const text = lines.get(i);
    if (text === undefined || text.length > 300) return rule;
    if (!codeSpans(rule.text).every((span) => text.includes(span))) return rule;
    return { ...rule, text };
  });
}

/** The rules, reworded by the agent's CLI where its answer passes the checks. */
export async function rephrase(rules: readonly LearnedRule[], agent: LearnAgent, options: { env: NodeJS.ProcessEnv; cwd: string }): Promise<LearnedRule[]> {
  const { execa } = await import("execa");
  const [bin, args] = invocation(agent, prompt(rules));
  try {
    const result = await execa(bin, args, { env: options.env, extendEnv: false, cwd: options.cwd, stdin: "ignore", reject: false, timeout: TIMEOUT_MS });
    if (result.exitCode !== 0 || typeof result.stdout !== "string") return [...rules];
    return acceptAnswers(rules, result.stdout);
  } catch {
    return [...rules];
  }
}
