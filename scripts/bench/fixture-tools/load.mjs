// Bounded loopback load for the SRE fixture: N requests (default 1500) to the nginx front on
// 127.0.0.1, a fixed mix of catalog reads, inventory lookups and checkouts. Some carts still hold
// the discontinued SKU-4417. Deterministic mix (seeded), at most 8 requests in flight, stops by itself.
const BASE = process.env.BASE ?? "http://127.0.0.1:8088";
const TOTAL = Number(process.env.REQUESTS ?? 1500);
const CONCURRENCY = 8;

// mulberry32: small seeded PRNG, so the request mix is the same on every capture.
let seed = 20250611;
function rand() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const SKUS = ["SKU-1001", "SKU-1002", "SKU-2040", "SKU-3310", "SKU-3311", "SKU-5120"];
const pick = (list) => list[Math.floor(rand() * list.length)];

function nextRequest(i) {
  const r = rand();
  if (r < 0.45) return { method: "GET", path: "/api/products" };
  if (r < 0.6) {
    const sku = rand() < 0.08 ? "SKU-4417" : pick(SKUS);
    return { method: "GET", path: `/api/inventory/${sku}` };
  }
  if (r < 0.65) return { method: "GET", path: "/healthz" };
  const lines = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => ({ sku: pick(SKUS), qty: 1 + Math.floor(rand() * 3) }));
  if (rand() < 0.09) lines.splice(Math.floor(rand() * lines.length), 0, { sku: "SKU-4417", qty: 1 });
  const body = JSON.stringify({ id: `c${10000 + i}`, lines });
  return { method: "POST", path: "/api/checkout", body };
}

const requests = Array.from({ length: TOTAL }, (_, i) => nextRequest(i));
const statuses = new Map();
let cursor = 0;
async function worker() {
  while (cursor < requests.length) {
    const req = requests[cursor++];
    const res = await fetch(BASE + req.path, {
      method: req.method,
      body: req.body,
      headers: req.body ? { "content-type": "application/json" } : {},
      signal: AbortSignal.timeout(5000),
    }).catch((e) => ({ status: `error:${e.name}`, text: async () => "" }));
    await res.text();
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  }
}
await Promise.all(Array.from({ length: CONCURRENCY }, worker));
console.log(JSON.stringify(Object.fromEntries(statuses)));
