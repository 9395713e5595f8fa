// A compression worker that dies on any text containing "CRASH THE WORKER" (as a worker hit by an
// out-of-memory error or a native fault would), and is the real worker otherwise.
import { parentPort } from "node:worker_threads";

parentPort?.on("message", (job: { text: string }) => {
  if (job.text.includes("CRASH THE WORKER")) process.exit(70);
});
await import("../../../src/pipeline/unit-worker.js");
