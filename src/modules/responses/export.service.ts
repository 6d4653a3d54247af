import type { Response as HttpResponse } from 'express';
import { Types } from 'mongoose';
import { NotFoundError } from '../../errors';
import type { AuthContext } from '../../http/context';
import { csvCell } from '../../http/route';
import type { QuestionInfo } from '../surveys/definition-validator';
import { Survey, SurveyVersion } from '../surveys/survey.model';
import { SurveyResponse } from './response.model';

const META_COLUMNS = [
  'responseId',
  'campaignId',
  'version',
  'period',
  'segment',
  'locale',
  'channel',
  'mode',
  'completedAt',
];

/**
 * Question columns of a survey, stable across versions: every question of every version,
 * in order of first appearance, so an export mixing versions lines up and a column never
 * changes meaning.
 */
export async function exportColumns(surveyId: Types.ObjectId): Promise<string[]> {
  const versions = await SurveyVersion.find({ surveyId }, { questions: 1, version: 1 })
    .sort({ version: 1 })
    .lean();
  const names: string[] = [];
  for (const v of versions) {
    for (const q of JSON.parse(v.questions) as QuestionInfo[])
      if (!names.includes(q.name)) names.push(q.name);
  }
  return names;
}

/**
 * Streams the caller's raw responses of one survey as CSV or NDJSON, straight from a
 * database cursor with back-pressure: memory stays flat whatever the number of responses.
 */
export async function streamExport(
  caller: AuthContext,
  q: { survey: string; period?: string; format: 'csv' | 'ndjson' },
  res: HttpResponse,
): Promise<void> {
  const orgId = new Types.ObjectId(caller.organisationId!);
  const survey = await Survey.findOne(
    { _id: new Types.ObjectId(q.survey), $or: [{ organisationId: orgId }, { shared: true }] },
    { _id: 1, slug: 1 },
  ).lean();
  if (!survey) throw new NotFoundError('survey');
  const questions = await exportColumns(survey._id);
  const filter: Record<string, unknown> = { organisationId: orgId, surveyId: survey._id };
  if (q.period) filter.period = q.period;

  const cursor = SurveyResponse.find(filter, {
    organisationId: 0,
    surveyId: 0,
    submissionId: 0,
    // A paper form's serial could tie an answer to a printed copy: exports leave it out.
    serial: 0,
    __v: 0,
  })
    .sort({ _id: 1 })
    .lean()
    .cursor({ batchSize: 1000 });
  // A client gone at any point stops the export (also while the first batch is read).
  let closed = res.destroyed;
  res.once('close', () => {
    closed = true;
  });
  // The query runs before anything is sent: a database that fails it gets its 503 in the error
  // shape, not a 200 whose body stops after the header row.
  let next = await cursor.next().catch(async (err: unknown) => {
    await cursor.close().catch(() => undefined);
    throw err;
  });

  const filename = `responses-${survey.slug}${q.period ? `-${q.period}` : ''}.${q.format === 'csv' ? 'csv' : 'ndjson'}`;
  res.status(200);
  res.type(q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  res.setHeader('Cache-Control', 'no-store');

  // Waits for the client to take what is buffered, or to go away.
  const write = (chunk: string) =>
    res.write(chunk) || closed
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.once('drain', done);
          res.once('close', done);
        });
  if (q.format === 'csv') await write(`${[...META_COLUMNS, ...questions].map(csvCell).join(',')}\r\n`);

  try {
    for (; next && !closed; next = await cursor.next()) {
      const r = next;
      const meta = {
        responseId: r._id.toHexString(),
        campaignId: r.campaignId.toHexString(),
        version: r.version,
        period: r.period,
        segment: r.segment,
        locale: r.locale,
        channel: r.channel,
        mode: r.mode ?? 'online',
        completedAt: r.completedAt.toISOString(),
      };
      const answers = r.answers as Record<string, unknown>;
      if (q.format === 'csv') {
        const cells = [
          ...META_COLUMNS.map((c) => meta[c as keyof typeof meta]),
          ...questions.map((name) => answers[name]),
        ];
        await write(`${cells.map(csvCell).join(',')}\r\n`);
      } else {
        await write(`${JSON.stringify({ ...meta, answers })}\n`);
      }
    }
  } finally {
    await cursor.close().catch(() => undefined);
  }
  res.end();
}
