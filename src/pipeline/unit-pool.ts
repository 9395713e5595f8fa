// A small pool of worker threads running compressUnit, so compressing a large tool output does not
// hold the event loop (other requests' streams keep flowing). Only the pure work moves: callers keep
// the memo and the store on their own thread (see compressMessagesAsync).
//
// Every job has a time limit. A job that runs past it is abandoned: its worker is terminated (so it
// stops burning a core and the next job does not wait behind it) and replaced on demand; a job still
// queued is dropped. A worker that dies fails its job. Either way run() rejects with a UnitPoolError
// and the caller forwards the original. Workers are started lazily and hold the process open only
// while they have work.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { UnitOptions, UnitOutcome } from "./compress-unit.js";

/** A message to a worker: compress one tool output, or count its tokens (for the ledger). */
export type UnitJob =
  | { readonly type: "compress"; readonly id: number; readonly text: string; readonly options: UnitOptions }
  | { readonly type: "count"; readonly id: number; readonly text: string; readonly model: string };

/** A message from a worker: ready once started, then one answer per job, in order. */
export type UnitReply =
  | { readonly ready: true }
  | { readonly id: number; readonly outcome: UnitOutcome }
  | { readonly id: number; readonly tokens: number }
  | { readonly id: number; readonly error: string };

export type UnitPoolFailure = "timeout" | "crash" | "error" | "closed";

/** Why a job got no answer: `reason` is timeout, crash (the worker died), error (compressUnit threw) or closed. */
export class UnitPoolError extends Error {
  readonly reason: UnitPoolFailure;
  constructor(reason: UnitPoolFailure, message: string) {
    super(message);
    this.name = "UnitPoolError";
    this.reason = reason;
  }
}

export interface UnitPoolOptions {
  /** Worker threads (default 1). */
  readonly size?: number;
  /** The worker script (tests inject one); default unit-worker next to this module (.js built, .ts under tsx). */
  readonly workerUrl?: URL;
}

export interface UnitPoolStats {
  readonly workers: number;
  readonly queued: number;
  /** Workers started since the pool was created (replacements included). */
  readonly started: number;
  readonly completed: number;
  readonly timeouts: number;
  readonly crashes: number;
}

type Answer = UnitOutcome | number;

interface Job {
  readonly message: UnitJob;
  readonly resolve: (answer: Answer) => void;
  readonly reject: (error: UnitPoolError) => void;
  timer: NodeJS.Timeout | undefined;
  slot: Slot | undefined;
  settled: boolean;
}

interface Slot {
  readonly worker: Worker;
  job: Job | undefined;
  ready: boolean;
  retired: boolean;
}

/**
 * @example
 * const pool = new UnitPool({ size: 1 });
 * const outcome = await pool.run(text, { query }, 2000); // rejects with UnitPoolError on timeout or crash
 * await pool.close();
 */
export class UnitPool {
  readonly #size: number;
  readonly #workerUrl: URL;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closed = false;
  #stats = { started: 0, completed: 0, timeouts: 0, crashes: 0 };

  constructor(options: UnitPoolOptions = {}) {
    this.#size = Math.max(1, Math.floor(options.size ?? 1));
    this.#workerUrl = options.workerUrl ?? defaultWorkerUrl();
  }

  /** compressUnit(text, options) in a worker; rejects with UnitPoolError when there is no answer within `timeoutMs`. */
  run(text: string, options: UnitOptions, timeoutMs: number): Promise<UnitOutcome> {
    return this.#submit((id) => ({ type: "compress", id, text, options }), timeoutMs) as Promise<UnitOutcome>;
  }

  /** Tokens of `text` with `model`'s encoding (src/tokens/count.ts), counted in a worker. */
  count(text: string, model: string, timeoutMs: number): Promise<number> {
    return this.#submit((id) => ({ type: "count", id, text, model }), timeoutMs) as Promise<number>;
  }

  #submit(message: (id: number) => UnitJob, timeoutMs: number): Promise<Answer> {
    if (this.#closed) return Promise.reject(new UnitPoolError("closed", "the compression pool is closed"));
    return new Promise<Answer>((resolve, reject) => {
      const job: Job = { message: message(this.#nextId++), resolve, reject, timer: undefined, slot: undefined, settled: false };
      job.timer = setTimeout(() => this.#timeout(job, timeoutMs), Math.max(0, timeoutMs));
      this.#queue.push(job);
      this.#dispatch();
    });
  }

  stats(): UnitPoolStats {
    return { workers: this.#slots.length, queued: this.#queue.length, ...this.#stats };
  }

  /** Fails queued and running jobs with "closed" and terminates every worker. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) this.#settle(job, new UnitPoolError("closed", "the compression pool was closed"));
    const slots = this.#slots.splice(0);
    for (const slot of slots) {
      slot.retired = true;
      if (slot.job) this.#settle(slot.job, new UnitPoolError("closed", "the compression pool was closed"));
    }
    await Promise.allSettled(slots.map((slot) => slot.worker.terminate()));
  }

  #dispatch(): void {
    while (this.#queue.length > 0 && !this.#closed) {
      let slot = this.#slots.find((candidate) => candidate.ready && candidate.job === undefined);
      if (!slot) {
        // Start another worker only if every existing one is busy (a starting one counts as busy).
        if (this.#slots.length >= this.#size || this.#slots.some((candidate) => !candidate.ready)) return;
        this.#spawn();
        return;
      }
      const job = this.#queue.shift()!;
      job.slot = slot;
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage(job.message);
    }
  }

  #spawn(): void {
    const ts = this.#workerUrl.pathname.endsWith(".ts");
    // Under tsx (tests, benchmarks) the worker is TypeScript: register tsx's hooks in the worker
    // first (Node 20 workers do not inherit them), then load it.
    const worker = ts
      ? new Worker(`import(${JSON.stringify(tsxApiUrl())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(this.#workerUrl.href)}); })`, { eval: true, execArgv: [] })
      : new Worker(this.#workerUrl, { execArgv: [] });
    const slot: Slot = { worker, job: undefined, ready: false, retired: false };
    this.#slots.push(slot);
    this.#stats.started += 1;
    worker.unref();
    worker.on("message", (reply: UnitReply) => this.#reply(slot, reply));
    // An uncaught error is followed by "exit"; the exit decides.
    worker.on("error", () => undefined);
    worker.on("exit", () => this.#exited(slot));
  }

  #reply(slot: Slot, reply: UnitReply): void {
    if (slot.retired) return;
    if ("ready" in reply) {
      slot.ready = true;
      this.#dispatch();
      return;
    }
    const job = slot.job;
    slot.job = undefined;
    slot.worker.unref();
    // A late answer to an abandoned job cannot happen (its worker is terminated), but never trust ids blindly.
    if (job && job.message.id === reply.id) {
      if ("error" in reply) this.#settle(job, new UnitPoolError("error", `the worker failed: ${reply.error}`));
      else {
        this.#stats.completed += 1;
        this.#settle(job, undefined, "tokens" in reply ? reply.tokens : reply.outcome);
      }
    }
    this.#dispatch();
  }

  #exited(slot: Slot): void {
    const index = this.#slots.indexOf(slot);
    if (index >= 0) this.#slots.splice(index, 1);
    if (slot.retired) return;
    slot.retired = true;
    this.#stats.crashes += 1;
    if (slot.job) this.#settle(slot.job, new UnitPoolError("crash", "the compression worker exited"));
    // A worker that dies while starting fails the first queued job, so a broken worker script
    // cannot make every job wait for its timeout in a loop of restarts.
    else if (!slot.ready) {
      const job = this.#queue.shift();
      if (job) this.#settle(job, new UnitPoolError("crash", "the compression worker did not start"));
    }
    this.#dispatch();
  }

  #timeout(job: Job, timeoutMs: number): void {
    if (job.settled) return;
    this.#stats.timeouts += 1;
    const error = new UnitPoolError("timeout", `no answer from the compression worker within ${timeoutMs} ms`);
    const queued = this.#queue.indexOf(job);
    if (queued >= 0) this.#queue.splice(queued, 1);
    const slot = job.slot;
    if (slot && slot.job === job) {
      // Still computing: stop it. The slot goes now; a replacement starts when work arrives.
      slot.retired = true;
      slot.job = undefined;
      const index = this.#slots.indexOf(slot);
      if (index >= 0) this.#slots.splice(index, 1);
      void slot.worker.terminate().catch(() => undefined);
    }
    this.#settle(job, error);
    this.#dispatch();
  }

  #settle(job: Job, error: UnitPoolError | undefined, answer?: Answer): void {
    if (job.settled) return;
    job.settled = true;
    if (job.timer) clearTimeout(job.timer);
    if (error) job.reject(error);
    else job.resolve(answer!);
  }
}

// unit-worker.js next to this file when built; unit-worker.ts when this module runs from source.
function defaultWorkerUrl(): URL {
  const here = import.meta.url;
  const ts = fileURLToPath(here).endsWith(".ts");
  return new URL(ts ? "./unit-worker.ts" : "./unit-worker.js", here);
}

// tsx's ESM registration API (the .mjs build: the worker imports it).
function tsxApiUrl(): string {
  const resolved = createRequire(import.meta.url).resolve("tsx/esm/api");
  const esm = resolved.replace(/\.cjs$/, ".mjs");
  return pathToFileURL(existsSync(esm) ? esm : resolved).href;
}
