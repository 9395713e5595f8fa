// The worker thread of unit-pool.ts: compressUnit, off the main thread. Pure like compressUnit itself:
// no store, no clock; the memo stays with the caller. One message in, one message out, in order.
import { parentPort } from "node:worker_threads";
import { compressUnit } from "./compress-unit.js";
import type { UnitJob, UnitReply } from "./unit-pool.js";

const port = parentPort;
if (port) {
  port.on("message", (job: UnitJob) => {
    let reply: UnitReply;
    try {
      reply = { id: job.id, outcome: compressUnit(job.text, job.options) };
    } catch (error) {
      reply = { id: job.id, error: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(reply);
  });
  port.postMessage({ ready: true } satisfies UnitReply);
}
