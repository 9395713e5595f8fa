// The built CLI (`node bin/headroom.js learn`; `npm run test:e2e` builds first) on the fixtures, with HOME pointed at a temp copy:
// --json carries a version, a dry run prints the diff and writes nothing, --apply twice is idempotent.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { fixtureHome, tempProject } from "../cli/learn-support.js";

const ROOT = join(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/headroom.js");

async function headroom(args: string[], cwd: string, home: string) {
  return execa(process.execPath, [BIN, ...args], { cwd, env: { HOME: home, NO_COLOR: "1" }, extendEnv: false, stdin: "ignore", reject: false, timeout: 60_000 });
}

describe("headroom learn (built)", () => {
  it("--json: versioned report of the project's rules, nothing written", async () => {
    const project = tempProject();
    const home = fixtureHome(project);
    const result = await headroom(["learn", "--json"], project, home);
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout) as { version: number; dryRun: boolean; targets: { file: string; rules: { id: string; evidence: number }[] }[] };
    expect(report.version).toBe(1);
    expect(report.dryRun).toBe(true);
    expect(report.targets.map((t) => [t.file, t.rules.map((r) => r.id)])).toEqual([
      [join(project, "CLAUDE.md"), ["command:npm run build->npm run build:prod", "command:jest->npm test", "command:yarn test->npm test", "path:lib/->src/"]],
      [join(project, "AGENTS.md"), ["command:npm run build->npm run build:prod", "command:jest->npm test", "command:yarn test->npm test", "path:lib/->src/"]],
      [join(project, "GEMINI.md"), []],
    ]);
    expect(readdirSync(project)).toEqual([]);
  });

  it("dry run prints the diff; --apply writes; a second --apply changes no byte", async () => {
    const project = tempProject();
    const home = fixtureHome(project);
    const dry = await headroom(["learn", "--agent", "codex"], project, home);
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toContain("+++ b/AGENTS.md\n@@ -0,0 +1,10 @@\n+<!-- headroom:learn:start -->");
    expect(dry.stderr).toContain("AGENTS.md: dry run, nothing written. Run again with --apply to write it.");
    expect(readdirSync(project)).toEqual([]);
    const applied = await headroom(["learn", "--agent", "codex", "--apply"], project, home);
    expect(applied.stderr).toContain("AGENTS.md: written.");
    const written = readFileSync(join(project, "AGENTS.md"));
    expect(written.toString()).toContain("- The files are in `src/`, not `lib/` (`lib/index.js` does not exist). (2 times in 2 sessions)\n");
    const again = await headroom(["learn", "--agent", "codex", "--apply"], project, home);
    expect(again.stdout).not.toContain("+++");
    expect(again.stderr).toContain("AGENTS.md: already up to date; no change.");
    expect(readFileSync(join(project, "AGENTS.md")).equals(written)).toBe(true);
  });
});
