/**
 * Floors for the benchmarks: what this machine gives before any of the service's own work.
 * - `node|express BODY_FILE PORT`: serves stored response bytes (the read floor; gzip when the
 *   file ends in `.gz`);
 * - `insert MONGODB_URI PORT`: bare Express parsing a JSON body and inserting it with the
 *   driver's insertOne (the submission floor);
 * - `validated MONGODB_URI PORT`: the same, after survey-core has judged the body's answers
 *   against the TSM template on one reused model, on the event loop (422 when it finds errors):
 *   the least a validated submission can cost, with nothing else of the service around it.
 *   node --import tsx scripts/floor-server.ts MODE ARG PORT
 * Prints "listening" once ready.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import express from 'express';
import mongoose from 'mongoose';
import type * as Validation from '../src/validation/validation.worker';
import { tsmDefinition } from './tsm-answers';

const [mode, arg, port] = process.argv.slice(2);

/** survey-core's check of answers, loaded by the validated floor only: the others stay bare. */
function loadValidation(): typeof Validation {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../src/validation/validation.worker') as typeof Validation;
}

let server: http.Server;
if (mode === 'insert' || mode === 'validated') {
  const client = new mongoose.mongo.MongoClient(arg!);
  const collection = client.db().collection('floor_inserts');
  const app = express();
  app.use(express.json());
  const validation = mode === 'validated' ? loadValidation() : null;
  const definition = JSON.stringify(tsmDefinition());
  const files = { fileBytes: 1_000_000, responseBytes: 10_000_000, types: ['image/*'] };
  app.post('/{*path}', (req, res, next) => {
    const body = req.body as { answers: Record<string, unknown>; locale: string };
    if (validation) {
      const check = validation.checkAnswers({
        key: 'floor',
        definition,
        answers: body.answers,
        lang: body.locale,
        files,
      });
      if (check === validation.NEEDS_DEFINITION || check.errors.length) {
        res.status(422).json(check);
        return;
      }
    }
    collection.insertOne({ ...body }).then((r) => res.status(201).json({ id: r.insertedId }), next);
  });
  server = app.listen(Number(port), '127.0.0.1');
} else if (mode === 'express') {
  const { body, headers } = stored(arg!);
  const app = express();
  app.get('/{*path}', (_req, res) => {
    res.set(headers).send(body);
  });
  server = app.listen(Number(port), '127.0.0.1');
} else {
  const { body, headers } = stored(arg!);
  server = http
    .createServer((_req, res) => {
      res.writeHead(200, headers).end(body);
    })
    .listen(Number(port), '127.0.0.1');
}
server.on('listening', () => console.log('listening'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));

/** The stored bytes: gzip when the file ends in `.gz`, else plain JSON. */
function stored(file: string) {
  const body = readFileSync(file);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(body.length),
  };
  if (file.endsWith('.gz')) headers['Content-Encoding'] = 'gzip';
  return { body, headers };
}
