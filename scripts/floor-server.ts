/**
 * The floor for the benchmark-read figures: serves stored response bytes with nothing else,
 * so the load test shows what this machine gives before any of the service's own work.
 *   node --import tsx scripts/floor-server.ts node|express BODY_FILE PORT
 * Prints "listening" once ready.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import express from 'express';

const [mode, file, port] = process.argv.slice(2);
const body = readFileSync(file!);
const headers = {
  'Content-Type': 'application/json; charset=utf-8',
  'Content-Encoding': 'gzip',
  'Content-Length': String(body.length),
};

let server: http.Server;
if (mode === 'express') {
  const app = express();
  app.get('/{*path}', (_req, res) => {
    res.set(headers).send(body);
  });
  server = app.listen(Number(port), '127.0.0.1');
} else {
  server = http
    .createServer((_req, res) => {
      res.writeHead(200, headers).end(body);
    })
    .listen(Number(port), '127.0.0.1');
}
server.on('listening', () => console.log('listening'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
