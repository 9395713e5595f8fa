import { HeadroomError } from "../errors.js";

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses "90s", "30m", "12h", "7d", "2w" into milliseconds. */
export function parseDuration(text: string, what: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$/i.exec(text);
  if (!match) {
    throw new HeadroomError("HR_BAD_OPTION", `Invalid ${what} "${text}": use a number and a unit, e.g. 30m, 12h, 7d, 2w.`);
  }
  return Math.round(Number(match[1]) * (UNITS[(match[2] ?? "d").toLowerCase()] ?? 0));
}
