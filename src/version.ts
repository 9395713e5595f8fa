import { createRequire } from "node:module";

// Read once from package.json so `--version` and every `--json` output agree with the package.
const require = createRequire(import.meta.url);
export const VERSION: string = (require("../package.json") as { version: string }).version;

/** Schema version of every `--json` output and MCP answer. */
export const JSON_SCHEMA_VERSION = 1;
