import jsQR from 'jsqr';
import mongoose from 'mongoose';
import { PNG } from 'pngjs';
import {
  bearer,
  createCampaignViaApi,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  issueKeyViaApi,
  type TestContext,
} from '../support/harness';
import { parsePdf } from '../support/pdf';

let ctx: TestContext;
let admin: string;
let analyst: string;

beforeAll(async () => {
  ctx = await createTestContext();
  const platform = await createPlatformKey();
  const org = await createOrganisationViaApi(ctx, platform, 'poznan', {
    name: 'Zarząd Komunalnych Zasobów Lokalowych',
  });
  admin = org.adminKey;
  analyst = await issueKeyViaApi(ctx, admin, org.slug, 'analyst');
});
afterAll(async () => {
  await ctx.close();
});

const binary = (
  res: { on: (e: string, cb: (c?: Buffer) => void) => void },
  cb: (err: Error | null, body: Buffer) => void,
) => {
  const chunks: Buffer[] = [];
  res.on('data', (c?: Buffer) => chunks.push(c!));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

async function pdfText(buf: Buffer): Promise<{ text: string; pages: number; qrCodes: Array<string | null> }> {
  const parsed = await parsePdf(buf);
  return { text: parsed.pages.join('\n'), pages: parsed.total, qrCodes: parsed.qrCodes };
}

describe('campaigns', () => {
  it('starts a campaign with a public link and reports its status and counts', async () => {
    const { campaign } = await createCampaignViaApi(ctx, admin, {
      template: 'tsm-perception',
      campaign: { segment: 'estate:Rataje', period: '2026-H2' },
    });
    expect(campaign.url).toBe(`http://survey.test/s/${campaign.slug}`);
    expect(campaign).toMatchObject({
      status: 'open',
      access: 'open',
      period: '2026-H2',
      segment: 'estate:Rataje',
      languages: ['en', 'pl'],
    });
    const got = await ctx.http.get(`/api/v1/campaigns/${campaign.id}`).set('Authorization', bearer(analyst));
    expect(got.status).toBe(200);
    expect(got.body.counts).toEqual({ responses: 0, byMode: {}, invitations: 0, invitationsUsed: 0 });
  });

  it('refuses inconsistent campaigns with paths', async () => {
    const { surveyId } = await createCampaignViaApi(ctx, admin);
    const post = (body: object) =>
      ctx.http.post('/api/v1/campaigns').set('Authorization', bearer(admin)).send(body);
    const cases: Array<[object, string]> = [
      [
        { surveyId, period: '2026', opensAt: '2026-05-01T00:00:00Z', closesAt: '2026-04-01T00:00:00Z' },
        '/closesAt',
      ],
      [{ surveyId, period: '2026', languages: ['de'] }, '/languages/0'],
      [{ surveyId, period: 'last year' }, '/period'],
      [{ surveyId, period: '2026', version: 7 }, '/version'],
      [{ surveyId: '0123456789abcdef01234567', period: '2026' }, '/surveyId'],
    ];
    for (const [body, path] of cases) {
      const res = await post(body);
      expect(res.status).toBe(422);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    const draftOnly = await ctx.http
      .post('/api/v1/surveys')
      .set('Authorization', bearer(admin))
      .send({ slug: 'unpublished', template: 'pulse' });
    expect((await post({ surveyId: draftOnly.body.id, period: '2026' })).status).toBe(422);
    expect(
      (
        await ctx.http
          .post('/api/v1/campaigns')
          .set('Authorization', bearer(analyst))
          .send({ surveyId, period: '2026' })
      ).status,
    ).toBe(403);
  });

  it('serves a QR code that decodes to the campaign link, as PNG and SVG', async () => {
    const { campaign } = await createCampaignViaApi(ctx, admin);
    const png = await ctx.http
      .get(`/api/v1/campaigns/${campaign.id}/qr.png`)
      .set('Authorization', bearer(admin))
      .buffer(true)
      .parse(binary);
    expect(png.status).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    const image = PNG.sync.read(png.body as Buffer);
    const decoded = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
    expect(decoded?.data).toBe(`${campaign.url}?src=qr`);
    const svg = await ctx.http
      .get(`/api/v1/campaigns/${campaign.id}/qr.svg`)
      .set('Authorization', bearer(admin))
      .buffer(true)
      .parse(binary);
    expect(svg.headers['content-type']).toMatch(/image\/svg\+xml/);
    expect((svg.body as Buffer).toString()).toMatch(/^<svg[^>]*viewBox/);
  });

  it('prints a poster PDF with the link, the titles and the privacy promise', async () => {
    const { campaign } = await createCampaignViaApi(ctx, admin, { template: 'pl-municipal-housing' });
    const res = await ctx.http
      .get(`/api/v1/campaigns/${campaign.id}/poster.pdf`)
      .set('Authorization', bearer(admin))
      .buffer(true)
      .parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const { text, pages, qrCodes } = await pdfText(res.body as Buffer);
    expect(pages).toBe(1);
    expect(text).toContain(campaign.url);
    expect(text).not.toContain('?src=qr');
    expect(qrCodes).toEqual([`${campaign.url}?src=qr`]);
    expect(text).toContain('Zarząd Komunalnych Zasobów Lokalowych');
    expect(text).toContain('Badanie satysfakcji mieszkańców');
    expect(text).toMatch(/anonim/i);
  });

  it('issues single-use tokens per dwelling, prints one letter each, then forgets the secrets', async () => {
    const { campaign } = await createCampaignViaApi(ctx, admin, { campaign: { access: 'invite' } });
    const created = await ctx.http
      .post(`/api/v1/campaigns/${campaign.id}/invitations`)
      .set('Authorization', bearer(admin))
      .send({ dwellings: ['Flat 1', 'Flat 2', 'Flat 3'] });
    expect(created.status).toBe(201);
    const tokens: string[] = created.body.invitations.map((i: { token: string }) => i.token);
    expect(tokens).toHaveLength(3);
    for (const token of tokens) expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);

    const stored = await mongoose.connection.db!.collection('invitations').find({}).toArray();
    for (const token of tokens) expect(JSON.stringify(stored)).not.toContain(token);

    const letters = await ctx.http
      .get(`/api/v1/campaigns/${campaign.id}/invitations/letters.pdf`)
      .set('Authorization', bearer(admin))
      .buffer(true)
      .parse(binary);
    expect(letters.status).toBe(200);
    const { text, pages, qrCodes } = await pdfText(letters.body as Buffer);
    expect(pages).toBe(3);
    expect(qrCodes).toEqual(tokens.map((token) => `${campaign.url}?t=${token}`));
    const flat = text.replace(/\s+/g, '');
    for (const token of tokens) expect(flat).toContain(`${campaign.url}?t=${token}`.replace(/\s+/g, ''));
    expect(text).toContain('Flat 2');

    const csv = await ctx.http
      .get(`/api/v1/campaigns/${campaign.id}/invitations/letters.csv`)
      .set('Authorization', bearer(admin));
    expect(csv.status).toBe(200);
    expect(csv.text.trim().split('\r\n')).toHaveLength(4);

    const purge = await ctx.http
      .delete(`/api/v1/campaigns/${campaign.id}/invitations/secrets`)
      .set('Authorization', bearer(admin));
    expect(purge.body.purged).toBe(1);
    const gone = await ctx.http
      .get(`/api/v1/campaigns/${campaign.id}/invitations/letters.pdf`)
      .set('Authorization', bearer(admin));
    expect(gone.status).toBe(410);
    expect(gone.body.error.code).toBe('SECRETS_GONE');
    const batches = await mongoose.connection.db!.collection('invitation_batches').find({}).toArray();
    for (const token of tokens) expect(JSON.stringify(batches)).not.toContain(token);

    const counts = await ctx.http.get(`/api/v1/campaigns/${campaign.id}`).set('Authorization', bearer(admin));
    expect(counts.body.counts).toEqual({ responses: 0, byMode: {}, invitations: 3, invitationsUsed: 0 });
  });
});
