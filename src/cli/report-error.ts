// The one boundary that tells user errors (a HeadroomError: say what happened and what to do)
// from bugs (anything else: say so, with the stack, and where to report it).
import { isHeadroomError } from "../errors.js";
import { fail } from "./output.js";

export function reportError(error: unknown): number {
  if (isHeadroomError(error)) {
    fail(`${error.message} [${error.code}]`);
    return 1;
  }
  fail("internal error: this should never happen. Please report it with the lines below.");
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 70;
}
