// The reference point for the bench: the barest pass-through node:http can do (no routing, no
// parsing, no ledger): each request is piped to the upstream over a keep-alive agent and the answer
// piped back. What headroom's `off` mode costs beyond this is headroom's own overhead.
// Usage (from scripts/bench/proxy.ts): node --import tsx scripts/bench/proxy-bare.ts UPSTREAM_URL
// Prints {"url": ...} once listening; stops when its parent disconnects or on SIGTERM.
import { Agent, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

const upstream = new URL(process.argv[2] ?? "http://127.0.0.1:9");
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

const server = createServer((req, res) => {
  const headers = { ...req.headers, host: upstream.host };
  delete headers.connection;
  const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent }, (answer) => {
    const back = { ...answer.headers };
    delete back.connection;
    delete back["keep-alive"];
    res.writeHead(answer.statusCode ?? 502, back);
    answer.pipe(res);
  });
  out.on("error", () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(out);
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
});
const stop = (): void => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("disconnect", stop);
