import { randomUUID } from 'node:crypto';
import type { Worker } from 'bullmq';
import {
  bearer,
  createCampaignViaApi,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  issueKeyViaApi,
  type TestContext,
} from '../support/harness';
import { expectDocumentedAt } from '../support/contract';
import { parsePdf } from '../support/pdf';
import { drain, startTestWorker } from '../support/worker';

/**
 * The council pack over HTTP: a Polish city's results printed in Polish by default and in
 * Georgian on request, with its own values as the API reports them, benchmarked against others,
 * and closed to other organisations.
 */
let ctx: TestContext;
let worker: Worker;
let platform: string;
const keys: Record<string, string> = {};
const PACK = '/api/v1/organisations/gdansk/council-pack.pdf';

async function answer(slug: string, n: number, positiveEvery: number) {
  for (let i = 0; i < n; i++) {
    const res = await ctx.http.post(`/api/v1/public/campaigns/${slug}/responses`).send({
      submissionId: randomUUID(),
      locale: 'pl',
      answers: {
        overall_satisfaction: i % positiveEvery === 0 ? 'very_satisfied' : 'fairly_dissatisfied',
        recommend: i % 11,
      },
    });
    if (res.status !== 201) throw new Error(res.text);
  }
}

async function pdf(key: string, path: string) {
  return ctx.http
    .get(path)
    .set('Authorization', bearer(key))
    .buffer(true)
    .parse((stream, done) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => done(null, Buffer.concat(chunks)));
    });
}

const flat = (s: string) => s.replace(/\s+/g, ' ');

beforeAll(async () => {
  ctx = await createTestContext({ AGGREGATION_DELAY_MS: '50' });
  worker = startTestWorker(ctx);
  platform = await createPlatformKey();
  const gdansk = await createOrganisationViaApi(ctx, platform, 'gdansk', {
    housingStock: 900,
    languages: ['pl'],
  });
  keys.admin = gdansk.adminKey;
  keys.analyst = await issueKeyViaApi(ctx, gdansk.adminKey, 'gdansk', 'analyst');
  const other = await createOrganisationViaApi(ctx, platform, 'kutaisi', { languages: ['ka'] });
  keys.other = other.adminKey;

  // Two estates: Zaspa answers in numbers, Oliwa below the minimum n of 10.
  for (const [segment, n, every] of [
    ['estate:Zaspa', 24, 2],
    ['estate:Oliwa', 5, 1],
  ] as const) {
    const { campaign } = await createCampaignViaApi(ctx, keys.admin, {
      campaign: { period: '2026', segment },
    });
    await answer(campaign.slug, n, every);
  }
  const earlier = await createCampaignViaApi(ctx, keys.admin, { campaign: { period: '2025' } });
  await answer(earlier.campaign.slug, 12, 3);
  const peer = await createCampaignViaApi(ctx, keys.other, { campaign: { period: '2026' } });
  await answer(peer.campaign.slug, 15, 4);
  await drain(ctx.runtime.queues.aggregation);
  await new Promise((r) => setTimeout(r, 300));
}, 180000);

afterAll(async () => {
  await worker.close();
  await ctx.close();
});

it('prints the period’s results in the organisation’s language, as the API reports them', async () => {
  const own = await ctx.http
    .get('/api/v1/indicators?period=2026')
    .set('Authorization', bearer(keys.analyst!));
  const total = own.body.items.find(
    (v: { indicator: string; segment: string }) => v.indicator === 'TP01' && v.segment === '*',
  );
  expect(total).toMatchObject({ n: 29 });
  const percent = new Intl.NumberFormat('pl', {
    style: 'percent',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });

  const res = await pdf(keys.analyst!, `${PACK}?period=2026`);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/pdf/);
  expect(res.headers['content-disposition']).toBe('inline; filename="council-pack-gdansk-2026.pdf"');
  const parsed = await parsePdf(res.body as Buffer);
  expect(parsed.title).toBe('Raport dla rady – City of gdansk – 2026');
  const text = parsed.pages.join(' ');
  expect(text).toContain('City of gdansk');
  expect(text).toContain('Okres: 2026');
  expect(text).toContain('Ogólne zadowolenie z usług zarządcy');
  expect(text).toContain('Wskaźnik rekomendacji (NPS)');
  expect(text).toContain(
    flat(
      `Wartość: ${percent.format(total.value)} (przedział 95%: ${percent.format(total.low)}–${percent.format(total.high)})`,
    ),
  );
  for (const heading of [
    'Najważniejsze wskaźniki',
    'Porównanie ze wszystkimi organizacjami',
    'Wyniki według segmentów',
    'Metodologia',
    'Liczebność próby i wskaźnik odpowiedzi',
    'Błąd oszacowania',
    'Zasady ukrywania wartości',
    'Ważenie',
    'Przedziały i kwartyle',
  ])
    expect(text).toContain(heading);
  // The small estate is hidden in the segment table, with the reason given.
  expect(text).toContain('estate:Oliwa — — —');
  expect(text).toContain('nie pokazano');
  // The charts' texts are in the document too, in Polish.
  expect(text).toContain('Mediana grupy porównawczej');
});

it('prints Georgian on request', async () => {
  const res = await pdf(keys.admin!, `${PACK}?period=2026&lang=ka`);
  expect(res.status).toBe(200);
  const text = (await parsePdf(res.body as Buffer)).pages.join(' ');
  for (const heading of ['ანგარიში საბჭოსთვის', 'ძირითადი ინდიკატორები', 'მეთოდოლოგია', 'დამალვის წესები'])
    expect(text).toContain(heading);
});

it('is not found for another organisation, and open to the platform', async () => {
  const res = await ctx.http.get(`${PACK}?period=2026`).set('Authorization', bearer(keys.other!));
  expect(res.status).toBe(404);
  await expectDocumentedAt(ctx, res, 'get', `${PACK}?period=2026`);
  expect((await pdf(platform, `${PACK}?period=2026&lang=en`)).status).toBe(200);
  const invalid = await ctx.http
    .get(`${PACK}?period=2026&lang=xx`)
    .set('Authorization', bearer(keys.analyst!));
  expect(invalid.status).toBe(422);
});
