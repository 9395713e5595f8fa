// File-read settings: defaults, env over the config file, and clear errors for bad values.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { resolveSettings } from "../../src/cli/settings.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function home(config?: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "headroom-settings-"));
  dirs.push(dir);
  if (config) writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  return dir;
}

describe("resolveSettings: file reads", () => {
  it('defaults to "large" above 2000 tokens', async () => {
    const settings = await resolveSettings({}, { HEADROOM_HOME: home() });
    expect(settings).toMatchObject({ fileReads: "large", fileReadMinTokens: 2000 });
  });

  it("takes the config file, and env over it", async () => {
    const dir = home({ fileReads: "exact", fileReadMinTokens: 500 });
    expect(await resolveSettings({}, { HEADROOM_HOME: dir })).toMatchObject({ fileReads: "exact", fileReadMinTokens: 500 });
    const env = { HEADROOM_HOME: dir, HEADROOM_FILE_READS: "large", HEADROOM_FILE_READ_MIN_TOKENS: "4000" };
    expect(await resolveSettings({}, env)).toMatchObject({ fileReads: "large", fileReadMinTokens: 4000 });
  });

  it.each([
    [{ HEADROOM_FILE_READS: "lossy" }, /file-read mode "lossy".*exact, large/],
    [{ HEADROOM_FILE_READ_MIN_TOKENS: "2k" }, /HEADROOM_FILE_READ_MIN_TOKENS/],
    [{ HEADROOM_FILE_READ_MIN_TOKENS: "-1" }, /HEADROOM_FILE_READ_MIN_TOKENS/],
  ])("rejects %j with HR_BAD_OPTION", async (env, message) => {
    await expect(resolveSettings({}, { HEADROOM_HOME: home(), ...env })).rejects.toMatchObject({ code: "HR_BAD_OPTION", message: expect.stringMatching(message) });
  });
});
