// The target of bench/http-client: a node:http server in its own process (its CPU is not the client's), answering
// every request with the same 200-byte body and a Content-Length. Keep-alive as Node serves it by default (5 s);
// a request with `Connection: close` gets its connection closed after the response. Over IPC it tells how many
// connections and requests it has seen and its own CPU time, so that the bench can check that "fresh" meant a
// connection per request and "kept" did not.
import http from 'node:http';

const body = Buffer.from(JSON.stringify({ status: 'healthy', padding: 'x'.repeat(200 - 33) }));
if (body.length !== 200) throw new Error(`body is ${body.length} bytes`);
const headers = { 'content-type': 'application/json', 'content-length': String(body.length) };

let connections = 0;
let requests = 0;
const server = http.createServer((_req, res) => {
  requests++;
  res.writeHead(200, headers);
  res.end(body);
});
server.on('connection', () => connections++);
// Bursts of up to 500 connections at once (2,000/s fired every 250 ms).
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => console.log(server.address().port));

process.on('message', () => {
  const cpu = process.cpuUsage();
  process.send({ connections, requests, cpuMs: (cpu.user + cpu.system) / 1000 });
});
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
