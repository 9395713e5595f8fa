import { describe, expect, it } from "vitest";
import { buildQuery, queryFor, stripWrappers } from "../../src/pipeline/query.js";

describe("the query", () => {
  it("strips agent-injected wrappers", () => {
    const text = "<system-reminder>ignore me</system-reminder>\nwhy does checkout return 500?<current_datetime>2026</current_datetime>";
    expect(stripWrappers(text)).toBe("why does checkout return 500?");
  });

  it("extracts terms and exact entities", () => {
    const query = buildQuery('why does `handleCheckout` in src/api/orders.ts fail for order 4411 since v2.3.1 with "ECONNRESET"?');
    expect(query.terms).toContain("checkout");
    expect(query.terms).not.toContain("the");
    expect(query.entities).toEqual(expect.arrayContaining(["handleCheckout", "src/api/orders.ts", "4411", "v2.3.1", "ECONNRESET"]));
  });

  it("adds the tool call's arguments, as an object or a JSON string", () => {
    expect(queryFor("find it", { pattern: "createServer", path: "lib/" }).entities).toContain("lib/");
    expect(queryFor("find it", '{"cmd":"grep -rn createServer lib"}').terms).toContain("createserver");
  });

  it("is deterministic", () => {
    const text = "order 4411 failed in payment_service with 502";
    expect(buildQuery(text)).toEqual(buildQuery(text));
  });
});
