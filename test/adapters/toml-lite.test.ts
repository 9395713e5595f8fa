import { describe, expect, it } from "vitest";
import { parseTomlLite, splitKey } from "../../adapters/toml-lite.js";

describe("toml-lite (codex config.toml discovery)", () => {
  it("reads tables, quoted and dotted keys, strings, booleans, numbers, inline tables", () => {
    const t = parseTomlLite(
      [
        'model_provider = "corp" # comment',
        "[model_providers.corp]",
        "base_url = 'https://a.example/v1'",
        "requires_openai_auth = true",
        "request_max_retries = 4",
        '[model_providers."my.gw"]',
        'base_url = "https://b.example/\\u00e9"',
        '[profiles]',
        'work = { model_provider = "corp", model = "gpt-5" }',
        'x.y = "z"',
      ].join("\n"),
    );
    expect(t.get("model_provider")).toBe("corp");
    expect(t.get("model_providers.corp.base_url")).toBe("https://a.example/v1");
    expect(t.get("model_providers.corp.requires_openai_auth")).toBe(true);
    expect(t.get("model_providers.corp.request_max_retries")).toBe(4);
    expect(t.get("model_providers.my.gw.base_url")).toBe("https://b.example/é");
    expect(t.get("profiles.work.model_provider")).toBe("corp");
    expect(t.get("profiles.x.y")).toBe("z");
  });

  it("skips what it does not need without being confused by it", () => {
    const t = parseTomlLite(
      ['instructions = """', 'model_provider = "evil"', '"""', "[[hooks]]", 'model_provider = "nope"', "[a]", "arr = [1, 2]", 'b = "ok"'].join("\n"),
    );
    expect(t.has("model_provider")).toBe(false);
    expect(t.get("a.b")).toBe("ok");
    expect(t.has("a.arr")).toBe(false);
  });

  it("splitKey honours quotes and rejects junk", () => {
    expect(splitKey('a."b.c".d')).toEqual(["a", "b.c", "d"]);
    expect(splitKey("a..b")).toBeUndefined();
  });
});
