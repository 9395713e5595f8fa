// Markers of line-keeping compressors name the lines they replace, numbered as the agent sees the
// output (in a file read: as in the file, after any agent header), so the agent can re-read exactly
// those lines before editing them.
import { describe, expect, it } from "vitest";
import { parseMarkers } from "../../src/ccr/marker.js";
import { compressUnit } from "../../src/pipeline/compress-unit.js";
import { buildQuery } from "../../src/pipeline/query.js";

// 700 distinct lines of plain text: every kept line says which line it was.
const FILE = Array.from({ length: 700 }, (_, i) => `entry ${i + 1}: the value of setting_${i + 1} is ${(i * 7919) % 1000} units`).join("\n");

// For each marker, the 1-based lines it stands for, from the kept lines around it.
function gapsAround(output: string, original: readonly string[]): { stated: [number, number]; actual: [number, number] }[] {
  const index = new Map(original.map((line, i) => [line, i + 1]));
  const lines = output.split("\n");
  const gaps: { stated: [number, number]; actual: [number, number] }[] = [];
  lines.forEach((line, k) => {
    const [marker] = parseMarkers(line);
    if (!marker) return;
    const range = /lines? (\d+)(?:-(\d+))?/.exec(marker.detail ?? "");
    expect(range, line).not.toBeNull();
    const before = k > 0 ? (index.get(lines[k - 1]!) ?? 0) : 0;
    const after = k + 1 < lines.length ? (index.get(lines[k + 1]!) ?? original.length + 1) : original.length + 1;
    gaps.push({ stated: [Number(range![1]), Number(range![2] ?? range![1])], actual: [before + 1, after - 1] });
  });
  return gaps;
}

describe("line ranges in text markers", () => {
  it("name exactly the lines missing between the kept lines around each marker", () => {
    const outcome = compressUnit(FILE, { query: buildQuery("setting_350"), kind: "text" });
    const gaps = gapsAround(outcome.text, FILE.split("\n"));
    expect(gaps.length).toBeGreaterThan(1);
    for (const gap of gaps) expect(gap.stated).toEqual(gap.actual);
  });

  it("count from the file's first line in a read behind an agent's header", () => {
    const header = "Chunk ID: 1a2b3c\nWall time: 0.0 seconds\nProcess exited with code 0\nOutput:\n";
    const outcome = compressUnit(header + FILE, { query: buildQuery("setting_350"), kind: "text", headerChars: header.length });
    expect(outcome.text.startsWith(header)).toBe(true);
    const gaps = gapsAround(outcome.text.slice(header.length), FILE.split("\n"));
    expect(gaps.length).toBeGreaterThan(1);
    for (const gap of gaps) expect(gap.stated).toEqual(gap.actual);
  });
});
