// WAL checkpoints off the request path. SQLite's automatic checkpoint runs inside whichever commit
// takes the write-ahead log past 1,000 pages: for a proxy storing originals that is one write in
// ~35 taking 12-15 ms instead of 0.4 (measured: 86 KB originals), on the event loop, inside a
// request. A store opened for a long-running proxy turns the automatic checkpoint off on its own
// connection and lets this worker thread, with a connection of its own, checkpoint every interval
// (PASSIVE: it never blocks writers or readers). Plain JavaScript evaluated in the worker, so it
// runs the same from source and from dist.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

const WORKER_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { timeout: 5000, fileMustExist: true });
const checkpoint = () => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // busy or locked: the next tick tries again
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.once("message", () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export const DEFAULT_CHECKPOINT_INTERVAL_MS = 500;

export interface Checkpointer {
  /** Stops the worker after one last checkpoint; resolves when it has exited. */
  stop(): Promise<void>;
}

/** Starts checkpointing `path` in a worker thread; the thread never keeps the process alive. */
export function startCheckpointer(path: string, intervalMs = DEFAULT_CHECKPOINT_INTERVAL_MS): Checkpointer {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, driver, intervalMs }, execArgv: [] });
  worker.unref();
  // A worker that fails (the file vanished, the driver would not load) only means SQLite's own
  // checkpointing is missed: the log grows until the store is next opened. Never a crash.
  worker.on("error", () => undefined);
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  let stopping: Promise<void> | undefined;
  return {
    stop: () => {
      stopping ??= (async () => {
        worker.postMessage("stop");
        const timer = setTimeout(() => void worker.terminate(), 2000);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}
