// Runs the agent with the terminal attached and the signal rules `wrap` promises:
// - Ctrl+C goes from the terminal to the whole foreground process group, so the agent already has
//   it: the wrapper ignores SIGINT (it must neither die nor send it a second time);
// - SIGTERM and SIGHUP sent to the wrapper alone are forwarded to the agent;
// - the exit code is the agent's, or 128 + n when signal n ended it.
import { constants } from "node:os";
import { execa } from "execa";

export interface ChildOutcome {
  readonly exitCode: number;
  readonly signal: NodeJS.Signals | undefined;
}

export interface RunChildOptions {
  readonly bin: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

const FORWARDED: readonly NodeJS.Signals[] = ["SIGTERM", "SIGHUP"];

export async function runChild(options: RunChildOptions): Promise<ChildOutcome> {
  const child = execa(options.bin, [...options.args], {
    env: { ...options.env },
    extendEnv: false,
    stdio: "inherit",
    reject: false,
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  const ignore = () => {};
  const forward = (signal: NodeJS.Signals) => {
    child.kill(signal);
  };
  process.on("SIGINT", ignore);
  for (const signal of FORWARDED) process.on(signal, forward);
  try {
    const result = await child;
    if (result.failed && result.exitCode === undefined && result.signal === undefined) {
      // The agent could not be started at all (ENOENT, EACCES...).
      throw result;
    }
    const signal = result.signal as NodeJS.Signals | undefined;
    if (signal) return { exitCode: 128 + (constants.signals[signal] ?? 0), signal };
    return { exitCode: result.exitCode ?? 1, signal: undefined };
  } finally {
    process.off("SIGINT", ignore);
    for (const signal of FORWARDED) process.off(signal, forward);
  }
}
