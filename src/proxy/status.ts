// The values of the `x-headroom-status` response header: what headroom did with a request. Every
// response that went through the proxy carries exactly one of them, and the ledger records it.

/** What headroom did with a request, sent back in the `x-headroom-status` response header. */
export const ProxyStatus = {
  /** At least one tool output was forwarded in compressed form (new or from the memo). */
  Compressed: "compressed",
  /** The conversation was examined; no tool output got smaller, so the original bytes were forwarded. */
  Unchanged: "unchanged",
  /** `measure` mode: the original bytes were forwarded; what compression would have saved was recorded. */
  Measured: "measured",
  /** `off` mode: a pure pass-through; the request body was not even parsed. */
  Off: "off",
  /** Not a compressed route (GET /v1/models, HEAD, unknown paths): forwarded unchanged. */
  Passthrough: "passthrough",
  /**
   * The pipeline threw, or the worker compressing a large tool output crashed (a failure for the
   * breaker). Tool outputs compressed on earlier turns keep their memoised form, the ones that
   * failed go out unchanged (and stay so); if even that fails, the original bytes.
   */
  BypassError: "bypass-error",
  /**
   * Over a time budget (a failure for the breaker). Either the pipeline held the event loop longer
   * than its budget: its result is still forwarded (the time is spent and the memo already holds
   * these forms, so forwarding originals now would change these bytes on the next turn). Or the
   * worker compressing a large tool output did not answer within the request's worker budget: that
   * output goes out unchanged and is memoised unchanged, so later turns send it the same way.
   */
  OverBudget: "over-budget",
  /** The body was not JSON we understand (bad JSON, invalid UTF-8, unknown content-encoding): forwarded as is. */
  BypassUnparseable: "bypass-unparseable",
  /**
   * The circuit breaker is open after repeated failures: no new compression for a while. As with
   * bypass-error, memoised forms are kept so earlier turns' bytes do not change.
   */
  BypassBreaker: "bypass-breaker",
  /** headroom answered by itself without reaching the upstream (403 Host guard, 413, 426, 405, 502). */
  Rejected: "rejected",
} as const;

export type ProxyStatus = (typeof ProxyStatus)[keyof typeof ProxyStatus];

export const STATUS_HEADER = "x-headroom-status";

/** Statuses that count as a pipeline failure for the circuit breaker. */
export function isFailure(status: ProxyStatus): boolean {
  return status === ProxyStatus.BypassError || status === ProxyStatus.OverBudget;
}
