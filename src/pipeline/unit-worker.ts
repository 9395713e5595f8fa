// The worker thread of unit-pool.ts: compressUnit (and token counting for the ledger), off the main
// thread. Pure like compressUnit itself: no store, no clock; the memo stays with the caller. Jobs
// are answered one at a time, in the order they came. The worker says it is ready once the
// tree-sitter grammars are loaded, so code is never compressed without them.
import { parentPort } from "node:worker_threads";
import { loadGrammars } from "../resources/grammars.js";
import { loadCounter } from "../tokens/count.js";
import { compressUnit } from "./compress-unit.js";
import type { UnitJob, UnitReply } from "./unit-pool.js";

async function answer(job: UnitJob): Promise<UnitReply> {
  try {
    if (job.type === "count") return { id: job.id, tokens: (await loadCounter(job.model))(job.text) };
    return { id: job.id, outcome: compressUnit(job.text, job.options) };
  } catch (error) {
    return { id: job.id, error: error instanceof Error ? error.message : String(error) };
  }
}

const port = parentPort;
if (port) {
  let queue = Promise.resolve();
  port.on("message", (job: UnitJob) => {
    queue = queue.then(async () => port.postMessage(await answer(job)));
  });
  // Grammars first (a failed one is recorded, not thrown): the pool sends jobs only after "ready".
  void loadGrammars().then(() => port.postMessage({ ready: true } satisfies UnitReply));
}
