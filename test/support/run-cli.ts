import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";

const ENTRY = join(import.meta.dirname, "cli-entry.ts");

export interface CliRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdoutBytes: Buffer;
}

/** A fresh HEADROOM_HOME in a temp dir, so tests never touch the user's store. */
export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), "headroom-test-"));
}

/** Runs `headroom ARGS` from source in a child process with the given home and stdin. */
export async function runCli(args: readonly string[], options: { home: string; input?: string | Buffer; env?: Record<string, string> }): Promise<CliRun> {
  const result = await execa(process.execPath, ["--import", "tsx", ENTRY, ...args], {
    env: { HEADROOM_HOME: options.home, NO_COLOR: "1", ...options.env },
    ...(options.input !== undefined ? { input: options.input } : { stdin: "ignore" }),
    encoding: "buffer",
    stripFinalNewline: false,
    reject: false,
    timeout: 60_000,
  });
  const stdoutBytes = Buffer.from(result.stdout as Uint8Array);
  return {
    exitCode: result.exitCode ?? -1,
    stdout: stdoutBytes.toString("utf8"),
    stderr: Buffer.from(result.stderr as Uint8Array).toString("utf8"),
    stdoutBytes,
  };
}
