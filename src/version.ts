import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// Found by walking up from this file, so the same code works from src/ (tsx) and dist/src/ (built).
function readPackageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "headroom-cli" && pkg.version) return pkg.version;
    } catch {
      // not here: keep walking up
    }
    dir = dirname(dir);
  }
  return "0.0.0";
}

export const VERSION: string = readPackageVersion();

/** Schema version of every `--json` output and MCP answer. */
export const JSON_SCHEMA_VERSION = 1;
