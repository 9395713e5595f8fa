import { describe, expect, it } from "vitest";
import { parseMarkers, type ParsedMarker } from "../../src/ccr/marker.js";
import { maskVariable } from "../../src/compressors/fold.js";
import { foldDetail } from "../../src/compressors/log-fields.js";
import { classifyLine, compressLog, matchesQuery, LINE_ANOMALY, LINE_ERROR, LINE_NOTICE, LINE_STACK, LINE_WARNING } from "../../src/compressors/log.js";
import { buildQuery } from "../../src/pipeline/query.js";
import { contextFor, runCompressorContract } from "./contract.js";
import { fixtures, readFixture } from "./fixtures.js";
import { accountedLines, unfoldRepeats } from "./line-checks.js";
import { expandTemplateFold, isTemplateDetail, templateKey } from "./log-template-checks.js";

const all = fixtures("log");
runCompressorContract("log", compressLog, all);

// Small fixtures fit the default budget untouched; a tight budget makes the compressor select.
const tight = (text: string) => contextFor(text, { budget: 50 });


// Markers that fold repeats of one error/warning event (log.ts, top) count lines too.
const FOLD_UNITS = ["similar error records", "similar error lines", "similar warning records", "similar warning lines"];
const LINE_UNITS = ["lines", ...FOLD_UNITS];
const isFold = (m: ParsedMarker) => FOLD_UNITS.includes(m.unit);

const isErrorLine = (line: string) => {
  const flags = classifyLine(line);
  return (flags & (LINE_ERROR | LINE_WARNING)) !== 0 && !(flags & LINE_STACK);
};

// The event a line reports, as a reader would group them (independent of the compressor's code): a
// JSON record by level, message, error and stack; an access-log line by status and request with
// numbers masked; any other line by its text with ids, numbers and times masked.
function eventOf(line: string): string {
  if (line.trimStart().startsWith("{")) {
    try {
      const r = JSON.parse(line) as Record<string, unknown>;
      const err = (r.err ?? r.error ?? {}) as Record<string, unknown>;
      return JSON.stringify([r.level, r.msg ?? r.message, err.type, err.message, err.stack, r.status]);
    } catch {
      // not JSON after all: read as text
    }
  }
  const access = /^\S+ \S+ \S+ \[[^\]]+\] "([^"]*)" (\d{3})/.exec(line);
  if (access) return `${access[2]} ${maskVariable((access[1] ?? "").replace(/\?.*$/, ""))}`;
  return maskVariable(line);
}

// The values of a line by position: a JSON record's scalar fields by key path, else its tokens.
function fieldsOf(line: string): Map<string, string> {
  const out = new Map<string, string>();
  if (line.trimStart().startsWith("{")) {
    try {
      const walk = (v: unknown, path: string) => {
        if (v && typeof v === "object" && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
        else out.set(path, Array.isArray(v) ? JSON.stringify(v) : String(v));
      };
      walk(JSON.parse(line), "");
      return out;
    } catch {
      out.clear();
    }
  }
  line.split(" ").forEach((token, i) => out.set(String(i), token.replace(/^[\w.-]+=/, "")));
  return out;
}

/**
 * The rule for repeated errors and warnings: every distinct error/warning event has at least one
 * verbatim line; each fold marker sits below a verbatim occurrence of its event and counts exactly
 * that event's occurrences not shown; every value that differs between occurrences is in the marker,
 * or the marker states the exact number of distinct values; and all counts add up.
 */
function checkErrorFolds(text: string, out: string): void {
  const lines = text.split("\n");
  const outLines = out.split("\n");
  const verbatim = outLines.filter((l) => parseMarkers(l).length === 0);
  const important = lines.filter(isErrorLine);
  const shownEvents = new Set(verbatim.map(eventOf));
  const shownTemplates = new Set(verbatim.map(templateKey));
  for (const line of important) {
    const shown = shownEvents.has(eventOf(line)) || shownTemplates.has(templateKey(line));
    expect(shown, `no verbatim line of: ${line.slice(0, 120)}`).toBe(true);
  }

  let folded = 0;
  for (let j = 0; j < outLines.length; j++) {
    const marker = parseMarkers(outLines[j] ?? "")[0];
    if (!marker || !isFold(marker)) continue;
    let h = j - 1;
    while (h > 0 && classifyLine(outLines[h] ?? "") & LINE_STACK) h--;
    const above = outLines[h] ?? "";
    if (isTemplateDetail(marker.detail)) {
      // Lines of one template: the marker rebuilds exactly the ones not shown, in order.
      const key = templateKey(above);
      const remaining = [...verbatim];
      const hidden = important.filter((l) => {
        if (templateKey(l) !== key) return false;
        const at = remaining.indexOf(l);
        if (at >= 0) remaining.splice(at, 1);
        return at < 0;
      });
      expect(expandTemplateFold(above, marker.detail ?? ""), `rebuilt from ${outLines[j]}`).toEqual(hidden);
      folded += marker.count;
      continue;
    }
    const event = eventOf(above);
    const members = important.filter((l) => eventOf(l) === event);
    const remaining = [...verbatim];
    const hidden = members.filter((l) => {
      const at = remaining.indexOf(l);
      if (at < 0) return true;
      remaining.splice(at, 1);
      return false;
    });
    expect(marker.count, `count of ${outLines[j]}`).toBe(hidden.length);
    folded += marker.count;
    const detail = marker.detail ?? "";
    const all = members.map(fieldsOf);
    const mine = hidden.map(fieldsOf);
    for (const key of all[0]?.keys() ?? []) {
      const values = new Set(all.map((f) => f.get(key)));
      if (values.size === 1) continue;
      const differing = [...new Set(mine.map((f) => f.get(key) ?? ""))];
      const stated = detail.includes(`${differing.length} distinct`);
      for (const value of differing) {
        const shown = value.replace(/^["'([<{]+/, "").replace(/["')\]>},;:]+$/, "").slice(0, 40);
        expect(stated || detail.includes(shown), `${key}=${value} neither listed nor counted in ${detail}`).toBe(true);
      }
    }
  }
  expect(folded).toBeLessThanOrEqual(important.length);
  expect(accountedLines(out, LINE_UNITS)).toBe(lines.length);
}

describe("log compressor", () => {
  for (const { name, text } of all) {
    describe(name, () => {
      const result = compressLog(text, tight(text)) ?? { text, omissions: [] };
      const shown = new Set(result.text.split("\n"));

      it("keeps every distinct error and warning verbatim; repeats are folded with their values listed", () => {
        checkErrorFolds(text, result.text);
      });

      it("keeps an error or warning that occurs once or twice verbatim", () => {
        const important = text.split("\n").filter(isErrorLine);
        for (const line of important) {
          const rare = (same: (l: string) => boolean) => important.filter(same).length <= 2;
          const template = templateKey(line);
          const once = rare((l) => eventOf(l) === eventOf(line)) && (template === undefined || rare((l) => templateKey(l) === template));
          if (once) expect(shown.has(line), `dropped: ${line.slice(0, 100)}`).toBe(true);
        }
      });

      it("accounts for every original line (kept, repeated or counted in a marker)", () => {
        expect(accountedLines(result.text, LINE_UNITS)).toBe(text.split("\n").length);
      });

      it("drops nothing in lossless-only mode", () => {
        const lossless = compressLog(text, { ...tight(text), losslessOnly: true });
        if (!lossless) return;
        expect(lossless.omissions).toEqual([]);
        expect(unfoldRepeats(lossless.text)).toBe(text);
      });
    });
  }

  it("keeps compiler diagnostics with the lines around them", () => {
    const text = readFixture("log", "cargo-build-errors.txt");
    const out = compressLog(text, tight(text))?.text ?? text;
    for (const line of ["error[E0308]: mismatched types", "  --> src/main.rs:11:19", "11 |     counts.insert(\"a\", v);", "  --> src/main.rs:12:21", "error: could not compile `cargoproj` (bin \"cargoproj\") due to 3 previous errors"]) {
      expect(out).toContain(line);
    }
  });

  it("keeps failing tests, their assertion diffs and the summary of a vitest run", () => {
    const text = readFixture("log", "vitest-failing.txt");
    const out = compressLog(text, contextFor(text))?.text ?? "";
    expect(out).toContain("      Tests  3 failed | 97 passed (100)");
    expect(out).toContain(" FAIL  test/math.test.ts > math > multiplies with a float error");
    expect(out).toContain("AssertionError: expected 0.30000000000000004 to be 0.3 // Object.is equality");
    expect(out).toContain("+ 0.30000000000000004");
    expect(out).toContain("TypeError: Cannot read properties of null (reading 'length')");
    expect(out).not.toContain(" ✓ test/math.test.ts > math > adds 30 + 30 0ms");
  });

  it("keeps pytest failures and its summary line", () => {
    const text = readFixture("log", "pytest-failing.txt");
    const out = compressLog(text, contextFor(text))?.text ?? "";
    expect(out).toContain("=================== 3 failed, 80 passed, 1 skipped in 0.86s ====================");
    expect(out).toContain("E       ValueError: could not convert string to float: '12 USD'");
    expect(out).toContain("FAILED test_calc.py::test_compare_dicts - AssertionError: assert {'a': 1, 'b'...");
  });

  it("keeps npm errors and tsc error codes", () => {
    const npm = readFixture("log", "npm-install-404.txt");
    expect(compressLog(npm, tight(npm))?.text ?? npm).toContain("npm error code E404");
    const tsc = readFixture("log", "tsc-errors.txt");
    expect(compressLog(tsc, tight(tsc))?.text ?? tsc).toContain(
      "src/index.ts(3,30): error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'.",
    );
  });

  describe("a big real server log, empty query", () => {
    const text = readFixture("log", "node-http-server.txt");
    const result = compressLog(text, contextFor(text));

    it("reduces it by at least 85%", () => {
      expect(result).not.toBeNull();
      expect(1 - (result?.text.length ?? 0) / text.length).toBeGreaterThanOrEqual(0.85);
    });

    it("keeps a verbatim line of every ERROR and WARN event and one full stack trace; repeats fold with their values", () => {
      const out = result?.text ?? "";
      checkErrorFolds(text, out);
      const shapes = new Set(text.split("\n").filter((l) => / (?:ERROR|WARN) /.test(l)).map(maskVariable));
      const shown = new Set(out.split("\n").filter((l) => / (?:ERROR|WARN) /.test(l)).map(maskVariable));
      expect(shown).toEqual(shapes);
      const folds = parseMarkers(out).filter(isFold);
      expect(folds.length).toBeGreaterThan(0);
      for (const m of folds) expect(m.detail).toMatch(/rid \d+ distinct: [0-9a-f]{8}-/);
      expect(out).toContain("    at loadOrder (file:///tmp/hrfix/srv/server.mjs:6:26)");
      expect(out).toContain("SIGTERM received, shutting down");
    });

    it("says in its markers how many lines and shapes were left out", () => {
      const markers = parseMarkers(result?.text ?? "");
      expect(markers.length).toBeGreaterThan(0);
      for (const m of markers) if (!isFold(m)) expect(m.detail).toMatch(/(?:\d+ distinct|like the line above), \d+ errors/);
    });
  });

  describe("a JSON-lines (NDJSON) server log", () => {
    const text = readFixture("log", "node-ndjson-log.txt");
    const lines = text.split("\n");
    const result = compressLog(text, contextFor(text));
    const out = result?.text ?? "";
    const shown = new Set(out.split("\n"));

    it("reads levels, error fields and status from the records, not from their words", () => {
      const error = lines.find((l) => l.includes('"msg":"handler failed"')) ?? "";
      expect(classifyLine(error) & LINE_ERROR).toBeTruthy();
      const warn = lines.find((l) => l.includes('"status":404')) ?? "";
      expect(classifyLine(warn) & LINE_WARNING).toBeTruthy();
      const info = lines.find((l) => l.includes('"status":200')) ?? "";
      expect(classifyLine(info) & (LINE_ERROR | LINE_WARNING)).toBe(0);
      expect(classifyLine('{"level":"info","msg":"0 errors, retry failed","ts":"x"}') & LINE_ERROR).toBe(0);
      expect(classifyLine('{"level":50,"msg":"boom","time":1}') & LINE_ERROR).toBeTruthy();
      expect(classifyLine('{"level":"info","msg":"done","res":{"statusCode":503}}') & LINE_ERROR).toBeTruthy();
      expect(classifyLine('{"msg":"x","err":{"message":"y"},"time":1}') & LINE_ERROR).toBeTruthy();
    });

    it("keeps a verbatim record of every error and warn event, stacks included; repeats fold with their values", () => {
      const important = lines.filter((l) => /"level":"(?:error|warn)"/.test(l));
      expect(important.length).toBeGreaterThan(10);
      for (const line of important) expect([...shown].some((l) => eventOf(l) === eventOf(line)), `dropped: ${line.slice(0, 100)}`).toBe(true);
      checkErrorFolds(text, out);
      expect(out).toContain("at loadUser (file:///tmp/hrlog/server.mjs:5:26)");
    });

    it("folds the near-identical info records into markers whose counts add up", () => {
      expect(1 - out.length / text.length).toBeGreaterThanOrEqual(0.7);
      const info = lines.filter((l) => l.includes('"level":"info"'));
      const keptInfo = info.filter((l) => shown.has(l)).length;
      expect(keptInfo).toBeLessThan(info.length / 5);
      expect(accountedLines(out, LINE_UNITS)).toBe(lines.length);
      const markers = parseMarkers(out);
      expect(markers.reduce((sum, m) => sum + m.count, 0)).toBe(lines.length - out.split("\n").length + markers.length);
      for (const m of markers) if (!isFold(m)) expect(m.detail).toMatch(/, 0 errors/);
    });
  });

  describe("an nginx access log", () => {
    const text = readFixture("log", "nginx-access-log.txt");
    const lines = text.split("\n");
    const query = buildQuery("Which requests fail with 5xx? cat /var/log/nginx/access.log");
    const result = compressLog(text, contextFor(text, { query }));
    const out = result?.text ?? "";
    const shown = new Set(out.split("\n"));
    const status = (l: string) => Number(/" (\d{3}) /.exec(l)?.[1] ?? 0);

    it("keeps a verbatim line of every 5xx request shape and folds the repeats with their values", () => {
      const errors = lines.filter((l) => status(l) >= 500);
      expect(errors.length).toBeGreaterThanOrEqual(20);
      for (const line of errors) {
        expect(classifyLine(line) & LINE_ERROR).toBeTruthy();
        expect([...shown].some((l) => eventOf(l) === eventOf(line)), `no line like: ${line}`).toBe(true);
      }
      checkErrorFolds(text, out);
    });

    it("shows a 404 once and counts its repeats as 4xx in the markers", () => {
      const notFound = lines.filter((l) => status(l) === 404);
      expect(notFound.length).toBeGreaterThan(3);
      for (const line of notFound) expect(classifyLine(line) & LINE_NOTICE).toBeTruthy();
      const keptNotFound = notFound.filter((l) => shown.has(l)).length;
      expect(keptNotFound).toBeGreaterThanOrEqual(1);
      expect(keptNotFound).toBeLessThan(notFound.length);
      const counted = parseMarkers(out).reduce((sum, m) => sum + Number(/(\d+) 4xx/.exec(m.detail ?? "")?.[1] ?? 0), 0);
      expect(keptNotFound + counted).toBe(notFound.length);
    });

    it("flags slow requests as anomalies and folds the 200s with counts that add up", () => {
      expect(1 - out.length / text.length).toBeGreaterThanOrEqual(0.6);
      expect(lines.filter((l) => status(l) === 200 && shown.has(l)).length).toBeLessThan(lines.filter((l) => status(l) === 200).length / 5);
      expect(accountedLines(out, LINE_UNITS)).toBe(lines.length);
      const slow = compressLog(text, contextFor(text));
      expect(slow).not.toBeNull();
      const lineFlags = (l: string) => classifyLine(l);
      expect(lines.filter((l) => / rt=0\.[2-9]/.test(l)).every((l) => lineFlags(l) & LINE_ERROR)).toBe(true);
    });
  });

  it("marks a duration outlier among fast requests as an anomaly and keeps it", () => {
    const fast = Array.from({ length: 60 }, (_, i) => `10.0.0.1 - - [24/Nov/2026:22:45:${String(i % 60).padStart(2, "0")} +0000] "GET /api/items/${i} HTTP/1.1" 200 417 "-" "node" rt=0.00${i % 9} urt=0.00${i % 9}`);
    const slow = `10.0.0.1 - - [24/Nov/2026:22:46:00 +0000] "GET /api/items/7 HTTP/1.1" 200 417 "-" "node" rt=2.511 urt=2.510`;
    const text = [...fast.slice(0, 30), slow, ...fast.slice(30)].join("\n");
    const result = compressLog(text, tight(text));
    expect(result?.text).toContain(slow);
    expect(accountedLines(result?.text ?? "")).toBe(61);
    expect(LINE_ANOMALY).toBeGreaterThan(0);
  });

  it("keeps an [error] line of every nginx error event and folds the repeats with their values", () => {
    const text = readFixture("log", "nginx-error-log.txt");
    const out = compressLog(text, tight(text))?.text ?? text;
    const shapes = new Set(text.split("\n").filter((l) => l.includes("[error]")).map(maskVariable));
    expect(new Set(out.split("\n").filter((l) => l.includes("[error]")).map(maskVariable))).toEqual(shapes);
    checkErrorFolds(text, out);
  });

  // Speed is measured by `npm run bench`; this only guards against a hang (e.g. regex backtracking).
  it("finishes on a 20 MB log", () => {
    const big = readFixture("log", "node-http-server.txt");
    const huge = Array.from({ length: 150 }, () => big).join("\n");
    const t0 = performance.now();
    const result = compressLog(huge, contextFor(huge));
    expect(result === null || result.text.length < huge.length).toBe(true);
    expect(performance.now() - t0).toBeLessThan(60_000);
  });
});

describe("repeats of one error event", () => {
  const stack = "TypeError: x is undefined\\n    at f (file:///srv/app.mjs:4:9)\\n    at g (file:///srv/app.mjs:9:3)";
  const record = (i: number, extra = "") =>
    `{"time":"2026-11-24T22:45:${String(10 + (i % 50)).padStart(2, "0")}.${String(100 + i).slice(-3)}Z","level":"error","msg":"checkout failed","requestId":"req-${String(i).padStart(5, "0")}","cartId":"c${10000 + (i % 3)}"${extra},"err":{"type":"TypeError","message":"x is undefined","stack":"${stack}"}}`;
  const info = (i: number) => `{"time":"2026-11-24T22:45:10.${String(100 + i).slice(-3)}Z","level":"info","msg":"checkout ok","requestId":"req-${String(900 + i).padStart(5, "0")}","items":${i % 4}}`;
  const build = (errors: number[], infos = 6) => errors.flatMap((e, k) => [record(e), ...Array.from({ length: infos }, (_, j) => info(k * infos + j))]).join("\n");

  it("keeps the first and last verbatim and lists every differing value of the ones between in one marker", () => {
    const ids = [3, 8, 15, 21, 34, 40, 52, 57];
    const text = build(ids);
    const out = compressLog(text, tight(text))?.text ?? "";
    expect(out).toContain(record(3));
    expect(out).toContain(record(57));
    const folds = parseMarkers(out).filter(isFold);
    expect(folds).toHaveLength(1);
    const fold = folds[0] as ParsedMarker;
    expect(fold.unit).toBe("similar error records");
    expect(fold.count).toBe(6);
    for (const id of [8, 15, 21, 34, 40, 52]) {
      expect(out).not.toContain(record(id));
      expect(fold.detail).toContain(`req-${String(id).padStart(5, "0")}`);
    }
    expect(fold.detail).toMatch(/cartId c10002 x2, c10000 x2, c10001 x2|cartId (?:c1000\d(?: x\d)?, ){2}c1000\d/);
    // The marker sits right under the first occurrence.
    const lines = out.split("\n");
    expect(lines[lines.indexOf(record(3)) + 1]).toBe(out.split("\n").find((l) => parseMarkers(l)[0]?.unit === "similar error records"));
    checkErrorFolds(text, out);
  });

  it("keeps errors that occur once or twice verbatim", () => {
    const text = build([4, 9]);
    const out = compressLog(text, tight(text))?.text ?? text;
    expect(out).toContain(record(4));
    expect(out).toContain(record(9));
    expect(parseMarkers(out).filter(isFold)).toHaveLength(0);
  });

  it("summarizes long lists with the exact number of distinct values and their range, within a bounded marker", () => {
    const ids = Array.from({ length: 300 }, (_, i) => 7 + i * 3);
    const text = build(ids, 2);
    const out = compressLog(text, tight(text))?.text ?? "";
    const fold = parseMarkers(out).find(isFold);
    expect(fold?.count).toBe(298);
    expect(fold?.detail).toContain("requestId 298 distinct req-00010–req-00901");
    expect(fold?.detail).toMatch(/time \d+ distinct 2026-11-24T22:45:\d\d\.\d{3}Z–2026-11-24T22:45:\d\d\.\d{3}Z/);
    expect((fold?.detail ?? "").length).toBeLessThanOrEqual(400);
    checkErrorFolds(text, out);
  });

  it("treats a different stack or message as a different event and keeps a line of each", () => {
    const other = (i: number) => record(i).replace("at g (file:///srv/app.mjs:9:3)", "at h (file:///srv/app.mjs:12:3)");
    const text = [...[1, 2, 3, 4, 5].map((i) => record(i)), ...[6, 7, 8, 9].map(other), ...[10, 11, 12].map((i) => info(i))].join("\n");
    const out = compressLog(text, tight(text))?.text ?? "";
    for (const line of [record(1), record(5), other(6), other(9)]) expect(out).toContain(line);
    expect(parseMarkers(out).filter(isFold).map((m) => m.count)).toEqual([3, 2]);
    checkErrorFolds(text, out);
  });

  it("keeps an occurrence the query names verbatim (a query matching most occurrences singles none out)", () => {
    const ids = [3, 8, 15, 21, 34, 40, 52, 57];
    const text = build(ids);
    const out = compressLog(text, contextFor(text, { budget: 50, query: buildQuery("what happened to req-00021?") }))?.text ?? "";
    expect(out).toContain(record(21));
    expect(parseMarkers(out).find(isFold)?.count).toBe(5);
    checkErrorFolds(text, out);
    // 8 errors among 248 lines: "TypeError" is selective enough to match, but it matches every occurrence.
    const long = build(ids, 30);
    const query = buildQuery("why does checkout fail with TypeError?");
    expect(long.split("\n").filter((l) => classifyLine(l, query) & LINE_ERROR && matchesQuery(l, query))).toHaveLength(8);
    const all = compressLog(long, contextFor(long, { budget: 50, query }))?.text ?? "";
    expect(parseMarkers(all).find(isFold)?.count).toBe(6);
  });

  it("folds plain-text error lines by their varying tokens", () => {
    const line = (i: number) =>
      `2026/11/24 22:45:${String(10 + i).padStart(2, "0")} [error] 311#311: *${i * 7} upstream timed out (110: Connection timed out), client: 10.0.0.${i % 2}, request: "GET /api/items/SKU-${4400 + (i % 3)} HTTP/1.1"`;
    const text = Array.from({ length: 12 }, (_, i) => line(i)).join("\n");
    const out = compressLog(text, tight(text))?.text ?? "";
    expect(out).toContain(line(0));
    expect(out).toContain(line(11));
    const fold = parseMarkers(out).find(isFold);
    expect(fold?.unit).toBe("similar error lines");
    expect(fold?.count).toBe(10);
    expect(fold?.detail).toContain("client 10.0.0.1 x5, 10.0.0.0 x5");
    for (const sku of ["SKU-4401", "SKU-4402", "SKU-4400"]) expect(fold?.detail).toContain(sku);
    checkErrorFolds(text, out);
  });
});

describe("foldDetail", () => {
  it("lists all distinct values with counts when they fit", () => {
    expect(foldDetail([{ label: "cartId", values: ["c1", "c1", "c2"] }], false, 400)).toBe("cartId c1 x2, c2");
  });

  it("otherwise states the exact number of distinct values, their range, shared list elements and the first values", () => {
    const values = Array.from({ length: 80 }, (_, i) => `SKU-${1000 + i},SKU-4417`);
    const detail = foldDetail([{ label: "skus", values }], false, 120) ?? "";
    expect(detail).toMatch(/^skus 80 distinct SKU-1000,SKU-4417–SKU-1079,SKU-4417, each has SKU-4417: SKU-1000,SKU-4417, .*…$/);
    expect(detail.length).toBeLessThanOrEqual(120);
  });

  it("orders decimals by value, not by digit runs", () => {
    const detail = foldDetail([{ label: "", values: ["1.5ms", "1.189ms", "0.2ms", "1.5ms"] }], true, 23) ?? "";
    expect(detail).toContain("3 distinct 0.2ms–1.5ms");
  });
});
