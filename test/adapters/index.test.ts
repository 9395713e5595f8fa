import { describe, expect, it } from "vitest";
import { ADAPTER_NAMES, adapterFor } from "../../adapters/index.js";
import { isHeadroomError } from "../../src/errors.js";

describe("adapter registry", () => {
  it("has one adapter per supported agent, each named for it", () => {
    expect(ADAPTER_NAMES).toEqual(["claude", "codex", "copilot", "aider", "cursor"]);
    for (const name of ADAPTER_NAMES) expect(adapterFor(name).name).toBe(name);
  });

  it("an unknown agent is HR_UNKNOWN_AGENT and lists the supported ones", () => {
    let err: unknown;
    try {
      adapterFor("gemini");
    } catch (e) {
      err = e;
    }
    expect(isHeadroomError(err, "HR_UNKNOWN_AGENT")).toBe(true);
    expect((err as Error).message).toBe('Unknown agent "gemini". headroom wrap supports: claude, codex, copilot, aider, cursor.');
  });
});
