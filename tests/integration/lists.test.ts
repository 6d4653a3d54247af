import type { Response } from 'supertest';
import { expectDocumentedAt } from '../support/contract';
import {
  bearer,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  issueKeyViaApi,
  type TestContext,
} from '../support/harness';
import { IndicatorValue, indicatorValueId } from '../../src/modules/indicators/indicator-value.model';

/*
 * Every list pages with a cursor (`?limit=&cursor=`, `{items, nextCursor}`): walking the pages
 * gives each item once, the same items as one large page, and an item added between two pages
 * is not lost. Each list here held everything in one answer before.
 */

let ctx: TestContext;
let platform: string;
const admins: Record<string, string> = {};
let coordinator = '';

async function get(key: string, path: string): Promise<Response> {
  const res = await ctx.http.get(path).set('Authorization', bearer(key));
  await expectDocumentedAt(ctx, res, 'get', path.split('?')[0]!);
  return res;
}

async function as(key: string, method: 'post' | 'put', path: string, body: unknown): Promise<Response> {
  return ctx.http[method](path)
    .set('Authorization', bearer(key))
    .send(body as object);
}

const withQuery = (path: string, query: string) => `${path}${path.includes('?') ? '&' : '?'}${query}`;

/**
 * Follows the cursors of a list, `limit` items a page, and returns every item's key in the
 * order given. `between` runs after the first page (to change the list while it is walked).
 */
async function walk(
  key: string,
  path: string,
  id: (item: Record<string, unknown>) => string,
  limit = 2,
  between?: () => Promise<void>,
): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query = `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await get(key, withQuery(path, query));
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    cursor = res.body.nextCursor as string | null;
    if (cursor) {
      expect(res.body.items).toHaveLength(limit);
      expect(res.headers.link).toContain('rel="next"');
    } else expect(res.headers.link).toBeUndefined();
    seen.push(...(res.body.items as Array<Record<string, unknown>>).map(id));
    if (pages++ === 0 && between) await between();
    expect(pages).toBeLessThan(100);
  } while (cursor);
  expect(new Set(seen).size).toBe(seen.length);
  return seen;
}

/** The keys of one page as large as the API allows. */
async function whole(key: string, path: string, id: (item: Record<string, unknown>) => string) {
  const res = await get(key, withQuery(path, 'limit=200'));
  expect(res.status).toBe(200);
  expect(res.body.nextCursor).toBeNull();
  return (res.body.items as Array<Record<string, unknown>>).map(id);
}

const byId = (item: Record<string, unknown>) => String(item.id);

beforeAll(async () => {
  ctx = await createTestContext();
  platform = await createPlatformKey();
  for (const slug of ['leszno', 'gniezno']) {
    admins[slug] = (await createOrganisationViaApi(ctx, platform, slug, { housingStock: 4000 })).adminKey;
  }
  const centre = await createOrganisationViaApi(ctx, platform, 'lists-centre', { type: 'resource_centre' });
  coordinator = await issueKeyViaApi(ctx, centre.adminKey, 'lists-centre', 'coordinator');
}, 120_000);

afterAll(async () => {
  await ctx.close();
});

describe('lists page with a cursor', () => {
  it('api keys: each once, in order, a key issued mid-walk at the end', async () => {
    for (let i = 0; i < 4; i++) await issueKeyViaApi(ctx, admins.leszno!, 'leszno', 'analyst');
    const path = '/api/v1/organisations/leszno/api-keys';
    const before = await whole(admins.leszno!, path, byId);
    expect(before).toHaveLength(5);
    let added = '';
    const walked = await walk(admins.leszno!, path, byId, 2, async () => {
      const res = await as(admins.leszno!, 'post', `/api/v1/organisations/leszno/api-keys`, {
        role: 'analyst',
      });
      expect(res.status).toBe(201);
      added = res.body.id as string;
    });
    expect(walked).toEqual([...before, added]);
    // Another organisation's keys never show.
    expect(await whole(admins.gniezno!, '/api/v1/organisations/gniezno/api-keys', byId)).toHaveLength(1);
  });

  it('people', async () => {
    for (const name of ['Ala', 'Ola', 'Ela']) {
      const res = await as(admins.leszno!, 'post', '/api/v1/organisations/leszno/people', {
        name,
        email: `${name.toLowerCase()}@leszno.test`,
        role: 'analyst',
      });
      expect(res.status).toBe(201);
    }
    const path = '/api/v1/organisations/leszno/people';
    const walked = await walk(admins.leszno!, path, byId);
    expect(walked).toHaveLength(3);
    expect(walked).toEqual(await whole(admins.leszno!, path, byId));
  });

  it('the two catalogues, by id', async () => {
    for (const path of ['/api/v1/indicator-definitions', '/api/v1/reported-indicators']) {
      const walked = await walk(admins.leszno!, path, byId, 3);
      expect(walked.length).toBeGreaterThan(6);
      expect(walked).toEqual([...walked].sort());
      expect(walked).toEqual(await whole(admins.leszno!, path, byId));
    }
  });

  it('groups, by slug, only those the caller is in', async () => {
    for (const slug of ['lists-c', 'lists-a', 'lists-b']) {
      const res = await as(coordinator, 'post', '/api/v1/groups', {
        slug,
        name: slug,
        indicators: ['PL_VACANT'],
      });
      expect(res.status).toBe(201);
    }
    const bySlug = (item: Record<string, unknown>) => String(item.slug);
    expect(await walk(coordinator, '/api/v1/groups', bySlug)).toEqual(['lists-a', 'lists-b', 'lists-c']);
    expect(await whole(admins.gniezno!, '/api/v1/groups', bySlug)).toEqual([]);
  });

  it('plans: only the caller’s, each once', async () => {
    const own: string[] = [];
    for (const org of ['leszno', 'gniezno', 'leszno', 'gniezno', 'leszno']) {
      const res = await as(admins[org]!, 'post', '/api/v1/plans', { title: `Plan of ${org}` });
      expect(res.status).toBe(201);
      if (org === 'leszno') own.push(res.body.id as string);
    }
    expect(await walk(admins.leszno!, '/api/v1/plans', byId)).toEqual(own);
  });

  it('margins, oldest period first', async () => {
    const path = '/api/v1/organisations/leszno/margins';
    for (const period of ['2025', '2023', '2024']) {
      const res = await as(admins.leszno!, 'put', `${path}/${period}`, {
        variables: { tenure: { rented: 900, shared: 100 } },
      });
      expect(res.status).toBe(200);
    }
    const byPeriod = (item: Record<string, unknown>) => String(item.period);
    expect(await walk(admins.leszno!, path, byPeriod)).toEqual(['2023', '2024', '2025']);
  });

  it('returns and a return’s audit trail', async () => {
    const open = (period: string) => ({
      period,
      opens: '2020-01-01T00:00:00Z',
      closes: '2099-03-31T00:00:00Z',
      signOffBy: '2099-06-30T00:00:00Z',
    });
    const created = await as(coordinator, 'post', '/api/v1/groups', {
      slug: 'lists-returns',
      name: 'Returns',
      indicators: ['PL_VACANT'],
      calendar: ['2022', '2023', '2024'].map(open),
    });
    expect(created.status).toBe(201);
    const G = '/api/v1/groups/lists-returns';
    for (const org of ['leszno', 'gniezno']) {
      expect((await as(coordinator, 'post', `${G}/invitations`, { organisation: org })).status).toBe(200);
      expect((await as(admins[org]!, 'post', `${G}/membership`, {})).status).toBe(200);
      for (const period of ['2022', '2023', '2024']) {
        const res = await as(admins[org]!, 'put', `${G}/returns/${org}/${period}`, {
          figures: [{ indicator: 'PL_VACANT', numerator: 10, denominator: 1000 }],
          revision: 0,
        });
        expect(res.status).toBe(200);
      }
    }
    const key = (item: Record<string, unknown>) => `${String(item.organisation)}/${String(item.period)}`;
    const all = await walk(coordinator, `${G}/returns`, key);
    expect(all).toHaveLength(6);
    expect(all).toEqual(await whole(coordinator, `${G}/returns`, key));
    // A member sees its own, a page at a time; a filter pages within what it selects.
    expect((await walk(admins.leszno!, `${G}/returns`, key)).sort()).toEqual([
      'leszno/2022',
      'leszno/2023',
      'leszno/2024',
    ]);
    expect((await walk(coordinator, `${G}/returns?period=2023`, key, 1)).sort()).toEqual([
      'gniezno/2023',
      'leszno/2023',
    ]);

    const R = `${G}/returns/leszno/2024`;
    for (let revision = 1; revision <= 3; revision++) {
      const res = await as(admins.leszno!, 'put', R, {
        figures: [{ indicator: 'PL_VACANT', numerator: 10 + revision, denominator: 1000 }],
        revision,
      });
      expect(res.status).toBe(200);
    }
    const byRevision = (item: Record<string, unknown>) => `${String(item.action)}@${String(item.revision)}`;
    const trail = await walk(admins.leszno!, `${R}/audit`, byRevision);
    expect(trail.length).toBeGreaterThanOrEqual(4);
    expect(trail).toEqual(await whole(admins.leszno!, `${R}/audit`, byRevision));
  });

  it('indicator values, within a filter too', async () => {
    // Values stored as the worker stores them; only their keys matter to paging.
    const org = await ctx.http.get('/api/v1/organisations').set('Authorization', bearer(admins.leszno!));
    const organisationId = org.body.items[0].id as string;
    const docs = [];
    for (const indicatorId of ['TP01', 'TP02', 'NPS'])
      for (const period of ['2024', '2025'])
        for (const segment of ['*', 'north']) {
          docs.push({
            _id: indicatorValueId(organisationId, indicatorId, period, segment),
            organisationId,
            indicatorId,
            kind: 'share',
            period,
            segment,
            n: 20,
            excluded: 0,
            distribution: '{}',
            minN: 10,
            computedAt: new Date(),
          });
        }
    await IndicatorValue.insertMany(docs);
    const key = (item: Record<string, unknown>) =>
      `${String(item.indicator)}/${String(item.period)}/${String(item.segment)}`;
    const walked = await walk(admins.leszno!, '/api/v1/indicators', key, 5);
    expect(walked).toHaveLength(12);
    expect(walked).toEqual(await whole(admins.leszno!, '/api/v1/indicators', key));
    expect(await walk(admins.leszno!, '/api/v1/indicators?period=2025&segment=north', key, 1)).toEqual([
      'NPS/2025/north',
      'TP01/2025/north',
      'TP02/2025/north',
    ]);
    expect(await whole(admins.gniezno!, '/api/v1/indicators', key)).toEqual([]);
  });

  it('refuses a cursor that is not one (422), before reading anything', async () => {
    for (const path of [
      '/api/v1/indicators?cursor=not%20a%20cursor',
      '/api/v1/organisations/leszno/people?cursor=zzzz',
      '/api/v1/groups?cursor=%24gt',
      '/api/v1/indicators?limit=201',
    ]) {
      const res = await get(admins.leszno!, path);
      expect(res.status).toBe(422);
      expect(res.body.error.details[0].path).toMatch(/^\/query\//);
    }
  });
});
