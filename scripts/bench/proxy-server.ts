// The proxy under test, in its own process: `headroom proxy --port 0 --json` exactly as the CLI runs
// it (store and ledger in $HEADROOM_HOME, which the bench points at a temporary directory), plus an
// IPC channel through which the bench reads this process's memory:
//   "rss"        -> { rss, peak, heapAfterGc } in bytes (peak: highest RSS sampled every 20 ms since the
//                   last reset; heapAfterGc: JavaScript heap in use after a full collection)
//   "reset-peak" -> peak := current RSS
// Usage (from scripts/bench/proxy.ts): node --import tsx scripts/bench/proxy-server.ts MODE ANTHROPIC_URL OPENAI_URL
// Stops when the parent disconnects or on SIGTERM.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { proxyCommand } from "../../src/cli/proxy.js";

// A full collection before measuring the JavaScript heap, so a leak shows as growth across waves
// (RSS alone also counts heap V8 has grown into and not given back).
setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;

const [mode = "compress", anthropicUpstream, openaiUpstream] = process.argv.slice(2);

let peak = process.memoryUsage.rss();
setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss());
}, 20).unref();

process.on("message", (message) => {
  const rss = process.memoryUsage.rss();
  peak = Math.max(peak, rss);
  if (message === "rss") {
    collect();
    process.send?.({ rss, peak, heapAfterGc: process.memoryUsage().heapUsed });
  }
  else if (message === "reset-peak") {
    peak = rss;
    process.send?.({ rss, peak });
  }
});

const stop = new Promise<void>((resolve) => {
  process.once("disconnect", () => resolve());
  process.once("SIGTERM", () => resolve());
});

const options = { port: "0", mode, json: true, ...(anthropicUpstream ? { anthropicUpstream } : {}), ...(openaiUpstream ? { openaiUpstream } : {}) };
proxyCommand(options, process.env, stop).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench proxy: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
