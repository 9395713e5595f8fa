// Checks shared by the line compressors' tests: omitted counts add up, lossless output rebuilds.
import { parseMarkers, REPEAT_PATTERN } from "../../src/ccr/marker.js";

/** Lines the output accounts for: kept lines, repeat notes' copies and markers' counts (unit filter). */
export function accountedLines(output: string, units: readonly string[] = ["lines"]): number {
  let total = 0;
  for (const line of output.split("\n")) {
    const repeat = REPEAT_PATTERN.exec(line);
    if (repeat) {
      total += Number(repeat[1]);
      continue;
    }
    const markers = parseMarkers(line);
    const marker = markers[0];
    if (marker && units.includes(marker.unit)) total += marker.count;
    else if (!marker) total += 1;
  }
  return total;
}

/** Undoes the lossless repeat fold. */
export function unfoldRepeats(output: string): string {
  const out: string[] = [];
  for (const line of output.split("\n")) {
    const repeat = REPEAT_PATTERN.exec(line);
    if (repeat) for (let i = 0; i < Number(repeat[1]); i++) out.push(out[out.length - 1] ?? "");
    else out.push(line);
  }
  return out.join("\n");
}
