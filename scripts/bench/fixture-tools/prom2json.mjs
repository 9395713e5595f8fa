// prom2json.mjs METRICS.prom STUB_STATUS.txt /proc/PID
// Turns Prometheus text exposition, nginx stub_status and /proc/PID/{status,io,limits} into one JSON
// document (the shape prom2json-style exporters print: one object per sample, labels as an object).
import { readFileSync } from "node:fs";

const [promFile, stubFile, procDir] = process.argv.slice(2);

function parseProm(text) {
  const families = [];
  let current;
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const help = /^# HELP (\S+) (.*)$/.exec(line);
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (help || type) {
      const name = (help ?? type)[1];
      if (!current || current.name !== name) families.push((current = { name, help: "", type: "untyped", metrics: [] }));
      if (help) current.help = help[2];
      if (type) current.type = type[2];
      continue;
    }
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = {};
    for (const pair of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]] = pair[2];
    const base = m[1].replace(/_(bucket|sum|count)$/, "");
    if (!current || (current.name !== m[1] && current.name !== base))
      families.push((current = { name: m[1], help: "", type: "untyped", metrics: [] }));
    current.metrics.push({ name: m[1], labels, value: m[3] });
  }
  return families;
}

function parseStub(text) {
  const lines = text.trim().split("\n");
  const active = Number(/Active connections:\s*(\d+)/.exec(lines[0])?.[1]);
  const [accepts, handled, requests] = (lines[2] ?? "").trim().split(/\s+/).map(Number);
  const rw = /Reading:\s*(\d+)\s*Writing:\s*(\d+)\s*Waiting:\s*(\d+)/.exec(lines[3] ?? "") ?? [];
  return { active_connections: active, accepts, handled, requests, reading: Number(rw[1]), writing: Number(rw[2]), waiting: Number(rw[3]) };
}

function parseKeyValues(text) {
  const out = {};
  for (const line of text.split("\n")) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (m) out[m[1].trim()] = m[2].trim().replace(/\s+/g, " ");
  }
  return out;
}

function parseLimits(text) {
  const rows = text.trim().split("\n").slice(1);
  return rows.map((row) => {
    const [limit, soft, hard, units] = row.trim().split(/\s{2,}/);
    return { limit, soft, hard, units: units ?? null };
  });
}

const doc = {
  collected_by: "prom2json.mjs",
  nginx_stub_status: parseStub(readFileSync(stubFile, "utf8")),
  app_metrics: parseProm(readFileSync(promFile, "utf8")),
  process: {
    status: parseKeyValues(readFileSync(`${procDir}/status`, "utf8")),
    io: parseKeyValues(readFileSync(`${procDir}/io`, "utf8")),
    limits: parseLimits(readFileSync(`${procDir}/limits`, "utf8")),
  },
};
process.stdout.write(JSON.stringify(doc, null, 2) + "\n");
