// Journaled edits shared by several wrappers at once: the file keeps the edit until the last of them
// leaves, whichever order they leave in, and goes back to its original bytes exactly once.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { editWithJournal, JOURNAL_DIR_NAME, recoverJournals } from "../../adapters/journal.js";

const ORIGINAL = '{ "mine": true }\n';
const EDITED = '{ "mine": true, "headroom": 1 }\n';
// The edit the cursor adapter makes: nothing to do when the entry is already there.
const addEntry = (original: Buffer | undefined) => (original?.toString("utf8").includes("headroom") ? undefined : EDITED);

let dir: string;
let file: string;
let dataDir: string;
let others: ChildProcess[];

// A process that stands for another running wrapper: alive until killed.
function otherWrapper(): Promise<number> {
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 120000)"], { stdio: "ignore" });
  others.push(child);
  return new Promise((resolve) => child.once("spawn", () => resolve(child.pid!)));
}

function stop(pid: number): Promise<void> {
  const child = others.find((c) => c.pid === pid)!;
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "headroom-journal-"));
  file = join(dir, "mcp.json");
  dataDir = join(dir, "data");
  others = [];
  writeFileSync(file, ORIGINAL);
});
afterEach(() => {
  for (const child of others) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

const journals = () => (existsSync(join(dataDir, JOURNAL_DIR_NAME)) ? readdirSync(join(dataDir, JOURNAL_DIR_NAME)) : []);

describe("editWithJournal", () => {
  it("one wrapper: edits, then restores byte for byte and leaves no journal", async () => {
    const undo = editWithJournal(dataDir, file, addEntry);
    expect(readFileSync(file, "utf8")).toBe(EDITED);
    await undo();
    await undo();
    expect(readFileSync(file, "utf8")).toBe(ORIGINAL);
    expect(journals()).toEqual([]);
  });

  it("first in, first out: the file stays edited for the second wrapper, then is restored when it leaves", async () => {
    const first = await otherWrapper();
    const undoFirst = editWithJournal(dataDir, file, addEntry, first);
    const undoSecond = editWithJournal(dataDir, file, addEntry);
    expect(readFileSync(file, "utf8")).toBe(EDITED);
    await undoFirst();
    await stop(first);
    expect(readFileSync(file, "utf8")).toBe(EDITED);
    await undoSecond();
    expect(readFileSync(file, "utf8")).toBe(ORIGINAL);
    expect(journals()).toEqual([]);
  });

  it("last in, first out: the second leaving does not restore while the first still runs", async () => {
    const undoFirst = editWithJournal(dataDir, file, addEntry);
    const second = await otherWrapper();
    const undoSecond = editWithJournal(dataDir, file, addEntry, second);
    await undoSecond();
    await stop(second);
    expect(readFileSync(file, "utf8")).toBe(EDITED);
    await undoFirst();
    expect(readFileSync(file, "utf8")).toBe(ORIGINAL);
    expect(journals()).toEqual([]);
  });

  it("the first leaves, then the second is killed with -9: the next run's recovery restores", async () => {
    const undoFirst = editWithJournal(dataDir, file, addEntry);
    const second = await otherWrapper();
    editWithJournal(dataDir, file, addEntry, second);
    await undoFirst();
    expect(readFileSync(file, "utf8")).toBe(EDITED);
    expect(recoverJournals(dataDir)).toEqual([]);
    await stop(second);
    expect(recoverJournals(dataDir)).toEqual([file]);
    expect(readFileSync(file, "utf8")).toBe(ORIGINAL);
    expect(journals()).toEqual([]);
  });

  it("an entry the user installed themselves (no running wrapper's journal) is left alone and never removed", async () => {
    writeFileSync(file, EDITED);
    const undo = editWithJournal(dataDir, file, addEntry);
    await undo();
    expect(readFileSync(file, "utf8")).toBe(EDITED);
    expect(journals()).toEqual([]);
  });
});
