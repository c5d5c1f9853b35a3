// The target of bench/monitor: a small HTTP server in its own process (its CPU is not the monitor's).
import http from 'node:http';

const body = JSON.stringify({ status: 'healthy' });
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.on('SIGTERM', () => process.exit(0));
