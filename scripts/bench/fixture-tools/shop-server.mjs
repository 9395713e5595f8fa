// A small real shop API used to produce the SRE fixture: it runs behind nginx on loopback, takes a
// bounded request loop from load.mjs, logs JSON lines (with real stack traces on failures) to
// stdout, and exposes Prometheus-style counters on /metrics and a Node diagnostic report on
// /debug/report. Nothing here is simulated after the fact: every log line and number comes from a
// request the server really handled.
import { createServer } from "node:http";
import { performance } from "node:perf_hooks";

const PORT = Number(process.env.PORT ?? 8089);

const catalog = new Map([
  ["SKU-1001", { name: "espresso beans 1kg", price: 24.5, stock: 120 }],
  ["SKU-1002", { name: "pour-over kettle", price: 59.0, stock: 14 }],
  ["SKU-2040", { name: "burr grinder", price: 189.0, stock: 6 }],
  ["SKU-3310", { name: "paper filters x100", price: 6.25, stock: 800 }],
  ["SKU-3311", { name: "cloth filter", price: 11.0, stock: 35 }],
  ["SKU-5120", { name: "milk jug 600ml", price: 17.9, stock: 52 }],
]);
// Discontinued on the day of the incident: removed from the catalog but still in old carts.
const DISCONTINUED = "SKU-4417";

const counters = new Map();
const durations = new Map();
function count(route, method, status) {
  const key = `${route}|${method}|${status}`;
  counters.set(key, (counters.get(key) ?? 0) + 1);
}
function observe(route, ms) {
  const d = durations.get(route) ?? { count: 0, sum: 0, buckets: [0, 0, 0, 0, 0, 0] };
  d.count++;
  d.sum += ms / 1000;
  [0.005, 0.025, 0.1, 0.5, 1, 5].forEach((le, i) => {
    if (ms / 1000 <= le) d.buckets[i]++;
  });
  durations.set(route, d);
}

function log(level, msg, fields = {}) {
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level, pid: process.pid, msg, ...fields }) + "\n");
}

function priceLine(line) {
  const product = catalog.get(line.sku);
  return product.price * line.qty;
}

function computeTotal(cart) {
  let total = 0;
  for (const line of cart.lines) total += priceLine(line);
  return Math.round(total * 100) / 100;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = "";
    req.on("data", (chunk) => (data += chunk));
    req.on("end", () => resolve(data));
    req.on("error", reject);
  });
}

function send(res, status, body, type = "application/json") {
  res.writeHead(status, { "content-type": type });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
}

async function inventory(req, res, sku) {
  // The inventory lookup for discontinued items goes to a legacy warehouse call that hangs.
  if (sku === DISCONTINUED) await new Promise((r) => setTimeout(r, 1500));
  const product = catalog.get(sku);
  if (!product) return send(res, 404, { error: "unknown sku", sku });
  send(res, 200, { sku, stock: product.stock });
}

async function checkout(req, res, requestId) {
  const cart = JSON.parse(await readBody(req));
  try {
    const total = computeTotal(cart);
    log("info", "checkout ok", { requestId, cartId: cart.id, items: cart.lines.length, total });
    send(res, 200, { orderId: `ord_${cart.id}`, total });
  } catch (error) {
    log("error", "checkout failed", {
      requestId,
      cartId: cart.id,
      skus: cart.lines.map((l) => l.sku).join(","),
      err: { type: error.constructor.name, message: error.message, stack: error.stack },
    });
    send(res, 500, { error: "internal error", requestId });
  }
}

function metricsText() {
  const lines = [
    "# HELP http_requests_total Requests handled, by route, method and status.",
    "# TYPE http_requests_total counter",
  ];
  for (const [key, n] of [...counters].sort()) {
    const [route, method, status] = key.split("|");
    lines.push(`http_requests_total{route="${route}",method="${method}",status="${status}"} ${n}`);
  }
  lines.push("# HELP http_request_duration_seconds Request latency.", "# TYPE http_request_duration_seconds histogram");
  for (const [route, d] of [...durations].sort()) {
    [0.005, 0.025, 0.1, 0.5, 1, 5].forEach((le, i) =>
      lines.push(`http_request_duration_seconds_bucket{route="${route}",le="${le}"} ${d.buckets[i]}`),
    );
    lines.push(`http_request_duration_seconds_bucket{route="${route}",le="+Inf"} ${d.count}`);
    lines.push(`http_request_duration_seconds_sum{route="${route}"} ${d.sum.toFixed(6)}`);
    lines.push(`http_request_duration_seconds_count{route="${route}"} ${d.count}`);
  }
  const mem = process.memoryUsage();
  lines.push(
    "# TYPE process_resident_memory_bytes gauge",
    `process_resident_memory_bytes ${mem.rss}`,
    "# TYPE nodejs_heap_used_bytes gauge",
    `nodejs_heap_used_bytes ${mem.heapUsed}`,
    "# TYPE process_uptime_seconds gauge",
    `process_uptime_seconds ${process.uptime().toFixed(3)}`,
  );
  return lines.join("\n") + "\n";
}

let nextId = 1;
const server = createServer(async (req, res) => {
  const start = performance.now();
  const requestId = `req-${String(nextId++).padStart(5, "0")}`;
  const url = new URL(req.url ?? "/", "http://localhost");
  let route = url.pathname;
  res.on("finish", () => {
    count(route, req.method, res.statusCode);
    observe(route, performance.now() - start);
  });
  try {
    if (url.pathname === "/api/products" && req.method === "GET") {
      send(res, 200, [...catalog].map(([sku, p]) => ({ sku, ...p })));
    } else if (url.pathname.startsWith("/api/inventory/")) {
      route = "/api/inventory/:sku";
      await inventory(req, res, url.pathname.slice("/api/inventory/".length));
    } else if (url.pathname === "/api/checkout" && req.method === "POST") {
      await checkout(req, res, requestId);
    } else if (url.pathname === "/healthz") {
      send(res, 200, "ok", "text/plain");
    } else if (url.pathname === "/metrics") {
      send(res, 200, metricsText(), "text/plain; version=0.0.4");
    } else if (url.pathname === "/debug/report") {
      // Environment variables are left out: a report shared with anyone must not carry credentials.
      const report = process.report.getReport();
      delete report.environmentVariables;
      send(res, 200, JSON.stringify(report, null, 2));
    } else {
      route = "other";
      send(res, 404, { error: "not found" });
    }
  } catch (error) {
    log("error", "unhandled", { requestId, err: { message: error.message, stack: error.stack } });
    if (!res.headersSent) send(res, 500, { error: "internal error" });
  }
});

server.listen(PORT, "127.0.0.1", () => log("info", "shop-api listening", { port: PORT, node: process.version }));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
