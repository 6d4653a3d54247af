/**
 * One measured pass over the responses, in its own process so its peak memory is its own:
 *   MONGODB_URI=... node --import tsx scripts/rebuild-once.ts scan|rebuild
 * Prints {"ms", "responses", "valuesWritten" (rebuild), "peakRssMb"} as the last line.
 */
import { readFileSync } from 'node:fs';
import { loadConfig } from '../src/config';
import { connectMongo, disconnectMongo } from '../src/db/connection';
import { fullRebuild } from '../src/modules/indicators/aggregation.service';
import { SurveyResponse } from '../src/modules/responses/response.model';

/** Peak resident set size of this process (VmHWM), in MB. */
function peakRssMb(): number {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'));
  return line
    ? Math.round(Number(line.replace(/\D+/g, '')) / 1024)
    : Math.round(process.memoryUsage().rss / 1048576);
}

async function main() {
  const mode = process.argv[2];
  const config = loadConfig();
  if (!config.mongodbUri) throw new Error('MONGODB_URI is required');
  await connectMongo(config.mongodbUri);
  const started = Date.now();
  let responses = 0;
  let valuesWritten: number | undefined;
  if (mode === 'scan') {
    // The same projection and batch size as the rebuild, and nothing else.
    const cursor = SurveyResponse.find(
      {},
      { organisationId: 1, surveyId: 1, period: 1, segment: 1, version: 1, answers: 1 },
    )
      .lean()
      .cursor({ batchSize: 2000 });
    for await (const r of cursor) if (r) responses++;
  } else if (mode === 'rebuild') {
    const rebuilt = await fullRebuild();
    responses = rebuilt.responses;
    valuesWritten = rebuilt.valuesWritten;
  } else {
    throw new Error('usage: rebuild-once.ts scan|rebuild');
  }
  const ms = Date.now() - started;
  await disconnectMongo();
  console.log(JSON.stringify({ ms, responses, valuesWritten, peakRssMb: peakRssMb() }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
