// Turns compression off for a while after repeated failures, so a pipeline bug or a pathological
// input costs a few requests their compression, never the agent its session.

export interface BreakerOptions {
  /** Failures within `windowMs` that open the breaker. Default 5. */
  readonly threshold?: number;
  /** Default 60 s. */
  readonly windowMs?: number;
  /** How long compression stays off once open. Default 5 minutes. */
  readonly cooldownMs?: number;
  /** Clock in ms (tests inject one). Default Date.now. */
  readonly now?: () => number;
}

export interface BreakerState {
  readonly open: boolean;
  /** When compression comes back (ms since the epoch), if open. */
  readonly until: number | null;
  /** Failures counted in the current window. */
  readonly recentFailures: number;
  /** Times the breaker has opened since the proxy started. */
  readonly trips: number;
}

/**
 * A failure-count circuit breaker with a sliding window.
 * @example
 * const breaker = new CircuitBreaker({ threshold: 5, windowMs: 60_000, cooldownMs: 300_000 });
 * if (!breaker.isOpen()) { try { run(); } catch { breaker.failure(); } }
 */
export class CircuitBreaker {
  readonly #threshold: number;
  readonly #windowMs: number;
  readonly #cooldownMs: number;
  readonly #now: () => number;
  #failures: number[] = [];
  #openUntil = 0;
  #trips = 0;

  constructor(options: BreakerOptions = {}) {
    this.#threshold = options.threshold ?? 5;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#cooldownMs = options.cooldownMs ?? 5 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  isOpen(): boolean {
    return this.#now() < this.#openUntil;
  }

  /** Records one failure; returns true when this failure opened the breaker. */
  failure(): boolean {
    const now = this.#now();
    this.#failures = this.#failures.filter((at) => now - at < this.#windowMs);
    this.#failures.push(now);
    if (this.#failures.length < this.#threshold || now < this.#openUntil) return false;
    this.#openUntil = now + this.#cooldownMs;
    this.#failures = [];
    this.#trips += 1;
    return true;
  }

  state(): BreakerState {
    const now = this.#now();
    const open = now < this.#openUntil;
    return {
      open,
      until: open ? this.#openUntil : null,
      recentFailures: this.#failures.filter((at) => now - at < this.#windowMs).length,
      trips: this.#trips,
    };
  }
}
