// A reader that stops early (`headroom ... | head`) ends the command quietly, not with an EPIPE stack.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempHome } from "../support/run-cli.js";

const ENTRY = join(import.meta.dirname, "..", "support", "cli-entry.ts");

describe("stdout closed by the reader", () => {
  it("exits 0 without an error when the pipe closes after the first chunk", async () => {
    const big = Array.from({ length: 60_000 }, (_, i) => `line ${i} of a long listing that goes on`).join("\n");
    const child = spawn(process.execPath, ["--import", "tsx", ENTRY, "compress", "-", "--kind", "text"], {
      env: { ...process.env, HEADROOM_HOME: tempHome(), NO_COLOR: "1", HEADROOM_FILE_READS: "large" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.stdout.once("data", () => child.stdout.destroy());
    child.stdin.end(`${big}\n`);
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  });
});
