// Placeholder entry, replaced by the command wiring.
import { VERSION } from "../version.js";

export async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("--version")) console.log(VERSION);
  return 0;
}
