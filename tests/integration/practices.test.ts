import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { IndicatorValue, indicatorValueId } from '../../src/modules/indicators/indicator-value.model';
import { Practice } from '../../src/modules/practices/practice.model';
import {
  bearer,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  issueKeyViaApi,
  type TestContext,
} from '../support/harness';
import { expectDocumentedAt } from '../support/contract';

/**
 * Good practices over HTTP on the real servers: entries in Polish, Georgian and Ukrainian,
 * search across languages and diacritics, filters, visibility, author-only changes, safe
 * Markdown, attachments in GridFS, and the evidence read from signed-off returns and survey values.
 */
let ctx: TestContext;
let platform = '';
const admins: Record<string, string> = {};
const ids: Record<string, string> = {};
let analyst = '';
let coordinator = '';
const P = '/api/v1/practices';
const G = '/api/v1/groups/gwd-practices';

const binary = (
  res: { on: (e: string, cb: (c?: Buffer) => void) => void },
  cb: (err: Error | null, body: Buffer) => void,
) => {
  const chunks: Buffer[] = [];
  res.on('data', (c?: Buffer) => chunks.push(c!));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

async function as(
  key: string | null,
  method: 'get' | 'put' | 'post' | 'patch' | 'delete',
  path: string,
  body?: object,
) {
  const req = ctx.http[method](path);
  if (key) req.set('Authorization', bearer(key));
  const res = await (body === undefined ? req : req.send(body));
  // Every answer, success or error, is checked against the served OpenAPI document.
  await expectDocumentedAt(ctx, res, method, path);
  return res;
}

const criteria = {
  relevance: { text: 'Zaległości to główny problem zasobu', rating: 5 },
  evidenceBase: { text: 'Pustostany i zaległości zmierzone przed i po', rating: 4 },
  transferability: { text: 'Wymaga tylko uchwały rady', rating: 4 },
  cost: { text: 'Praca dwóch osób', rating: 2 },
};

const MARKDOWN = [
  '**Ugody** ratalne zawierane przed skierowaniem sprawy do sądu.',
  '',
  "<script>alert('x')</script>",
  '',
  '[kliknij](javascript:alert(1)) i [GUS](https://stat.gov.pl)',
].join('\n');

/** Puts, submits and signs off a return of the group. */
async function signedOff(org: string, period: string, vacant: number) {
  const url = `${G}/returns/${org}/${period}`;
  const put = await as(admins[org]!, 'put', url, {
    figures: [{ indicator: 'PL_VACANT', numerator: vacant, denominator: 1000 }],
  });
  expect(put.status).toBe(200);
  expect((await as(admins[org]!, 'post', `${url}/submit`, {})).status).toBe(200);
  expect((await as(coordinator, 'post', `${url}/sign-off`)).status).toBe(200);
}

const titles = (res: { body: { items: Array<{ title: Record<string, string> }> } }) =>
  res.body.items.map((i) => Object.values(i.title)[0]);

beforeAll(async () => {
  ctx = await createTestContext();
  platform = await createPlatformKey();
  for (const [slug, extra] of [
    ['jaworzno', { country: 'PL', type: 'city' }],
    ['kutaisi-hoa', { country: 'GE', type: 'homeowner_association' }],
    ['lviv', { country: 'UA', type: 'city' }],
    ['outsider', { country: 'PL', type: 'municipal_housing_company' }],
    ['zmp', { country: 'PL', type: 'resource_centre' }],
  ] as const) {
    const org = await createOrganisationViaApi(ctx, platform, slug, { ...extra, housingStock: 5000 });
    admins[slug] = org.adminKey;
    ids[slug] = org.id;
  }
  analyst = await issueKeyViaApi(ctx, admins.jaworzno!, 'jaworzno', 'analyst');
  coordinator = await issueKeyViaApi(ctx, admins.zmp!, 'zmp', 'coordinator');
  const period = (p: string) => ({
    period: p,
    opens: '2020-01-01T00:00:00Z',
    closes: '2099-03-31T00:00:00Z',
    signOffBy: '2099-06-30T00:00:00Z',
  });
  const group = await as(coordinator, 'post', '/api/v1/groups', {
    slug: 'gwd-practices',
    name: 'Grupa Wymiany Doświadczeń',
    indicators: ['PL_VACANT'],
    calendar: [period('2023'), period('2024'), period('2025')],
  });
  expect(group.status).toBe(201);
  for (const slug of ['jaworzno', 'kutaisi-hoa', 'lviv']) {
    expect((await as(coordinator, 'post', `${G}/invitations`, { organisation: slug })).status).toBe(200);
    expect((await as(admins[slug]!, 'post', `${G}/membership`)).status).toBe(200);
  }
});
afterAll(async () => {
  await ctx.close();
});

const practices: Record<string, string> = {};

describe('creating practices', () => {
  it('refuses unknown indicators, a bare two-part indicator, a group-visible entry without its group, and foreign groups', async () => {
    const base = {
      period: '2024',
      title: { pl: 'Próba' },
      summary: { pl: 'Próba' },
      body: { pl: 'Próba' },
      criteria,
      visibility: 'organisations',
    };
    const bad = await as(admins.jaworzno!, 'post', P, { ...base, indicators: ['TP01', 'NOPE', 'RP02'] });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details).toEqual([
      { path: '/indicators/1', message: 'unknown indicator NOPE' },
      { path: '/indicators/2', message: expect.stringContaining('RP02.non_emergency, RP02.emergency') },
    ]);
    const noGroup = await as(admins.jaworzno!, 'post', P, { ...base, visibility: 'group' });
    expect(noGroup.status).toBe(422);
    expect(noGroup.body.error.details[0].path).toBe('/group');
    const foreign = await as(admins.outsider!, 'post', P, { ...base, group: 'gwd-practices' });
    expect(foreign.status).toBe(422);
    expect(foreign.body.error.details[0].path).toBe('/group');
    const noLanguage = await as(admins.jaworzno!, 'post', P, { ...base, title: {} });
    expect(noLanguage.status).toBe(422);
    const badRating = await as(admins.jaworzno!, 'post', P, {
      ...base,
      criteria: { ...criteria, cost: { text: 'x', rating: 6 } },
    });
    expect(badRating.status).toBe(422);
    expect((await as(analyst, 'post', P, base)).status).toBe(403);
    expect((await as(null, 'post', P, base)).status).toBe(401);
  });

  it('stores entries in Polish, Georgian and Ukrainian with the organisation’s country and type', async () => {
    const pl = await as(admins.jaworzno!, 'post', P, {
      group: 'gwd-practices',
      period: '2024',
      title: { pl: 'Windykacja zaległości czynszowych przez ugody ratalne' },
      summary: { pl: 'Ugody ratalne z najemcami zamiast eksmisji.' },
      body: { pl: MARKDOWN },
      topics: ['Windykacja', 'czynsze'],
      indicators: ['PL_VACANT', 'TP01'],
      criteria,
      visibility: 'group',
    });
    expect(pl.status).toBe(201);
    expect(pl.body).toMatchObject({
      country: 'PL',
      organisationType: 'city',
      organisation: { slug: 'jaworzno' },
      group: { slug: 'gwd-practices' },
      visibility: 'group',
      revision: 0,
      you: { author: true },
    });
    practices.pl = pl.body.id;

    const ka = await as(admins['kutaisi-hoa']!, 'post', P, {
      period: '2023',
      title: { ka: 'ბინათმესაკუთრეთა ამხანაგობების სახურავის შეკეთება' },
      summary: { ka: 'სახურავის შეკეთება მაცხოვრებლების თანადაფინანსებით.' },
      body: { ka: 'ამხანაგობამ შეაგროვა თანხა და შეაკეთა სახურავი.' },
      topics: ['სახურავი'],
      criteria,
      visibility: 'public',
    });
    expect(ka.status).toBe(201);
    expect(ka.body).toMatchObject({ country: 'GE', organisationType: 'homeowner_association', group: null });
    practices.ka = ka.body.id;

    const uk = await as(admins.lviv!, 'post', P, {
      period: '2024-H1',
      title: { uk: "Ремонт під'їздів разом з мешканцями" },
      summary: { uk: 'Мешканці обирають фарбу, керуюча компанія платить.' },
      body: { uk: 'Ремонт сходових кліток за участю мешканців.' },
      criteria,
      visibility: 'organisations',
    });
    expect(uk.status).toBe(201);
    expect(uk.body.country).toBe('UA');
    practices.uk = uk.body.id;

    // Same words in the body only: ranks below the entry that has them in its title.
    const other = await as(admins.jaworzno!, 'post', P, {
      period: '2025',
      title: { pl: 'Rozmowy z najemcami' },
      summary: { pl: 'Spotkania w administracji.' },
      body: { pl: 'Rozmowa zapobiega narastaniu zaległości czynszowych.' },
      indicators: ['RP02.emergency'],
      criteria,
      visibility: 'organisations',
    });
    expect(other.status).toBe(201);
    practices.other = other.body.id;
  });

  it('renders Markdown with raw HTML escaped and javascript: links refused', async () => {
    const res = await as(admins.jaworzno!, 'get', `${P}/${practices.pl}`);
    expect(res.status).toBe(200);
    const html: string = res.body.bodyHtml.pl;
    expect(html).toContain('<strong>Ugody</strong>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/href="javascript/i);
    expect(html).toContain('href="https://stat.gov.pl"');
    expect(res.body.body.pl).toBe(MARKDOWN);
  });
});

describe('search', () => {
  const search = (key: string | null, query: string) =>
    as(key, 'get', `${key ? P : '/api/v1/public/practices'}?${query}`);

  it('finds Polish text with and without diacritics, in any case, and by prefix', async () => {
    for (const q of ['zaległości', 'zaleglosci', 'ZALEGŁOŚCI', 'zaleg', 'windyk ratal', 'Ugody']) {
      const res = await search(admins.lviv!, `q=${encodeURIComponent(q)}`);
      expect(res.status).toBe(200);
      expect(res.body.items.map((i: { id: string }) => i.id)).toContain(practices.pl);
    }
    // Every word must be found; a two-letter word only as a whole word.
    expect((await search(admins.lviv!, 'q=zaleglosci+eksmisjami')).body.items).toEqual([]);
    expect((await search(admins.lviv!, 'q=za')).body.items).toEqual([]);
  });

  it('ranks matches in the title above matches in the body', async () => {
    const res = await search(admins.jaworzno!, `q=${encodeURIComponent('zaległości czynszowych')}`);
    expect(res.body.items.map((i: { id: string }) => i.id)).toEqual([practices.pl, practices.other]);
    // Both words in the title (3 each), against both in the body only (1 each).
    expect(res.body.items.map((i: { score: number }) => i.score)).toEqual([6, 2]);
  });

  it('finds Georgian and Ukrainian text, by prefix and with any apostrophe', async () => {
    for (const q of ['სახურავის', 'სახურ', 'ამხანაგობ შეკეთ']) {
      const res = await search(admins.jaworzno!, `q=${encodeURIComponent(q)}`);
      expect(titles(res)).toEqual(['ბინათმესაკუთრეთა ამხანაგობების სახურავის შეკეთება']);
    }
    for (const q of ["під'їздів", 'підʼїздів', 'під’їзд', 'РЕМОНТ мешкан']) {
      const res = await search(admins.jaworzno!, `q=${encodeURIComponent(q)}`);
      expect(titles(res)).toEqual(["Ремонт під'їздів разом з мешканцями"]);
    }
  });

  it('filters by indicator, topic, country, organisation type and group', async () => {
    const ids = async (query: string, key = admins.jaworzno!) =>
      (await search(key, query)).body.items.map((i: { id: string }) => i.id).sort();
    expect(await ids('indicator=PL_VACANT')).toEqual([practices.pl]);
    expect(await ids('indicator=RP02')).toEqual([practices.other]);
    expect(await ids('indicator=RP02.emergency')).toEqual([practices.other]);
    expect(await ids('topic=WINDYKACJA')).toEqual([practices.pl]);
    expect(await ids('country=GE')).toEqual([practices.ka]);
    expect(await ids('country=UA&organisationType=city')).toEqual([practices.uk]);
    expect(await ids('organisationType=homeowner_association')).toEqual([practices.ka]);
    expect(await ids('group=gwd-practices')).toEqual([practices.pl]);
    expect(await ids('q=zaleg&country=PL')).toEqual([practices.other, practices.pl].sort());
    expect((await search(admins.outsider!, 'group=gwd-practices')).status).toBe(404);
  });

  it('pages newest first with a cursor, and ranked results by position', async () => {
    const first = await search(admins.jaworzno!, 'limit=3');
    expect(first.body.items).toHaveLength(3);
    const second = await search(admins.jaworzno!, `limit=3&cursor=${first.body.nextCursor}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const all = [...first.body.items, ...second.body.items].map((i: { id: string }) => i.id);
    expect(all).toEqual([practices.other, practices.uk, practices.ka, practices.pl]);
    const ranked = await search(admins.jaworzno!, 'q=zaleg&limit=1');
    expect(ranked.body.nextCursor).toBe('1');
    const next = await search(admins.jaworzno!, 'q=zaleg&limit=1&cursor=1');
    expect(next.body.items.map((i: { id: string }) => i.id)).toEqual([practices.other]);
    expect(next.body.nextCursor).toBeNull();
    expect((await search(admins.jaworzno!, `q=zaleg&cursor=${first.body.nextCursor}`)).status).toBe(422);
  });
});

describe('visibility', () => {
  it('a group-visible entry is invisible outside its group: 404 and absent from search', async () => {
    expect((await as(admins.outsider!, 'get', `${P}/${practices.pl}`)).status).toBe(404);
    const missing = await as(admins.outsider!, 'get', `${P}/${'0'.repeat(24)}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    const listed = await as(admins.outsider!, 'get', P);
    expect(listed.body.items.map((i: { id: string }) => i.id).sort()).toEqual(
      [practices.ka, practices.uk, practices.other].sort(),
    );
    expect((await as(admins.outsider!, 'get', `${P}?q=zaleglosci+windykacja`)).body.items).toEqual([]);
    // Members of the group, its coordinator and the platform see it.
    for (const key of [admins.lviv!, admins['kutaisi-hoa']!, coordinator, platform])
      expect((await as(key, 'get', `${P}/${practices.pl}`)).status).toBe(200);
    // The group is named only to those who see the group.
    expect((await as(admins.outsider!, 'get', `${P}/${practices.uk}`)).body.group).toBeNull();
  });

  it('public entries are readable without a key; nothing else is', async () => {
    const list = await as(null, 'get', '/api/v1/public/practices');
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([practices.ka]);
    const one = await as(null, 'get', `/api/v1/public/practices/${practices.ka}`);
    expect(one.status).toBe(200);
    expect(one.body.you).toBeUndefined();
    for (const id of [practices.pl, practices.uk])
      expect((await as(null, 'get', `/api/v1/public/practices/${id}`)).status).toBe(404);
    const q = await as(null, 'get', `/api/v1/public/practices?q=${encodeURIComponent('სახურ')}`);
    expect(q.body.items).toHaveLength(1);
    expect((await as(null, 'get', '/api/v1/public/practices?q=zaleglosci')).body.items).toEqual([]);
    expect((await as(null, 'get', P)).status).toBe(401);
  });
});

describe('changing practices', () => {
  it('only the writing organisation’s admin changes it: 404 when invisible, 403 when visible', async () => {
    const patch = { title: { en: 'Taken over' } };
    expect((await as(admins.outsider!, 'patch', `${P}/${practices.pl}`, patch)).status).toBe(404);
    const member = await as(admins.lviv!, 'patch', `${P}/${practices.pl}`, patch);
    expect(member.status).toBe(403);
    expect(member.body.error.code).toBe('FORBIDDEN');
    expect((await as(analyst, 'patch', `${P}/${practices.pl}`, patch)).status).toBe(403);
    expect((await as(admins.lviv!, 'delete', `${P}/${practices.pl}`)).status).toBe(403);
    expect((await as(admins.outsider!, 'delete', `${P}/${practices.pl}`)).status).toBe(404);
  });

  it('adds a translation, which search then finds; a stale revision is refused', async () => {
    const url = `${P}/${practices.pl}`;
    const read = await as(admins.jaworzno!, 'get', url);
    const res = await as(admins.jaworzno!, 'patch', url, {
      title: { en: 'Collecting rent arrears through instalment agreements' },
      body: { en: 'Agreements *before* court.' },
      revision: read.body.revision,
    });
    expect(res.status).toBe(200);
    expect(res.body.title).toEqual({
      pl: 'Windykacja zaległości czynszowych przez ugody ratalne',
      en: 'Collecting rent arrears through instalment agreements',
    });
    expect(res.body.bodyHtml.en).toContain('<em>before</em>');
    expect(res.body.revision).toBe(read.body.revision + 1);
    const found = await as(admins.lviv!, 'get', `${P}?q=instalment+arrear`);
    expect(found.body.items.map((i: { id: string }) => i.id)).toEqual([practices.pl]);
    const stale = await as(admins.jaworzno!, 'patch', url, { period: '2023', revision: read.body.revision });
    expect(stale.status).toBe(409);
    const empty = await as(admins.jaworzno!, 'patch', url, { summary: { pl: '' } });
    expect(empty.status).toBe(422);
    expect(empty.body.error.details[0].path).toBe('/summary');
    const unlinked = await as(admins.jaworzno!, 'patch', url, { group: null });
    expect(unlinked.status).toBe(422);
  });

  it('the author’s admin or the platform deletes an entry', async () => {
    const made = await as(admins.lviv!, 'post', P, {
      period: '2025',
      title: { uk: 'Тимчасовий запис' },
      summary: { uk: 'x' },
      body: { uk: 'x' },
      criteria,
      visibility: 'organisations',
    });
    expect((await as(platform, 'delete', `${P}/${made.body.id}`)).status).toBe(204);
    expect((await as(admins.lviv!, 'get', `${P}/${made.body.id}`)).status).toBe(404);
  });
});

describe('attachments', () => {
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    randomBytes(300_000),
  ]);
  const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2000)]);
  const upload = async (key: string | null, id: string, type: string, bytes: Buffer, name = 'plik.png') => {
    const req = ctx.http
      .post(`${P}/${id}/attachments?name=${encodeURIComponent(name)}`)
      .set('Content-Type', type);
    if (key) req.set('Authorization', bearer(key));
    const res = await req.send(bytes);
    await expectDocumentedAt(ctx, res, 'post', `${P}/${id}/attachments`);
    return res;
  };

  it('stores a file in GridFS and returns the same bytes with its type and name', async () => {
    const res = await upload(admins.jaworzno!, practices.pl!, 'image/png', png, 'wykres zaległości.png');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'wykres zaległości.png',
      contentType: 'image/png',
      size: png.length,
    });
    const down = await ctx.http
      .get(res.body.url)
      .set('Authorization', bearer(admins.lviv!))
      .buffer(true)
      .parse(binary);
    expect(down.status).toBe(200);
    expect(down.headers['content-type']).toBe('image/png');
    expect(down.headers['content-disposition']).toMatch(
      /^attachment; filename=.*filename\*=UTF-8''wykres%20zaleg/,
    );
    expect(Buffer.compare(down.body as Buffer, png)).toBe(0);
    const listed = await as(admins.jaworzno!, 'get', `${P}/${practices.pl}`);
    expect(listed.body.attachments.map((a: { id: string }) => a.id)).toEqual([res.body.id]);
    expect((await ctx.http.get(res.body.url).set('Authorization', bearer(admins.outsider!))).status).toBe(
      404,
    );
    expect((await ctx.http.get(res.body.url)).status).toBe(401);
  });

  it('a public entry’s attachment downloads without a key', async () => {
    const res = await upload(admins['kutaisi-hoa']!, practices.ka!, 'application/pdf', pdf, 'ანგარიში.pdf');
    expect(res.status).toBe(201);
    const pub = await as(null, 'get', `/api/v1/public/practices/${practices.ka}`);
    const url = pub.body.attachments[0].url;
    expect(url).toBe(`/api/v1/public/practices/${practices.ka}/attachments/${res.body.id}`);
    const down = await ctx.http.get(url).buffer(true).parse(binary);
    expect(down.status).toBe(200);
    expect(down.headers['content-type']).toBe('application/pdf');
    expect(Buffer.compare(down.body as Buffer, pdf)).toBe(0);
    const hidden = `/api/v1/public/practices/${practices.pl}/attachments/${res.body.id}`;
    expect((await ctx.http.get(hidden)).status).toBe(404);
  });

  it('refuses content that is not of its declared type, other types, large files, and other organisations', async () => {
    const mismatch = await upload(admins.jaworzno!, practices.pl!, 'image/png', pdf);
    expect(mismatch.status).toBe(415);
    expect(mismatch.body.error.code).toBe('CONTENT_TYPE_MISMATCH');
    const text = await upload(admins.jaworzno!, practices.pl!, 'text/plain', Buffer.from('hello'));
    expect(text.status).toBe(415);
    const big = Buffer.concat([png.subarray(0, 8), Buffer.alloc(5 * 1024 * 1024)]);
    const tooLarge = await upload(admins.jaworzno!, practices.pl!, 'image/png', big);
    expect(tooLarge.status).toBe(413);
    expect((await upload(admins.lviv!, practices.pl!, 'image/png', png)).status).toBe(403);
    expect((await upload(admins.outsider!, practices.pl!, 'image/png', png)).status).toBe(404);
    const noName = await ctx.http
      .post(`${P}/${practices.pl}/attachments?name=..%2Fetc`)
      .set('Authorization', bearer(admins.jaworzno!))
      .set('Content-Type', 'image/png')
      .send(png);
    expect(noName.status).toBe(422);
    expect((await as(admins.jaworzno!, 'get', `${P}/${practices.pl}`)).body.attachments).toHaveLength(1);
  });

  it('removing an attachment removes its bytes', async () => {
    const files = mongoose.connection.db!.collection('practice_attachments.files');
    const chunks = mongoose.connection.db!.collection('practice_attachments.chunks');
    const res = await upload(admins.jaworzno!, practices.pl!, 'application/pdf', pdf, 'do usunięcia.pdf');
    const fileId = new mongoose.Types.ObjectId(res.body.id as string);
    expect(await files.countDocuments({ _id: fileId })).toBe(1);
    expect(await chunks.countDocuments({ files_id: fileId })).toBeGreaterThan(0);
    expect((await as(admins.lviv!, 'delete', `${P}/${practices.pl}/attachments/${res.body.id}`)).status).toBe(
      403,
    );
    expect(
      (await as(admins.jaworzno!, 'delete', `${P}/${practices.pl}/attachments/${res.body.id}`)).status,
    ).toBe(204);
    expect((await as(admins.jaworzno!, 'get', res.body.url)).status).toBe(404);
    expect(await files.countDocuments({ _id: fileId })).toBe(0);
    expect(await chunks.countDocuments({ files_id: fileId })).toBe(0);
    expect((await as(admins.jaworzno!, 'get', `${P}/${practices.pl}`)).body.attachments).toHaveLength(1);
  });
});

describe('evidence', () => {
  it('lists the reported figure before and after the practice’s period, without sampling noise', async () => {
    await signedOff('jaworzno', '2023', 60);
    await signedOff('jaworzno', '2025', 30);
    // Another member's figures are never part of this entry's evidence.
    await signedOff('lviv', '2025', 90);
    const res = await as(admins.lviv!, 'get', `${P}/${practices.pl}`);
    const vacant = res.body.evidence.find((e: { indicator: string }) => e.indicator === 'PL_VACANT');
    expect(vacant).toMatchObject({
      source: 'reported',
      kind: 'rate',
      direction: 'lower',
      before: { period: '2023', value: 0.06, numerator: 60, denominator: 1000 },
      after: { period: '2025', value: 0.03, numerator: 30, denominator: 1000 },
      latest: null,
      change: { noise: 'none (reported figure)', threshold: null, beyondNoise: null },
    });
    expect(vacant.change.difference).toBeCloseTo(-0.03, 12);
  });

  it('lists survey values with intervals, says whether the change is beyond the noise, and hides suppressed values from others', async () => {
    // Survey values are written directly: the aggregation that normally publishes them from
    // responses is tested elsewhere, and here only the evidence's reading of them matters.
    const seed = (
      org: string,
      period: string,
      value: number,
      low: number,
      high: number,
      n: number,
      suppressed: string | null,
    ) =>
      IndicatorValue.create({
        _id: indicatorValueId(ids[org]!, 'TP01', period, '*'),
        organisationId: new mongoose.Types.ObjectId(ids[org]!),
        organisation: { slug: org, name: org, country: 'PL', region: '', type: 'city', housingStock: 5000 },
        indicatorId: 'TP01',
        kind: 'share',
        period,
        segment: '*',
        n,
        excluded: 0,
        value,
        low,
        high,
        distribution: '{}',
        minN: 10,
        suppressed,
        computedAt: new Date(),
      });
    await seed('jaworzno', '2023', 0.6, 0.55, 0.65, 300, null);
    await seed('jaworzno', '2024', 0.7, 0.66, 0.74, 400, null);
    await seed('jaworzno', '2025', 0.9, 0.7, 0.97, 8, 'primary');
    await seed('lviv', '2023', 0.1, 0.05, 0.15, 300, null);

    const forOthers = await as(admins.lviv!, 'get', `${P}/${practices.pl}`);
    const tp01 = forOthers.body.evidence.find((e: { indicator: string }) => e.indicator === 'TP01');
    expect(tp01).toMatchObject({
      source: 'survey',
      kind: 'share',
      direction: 'higher',
      before: { period: '2023', value: 0.6, low: 0.55, high: 0.65, n: 300, suppressed: null },
      after: { period: '2024', value: 0.7, low: 0.66, high: 0.74, n: 400, suppressed: null },
      latest: { period: '2025', value: null, low: null, high: null, n: null, suppressed: 'primary' },
      changeToLatest: null,
    });
    // Half-widths 0.05 and 0.04: the threshold sqrt(0.05² + 0.04²) = 0.0640 < 0.10.
    expect(tp01.change.difference).toBeCloseTo(0.1, 12);
    expect(tp01.change.threshold).toBeCloseTo(Math.sqrt(0.05 ** 2 + 0.04 ** 2), 12);
    expect(tp01.change.beyondNoise).toBe(true);

    const forAuthor = await as(analyst, 'get', `${P}/${practices.pl}`);
    const own = forAuthor.body.evidence.find((e: { indicator: string }) => e.indicator === 'TP01');
    expect(own.latest).toMatchObject({ period: '2025', value: 0.9, n: 8, suppressed: 'primary' });
    // Half-widths 0.05 and 0.135: threshold 0.1440 < 0.30.
    expect(own.changeToLatest.beyondNoise).toBe(true);
    expect(own.changeToLatest.threshold).toBeCloseTo(Math.sqrt(0.05 ** 2 + 0.135 ** 2), 12);
  });
});

describe('the server’s query operators the search relies on', () => {
  it('$all, $in and $regex on string arrays behave as on MongoDB', async () => {
    const coll = Practice.collection;
    const count = (filter: object) => coll.countDocuments(filter);
    const pl = new mongoose.Types.ObjectId(practices.pl!);
    expect(await count({ _id: pl, terms: { $all: ['zaleg', 'windyk', 'ugody'] } })).toBe(1);
    expect(await count({ _id: pl, terms: { $all: ['zaleg', 'nieobecne'] } })).toBe(0);
    expect(await count({ _id: pl, indicatorKeys: { $in: ['NOPE', 'TP01'] } })).toBe(1);
    expect(await count({ _id: pl, topicKeys: { $regex: '^windy' } })).toBe(1);
    expect(await count({ _id: pl, topicKeys: { $regex: '^nie' } })).toBe(0);
  });

  it('the OpenAPI document describes the practice endpoints', async () => {
    const doc = await ctx.http.get('/api/openapi.json');
    for (const path of [
      P,
      `${P}/{id}`,
      `${P}/{id}/attachments`,
      `${P}/{id}/attachments/{attachmentId}`,
      '/api/v1/public/practices',
      '/api/v1/public/practices/{id}',
    ])
      expect(doc.body.paths[path]).toBeDefined();
    expect(Object.keys(doc.body.paths[`${P}/{id}/attachments`].post.requestBody.content)).toEqual(
      expect.arrayContaining(['application/pdf', 'image/png', 'image/jpeg', 'image/webp']),
    );
  });
});

describe('an organisation that leaves the group', () => {
  it('takes its group-visible entries with it; its own organisation still sees them', async () => {
    const leaver = await createOrganisationViaApi(ctx, platform, 'leaving-city', {
      country: 'PL',
      type: 'city',
    });
    expect((await as(coordinator, 'post', `${G}/invitations`, { organisation: 'leaving-city' })).status).toBe(
      200,
    );
    expect((await as(leaver.adminKey, 'post', `${G}/membership`)).status).toBe(200);
    const created = await as(leaver.adminKey, 'post', P, {
      group: 'gwd-practices',
      period: '2024',
      title: { pl: 'Dyżury administratora w soboty' },
      summary: { pl: 'Administrator osiedla przyjmuje lokatorów w soboty.' },
      body: { pl: 'Dyżur w każdą sobotę od 9 do 13.' },
      topics: ['obsługa lokatorów'],
      indicators: ['PL_VACANT'],
      criteria,
      visibility: 'group',
    });
    expect(created.status).toBe(201);
    const url = `${P}/${created.body.id}`;
    const listed = async (key: string) =>
      (await as(key, 'get', `${P}?limit=100`)).body.items.map((i: { id: string }) => i.id);
    for (const key of [admins.lviv!, coordinator]) {
      expect((await as(key, 'get', url)).status).toBe(200);
      expect(await listed(key)).toContain(created.body.id);
    }

    expect((await as(leaver.adminKey, 'delete', `${G}/members/leaving-city`)).status).toBe(200);
    for (const key of [admins.lviv!, coordinator]) {
      expect((await as(key, 'get', url)).status).toBe(404);
      expect(await listed(key)).not.toContain(created.body.id);
    }
    expect((await as(leaver.adminKey, 'get', url)).status).toBe(200);
    // The platform sees every entry.
    expect((await as(platform, 'get', url)).status).toBe(200);
  });
});
