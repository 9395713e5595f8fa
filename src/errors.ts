// Errors headroom raises on purpose. Each carries a stable `code` that callers (CLI, MCP server,
// proxy) switch on and that scripts can rely on; the message is for humans and may change.

const BRAND: unique symbol = Symbol.for("headroom.HeadroomError") as never;

/** Codes raised by this module's owners. Other modules may use their own `HR_*` codes. */
export const ErrorCodes = {
  /** The store file exists but is not a readable SQLite database. It is never deleted for you. */
  StoreCorrupt: "HR_STORE_CORRUPT",
  /** The store was written by a newer headroom (schema version above what this build knows). */
  StoreTooNew: "HR_STORE_TOO_NEW",
  /** The store could not be opened or created (permissions, missing disk, locked too long...). */
  StoreUnavailable: "HR_STORE_UNAVAILABLE",
  /** A retrieval hash is not 16 lowercase hex digits. */
  BadHash: "HR_BAD_HASH",
  /** An API was called with arguments that make no sense (e.g. purge with nothing to purge). */
  BadArgument: "HR_BAD_ARGUMENT",
  /** A prose model is configured but onnxruntime-node cannot be imported; the extractive path stays active. */
  ProseRuntimeMissing: "HR_PROSE_RUNTIME_MISSING",
  /** The prose model directory lacks model.onnx or tokenizer.json, or one of them is corrupt or unsupported. */
  ProseModelInvalid: "HR_PROSE_MODEL_INVALID",
} as const;

export type KnownErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
/** A known code, or any other `HR_*` string another module defines. */
export type HeadroomErrorCode = KnownErrorCode | (string & {});

/**
 * Base class of headroom's deliberate errors. `instanceof HeadroomError` works across duplicate
 * copies of the package (the brand is a registered Symbol), and `cause` keeps the underlying error.
 */
export class HeadroomError extends Error {
  readonly code: HeadroomErrorCode;
  readonly [BRAND] = true;

  constructor(code: HeadroomErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HeadroomError";
    this.code = code;
  }

  // Brand check for the base class so two installed copies agree; subclasses keep the normal check.
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== HeadroomError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** Shape used by `--json` output. */
  toJSON(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** True when `value` is a HeadroomError (from any copy of headroom), optionally with this `code`. */
export function isHeadroomError(value: unknown, code?: HeadroomErrorCode): value is HeadroomError {
  return value instanceof HeadroomError && (code === undefined || value.code === code);
}
