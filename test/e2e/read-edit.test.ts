/**
 * An agent edits against what it read, through headroom, with the default file-read policy:
 *
 *   claude --> headroom (startProxy, temp store) --> scripted upstream
 *
 * The project holds a real 900-line source file (commander's lib/command.js). The scripted model
 *   1. Reads it whole: headroom compresses that read (markers in what the upstream gets; every kept
 *      line carries its true line number and is byte-identical to the file's line);
 *   2. Edits with an old_string copied from a kept line of that compressed read;
 *   3. Reads an elided range with offset/limit: it reaches the upstream exact;
 *   4. Edits inside that range.
 * Both edits must succeed and both changes must be on disk.
 *
 * Needs the agents (scripts/install-e2e-agents.sh); skipped when Claude Code is missing.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Store } from "../../src/ccr/store.js";
import { hasMarker, parseMarkers } from "../../src/ccr/marker.js";
import { startProxy } from "../../src/proxy/server.js";
import { agentInstalled, describeRun, notInstalledMessage, runClaude, runCodex } from "./support/agents.js";
import { say, shell, start, tool, type RecordedRequest, type Turn, type TurnContext } from "./support/scripted-upstream.js";
import { toolOutputs } from "./support/tool-outputs.js";

const SOURCE = readFileSync(resolve(import.meta.dirname, "../fixtures/outputs/code/commander-command-js.txt"), "utf8");
const LINES = SOURCE.split("\n");
const FINAL = "Both edits are in.";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

// The scripted upstream and a compressing proxy in front of it, with a store of their own; all
// closed after the test. The read (tens of KB) is compressed in the worker thread: a generous budget
// so a loaded machine does not turn it into the fail-open path (forwarded exact), which these tests
// are not about.
async function upstreamAndProxy(script: Parameters<typeof start>[0]) {
  const up = await start(script);
  cleanups.push(() => up.close());
  const dir = mkdtempSync(join(tmpdir(), "headroom-e2e-read-edit-store-"));
  const store = Store.open({ path: join(dir, "store.db") });
  cleanups.push(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const proxy = await startProxy({ port: 0, store, upstreams: { anthropic: up.url, openai: `${up.url}/v1` }, preloadTokenizer: false, workerBudgetMs: 30_000 });
  cleanups.push(() => proxy.close());
  return { up, proxy, store };
}

// The text of the newest tool_result in an Anthropic request body, and whether it is an error.
function lastToolResult(body: Json): { id: string; text: string; isError: boolean } | undefined {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (!isObj(message) || !Array.isArray(message.content)) continue;
    for (const block of [...message.content].reverse()) {
      if (!isObj(block) || block.type !== "tool_result") continue;
      const content = block.content;
      const text = typeof content === "string" ? content : Array.isArray(content) ? content.map((part) => (isObj(part) && typeof part.text === "string" ? part.text : "")).join("") : "";
      return { id: String(block.tool_use_id), text, isError: block.is_error === true };
    }
  }
  return undefined;
}

// Kept lines of a numbered read: line number -> text after "N\t".
function keptLines(text: string): Map<number, string> {
  const kept = new Map<number, string>();
  for (const line of text.split("\n")) {
    const match = /^(\d+)\t/.exec(line);
    if (match && !hasMarker(line)) kept.set(Number(match[1]), line.slice(match[0].length));
  }
  return kept;
}

// A line that occurs once in the file, long enough to be an unambiguous old_string.
const uniqueInFile = (text: string): boolean => text.trim().length >= 20 && SOURCE.split(text).length === 2;

describe("read then edit through headroom (default file-read policy)", () => {
  it.skipIf(agentInstalled("claude") ? false : notInstalledMessage("claude"))(
    "claude: a compressed whole Read, an Edit from a kept line, a ranged Read of an elided part (exact), an Edit in it",
    async () => {
      const project = mkdtempSync(join(tmpdir(), "headroom-e2e-read-edit-"));
      cleanups.push(() => rmSync(project, { recursive: true, force: true }));
      mkdirSync(join(project, "lib"));
      const file = join(project, "lib", "command.js");
      writeFileSync(file, SOURCE);

      // Decisions the script takes from what it was sent (the compressed read), kept for the assertions.
      const plan: { first?: { line: number; text: string }; gap?: { from: number; to: number }; second?: { line: number; text: string } } = {};
      const script = (ctx: TurnContext): Turn => {
        if (ctx.index === 0) return tool("Read", { file_path: file });
        if (ctx.index === 1) {
          const read = lastToolResult(ctx.body)?.text ?? "";
          const kept = keptLines(read);
          const numbers = [...kept.keys()];
          // The widest elided stretch between two kept lines.
          let gap: { from: number; to: number } | undefined;
          for (let i = 1; i < numbers.length; i++) {
            const from = numbers[i - 1]! + 1;
            const to = numbers[i]! - 1;
            if (to - from >= 4 && (!gap || to - from > gap.to - gap.from)) gap = { from, to };
          }
          const first = numbers.find((n) => uniqueInFile(kept.get(n)!) && (!gap || n < gap.from || n > gap.to));
          if (!gap || first === undefined) return say("the read was not compressed");
          plan.gap = gap;
          plan.first = { line: first, text: kept.get(first)! };
          return tool("Edit", { file_path: file, old_string: plan.first.text, new_string: `${plan.first.text} // edited from a kept line` });
        }
        if (ctx.index === 2 && plan.gap) return tool("Read", { file_path: file, offset: plan.gap.from, limit: plan.gap.to - plan.gap.from + 1 });
        if (ctx.index === 3 && plan.gap) {
          const kept = keptLines(lastToolResult(ctx.body)?.text ?? "");
          const line = [...kept.keys()].find((n) => uniqueInFile(kept.get(n)!));
          if (line === undefined) return say("no unique line in the range");
          plan.second = { line, text: kept.get(line)! };
          return tool("Edit", { file_path: file, old_string: plan.second.text, new_string: `${plan.second.text} // edited from a ranged read` });
        }
        return say(FINAL);
      };

      const { up, proxy, store } = await upstreamAndProxy(script);

      const result = await runClaude({
        baseUrl: proxy.url,
        prompt: "Make the two edits I ask for in lib/command.js.",
        cwd: project,
        outboundProxy: up.url,
        timeoutMs: 90_000,
        args: ["--permission-mode", "acceptEdits", "--allowedTools", "Read,Edit"],
      });
      const main = up.modelRequests().filter((q): q is RecordedRequest & { json: Json } => q.shellToolName !== undefined && isObj(q.json));
      const info = () => `${describeRun(result)}\nplan: ${JSON.stringify(plan)}\nturns: ${main.map((q) => `${q.turnIndex}:${JSON.stringify(q.turn).slice(0, 160)}`).join("\n  ")}`;
      expect(result.timedOut, info()).toBe(false);
      expect(result.exitCode, info()).toBe(0);
      expect(result.stdout, info()).toContain(FINAL);
      expect(main.map((q) => q.turnIndex), info()).toEqual([0, 1, 2, 3, 4]);

      // 1. The whole read reached the upstream compressed: markers, and every kept line under its true number.
      const whole = lastToolResult(main[1]!.json)!;
      expect(whole.isError, info()).toBe(false);
      expect(whole.text.length, info()).toBeLessThan(SOURCE.length);
      const markers = parseMarkers(whole.text);
      expect(markers.length, whole.text.slice(0, 2000)).toBeGreaterThan(0);
      const kept = keptLines(whole.text);
      expect(kept.size).toBeGreaterThan(20);
      for (const [line, text] of kept) expect(text, `line ${line}`).toBe(LINES[line - 1]);
      // Every line is a kept line or carries a marker.
      for (const line of whole.text.split("\n")) expect(/^\d+\t/.test(line) || hasMarker(line), line).toBe(true);
      // The markers name the original read, which the store gives back.
      const original = store.get(markers[0]!.hash);
      expect(original).toBeDefined();
      expect([...keptLines(original!).values()]).toEqual(LINES);

      // 2. The Edit from a kept line succeeded.
      const firstEdit = lastToolResult(main[2]!.json)!;
      expect(firstEdit.isError, firstEdit.text).toBe(false);
      expect(firstEdit.text, info()).toMatch(/has been updated/);

      // 3. The ranged read of the elided part reached the upstream exact.
      const ranged = lastToolResult(main[3]!.json)!;
      const expected = LINES.slice(plan.gap!.from - 1, plan.gap!.to).map((text, i) => `${plan.gap!.from + i}\t${text}`);
      expect(parseMarkers(ranged.text)).toEqual([]);
      expect(ranged.text.split("\n").filter((line) => /^\d+\t/.test(line)), ranged.text).toEqual(expected);
      // What the agent sent for that read is what the upstream got, byte for byte.
      expect(toolOutputs(main[3]!.json).get(ranged.id)?.text).toBe(ranged.text);

      // 4. The Edit inside that range succeeded.
      const secondEdit = lastToolResult(main[4]!.json)!;
      expect(secondEdit.isError, secondEdit.text).toBe(false);
      expect(secondEdit.text).toMatch(/has been updated/);

      const onDisk = readFileSync(file, "utf8");
      expect(onDisk).toContain(`${plan.first!.text} // edited from a kept line`);
      expect(onDisk).toContain(`${plan.second!.text} // edited from a ranged read`);
      expect(onDisk.split("\n")).toHaveLength(LINES.length);
    },
  );

  // Codex sends outputs over ~10 KB as a head and a tail only, so its file is the first 200 lines
  // (nl -ba prints 8.9 KB: above the 2000-token threshold, below Codex's own cut).
  it.skipIf(agentInstalled("codex") ? false : notInstalledMessage("codex"))(
    "codex: a compressed `nl -ba` read, apply_patch from a kept line, a ranged `nl -ba | sed -n` read (exact), apply_patch in it",
    async () => {
      const lines = LINES.slice(0, 200);
      const source = `${lines.join("\n")}\n`;
      const project = mkdtempSync(join(tmpdir(), "headroom-e2e-read-edit-"));
      cleanups.push(() => rmSync(project, { recursive: true, force: true }));
      mkdirSync(join(project, "lib"));
      const file = join(project, "lib", "command.js");
      writeFileSync(file, source);
      const unique = (text: string) => text.trim().length >= 20 && source.split(text).length === 2;
      const patch = (old: string, added: string) => `apply_patch <<'EOF'\n*** Begin Patch\n*** Update File: lib/command.js\n@@\n-${old}\n+${old}${added}\n*** End Patch\nEOF`;

      const plan: { first?: { line: number; text: string }; gap?: { from: number; to: number }; second?: { line: number; text: string } } = {};
      const script = (ctx: TurnContext): Turn => {
        const outputs = [...toolOutputs(ctx.body).values()];
        const last = outputs.at(-1)?.text ?? "";
        if (ctx.index === 0) return shell("nl -ba lib/command.js");
        if (ctx.index === 1) {
          const kept = numberedLines(last);
          const numbers = [...kept.keys()];
          let gap: { from: number; to: number } | undefined;
          for (let i = 1; i < numbers.length; i++) {
            const from = numbers[i - 1]! + 1;
            const to = numbers[i]! - 1;
            if (to - from >= 4 && (!gap || to - from > gap.to - gap.from)) gap = { from, to };
          }
          const first = numbers.find((n) => unique(kept.get(n)!) && (!gap || n < gap.from || n > gap.to));
          if (!gap || first === undefined) return say("the read was not compressed");
          plan.gap = gap;
          plan.first = { line: first, text: kept.get(first)! };
          return shell(patch(plan.first.text, " // edited from a kept line"));
        }
        if (ctx.index === 2 && plan.gap) return shell(`nl -ba lib/command.js | sed -n '${plan.gap.from},${plan.gap.to}p'`);
        if (ctx.index === 3 && plan.gap) {
          const kept = numberedLines(last);
          const line = [...kept.keys()].find((n) => unique(kept.get(n)!));
          if (line === undefined) return say("no unique line in the range");
          plan.second = { line, text: kept.get(line)! };
          return shell(patch(plan.second.text, " // edited from a ranged read"));
        }
        return say(FINAL);
      };

      const { up, proxy } = await upstreamAndProxy(script);

      const result = await runCodex({ baseUrl: proxy.url, prompt: "Make the two edits I ask for in lib/command.js.", cwd: project, outboundProxy: up.url, timeoutMs: 90_000 });
      const main = up.modelRequests().filter((q): q is RecordedRequest & { json: Json } => q.shellToolName !== undefined && isObj(q.json));
      const outputAt = (turn: number) => [...toolOutputs(main[turn]!.json).values()].at(-1)?.text ?? "";
      const info = () => `${describeRun(result)}\nplan: ${JSON.stringify(plan)}\nturns: ${main.map((q) => `${q.turnIndex}:${JSON.stringify(q.turn).slice(0, 200)}`).join("\n  ")}\nlast output: ${outputAt(main.length - 1).slice(0, 600)}`;
      expect(result.timedOut, info()).toBe(false);
      expect(result.exitCode, info()).toBe(0);
      expect(result.stdout, info()).toContain(FINAL);
      expect(main.map((q) => q.turnIndex), info()).toEqual([0, 1, 2, 3, 4]);

      // 1. The whole read: Codex's header as it was, then the file part compressed with true numbers.
      const whole = outputAt(1);
      expect(whole, info()).toMatch(/^Chunk ID: .*\nWall time: .*\nProcess exited with code 0\nOriginal token count: \d+\nOutput:\n/);
      expect(parseMarkers(whole).length, whole.slice(0, 2000)).toBeGreaterThan(0);
      const kept = numberedLines(whole);
      expect(kept.size).toBeGreaterThan(10);
      for (const [line, text] of kept) expect(text, `line ${line}`).toBe(lines[line - 1]);

      // 2, 4. Both patches applied; 3. the ranged read reached the upstream exact.
      expect(outputAt(2), info()).toMatch(/Success\. Updated the following files:\s*\nM .*lib\/command\.js/);
      const ranged = outputAt(3);
      expect(parseMarkers(ranged)).toEqual([]);
      const expected = lines.slice(plan.gap!.from - 1, plan.gap!.to).map((text, i) => `${String(plan.gap!.from + i).padStart(6)}\t${text}`);
      expect(ranged.slice(ranged.indexOf("Output:\n") + "Output:\n".length).split("\n").filter(Boolean), ranged).toEqual(expected);
      expect(outputAt(4), info()).toMatch(/Success\. Updated the following files:\s*\nM .*lib\/command\.js/);

      const onDisk = readFileSync(file, "utf8");
      expect(onDisk).toContain(`${plan.first!.text} // edited from a kept line`);
      expect(onDisk).toContain(`${plan.second!.text} // edited from a ranged read`);
      expect(onDisk.split("\n")).toHaveLength(lines.length + 1);
    },
  );
});

// Kept lines of `nl -ba` output ("     12\tcode"): line number -> text after the tab.
function numberedLines(text: string): Map<number, string> {
  const kept = new Map<number, string>();
  for (const line of text.split("\n")) {
    const match = /^ *(\d+)\t/.exec(line);
    if (match && !hasMarker(line)) kept.set(Number(match[1]), line.slice(match[0].length));
  }
  return kept;
}
