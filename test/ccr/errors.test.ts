import { describe, expect, it } from "vitest";
import { ErrorCodes, HeadroomError, isHeadroomError } from "../../src/errors.js";

describe("HeadroomError", () => {
  it("carries a stable code, a message and the cause", () => {
    const cause = new Error("disk I/O");
    const error = new HeadroomError(ErrorCodes.StoreCorrupt, "store is broken", { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(HeadroomError);
    expect(error.code).toBe("HR_STORE_CORRUPT");
    expect(error.cause).toBe(cause);
    expect(error.name).toBe("HeadroomError");
    expect(JSON.parse(JSON.stringify(error))).toEqual({ code: "HR_STORE_CORRUPT", message: "store is broken" });
  });

  it("recognises errors from another copy of headroom by the registered brand", () => {
    // What a HeadroomError from a second installed copy looks like: a different class, same brand.
    const foreign = Object.assign(new Error("from a second install"), {
      code: "HR_BAD_HASH",
      [Symbol.for("headroom.HeadroomError")]: true,
    });
    expect(foreign instanceof HeadroomError).toBe(true);
    expect(isHeadroomError(foreign, "HR_BAD_HASH")).toBe(true);
    expect(isHeadroomError(foreign, "HR_STORE_CORRUPT")).toBe(false);
    expect(isHeadroomError(new Error("plain"))).toBe(false);
    expect(isHeadroomError(null)).toBe(false);
  });

  it("keeps ordinary instanceof for subclasses", () => {
    class StoreError extends HeadroomError {}
    expect(new StoreError("HR_X", "x")).toBeInstanceOf(HeadroomError);
    expect(new HeadroomError("HR_X", "x") instanceof StoreError).toBe(false);
  });
});
