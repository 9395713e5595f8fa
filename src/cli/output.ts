// Output helpers: data on stdout, messages on stderr; colour only where util.styleText allows it
// (it drops colour for NO_COLOR, FORCE_COLOR=0 and non-TTY streams).
import { styleText } from "node:util";
import { JSON_SCHEMA_VERSION } from "../version.js";

const STDERR = { stream: process.stderr };

export function printJson(value: object): void {
  process.stdout.write(`${JSON.stringify({ version: JSON_SCHEMA_VERSION, ...value }, null, 2)}\n`);
}

export function warn(message: string): void {
  process.stderr.write(`${styleText("yellow", "headroom:", STDERR)} ${message}\n`);
}

export function fail(message: string): void {
  process.stderr.write(`${styleText("red", "headroom:", STDERR)} ${message}\n`);
}

export function note(message: string): void {
  process.stderr.write(`${styleText("dim", message, STDERR)}\n`);
}

/**
 * `headroom ... | head` closes the pipe early: that is the reader saying "enough", not an error, so
 * the process ends quietly (exit 0) instead of dying on EPIPE with a stack trace.
 */
export function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
}
