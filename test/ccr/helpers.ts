import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";

/** A fresh temp directory per call, removed after the current test. */
export function useTempDirs(): () => string {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), "headroom-ccr-"));
    made.push(dir);
    return dir;
  };
}

/** Mode bits of a file (permissions only). */
export function modeOf(stat: { mode: number }): number {
  return stat.mode & 0o777;
}
