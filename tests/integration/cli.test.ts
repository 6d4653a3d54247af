import { runTsx } from '../support/children';
import { bearer, createTestContext, databaseUri, type TestContext } from '../support/harness';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

async function cli(args: string[]) {
  const env = {
    ...process.env,
    MONGODB_URI: databaseUri(process.env.TEST_MONGODB_URI!, ctx.dbName),
    NODE_ENV: 'test',
  };
  return runTsx('src/cli/index.ts', args, env);
}

it('platform-key create --json prints {id, key}, and the key works against the API', async () => {
  const { stdout } = await cli(['platform-key', 'create', '--json']);
  const printed = JSON.parse(stdout.trim());
  expect(Object.keys(printed).sort()).toEqual(['id', 'key']);
  const res = await ctx.http
    .post('/api/v1/organisations')
    .set('Authorization', bearer(printed.key))
    .send({ slug: 'from-cli', name: 'From CLI', country: 'GE', type: 'resource_centre' });
  expect(res.status).toBe(201);
});

it('organisation create --json prints the organisation and its admin key', async () => {
  const { stdout } = await cli([
    'organisation',
    'create',
    '--slug',
    'tbilisi-rc',
    '--name',
    'Tbilisi RC',
    '--country',
    'GE',
    '--type',
    'resource_centre',
    '--languages',
    'ka,en',
    '--json',
  ]);
  const printed = JSON.parse(stdout.trim());
  expect(printed.organisation).toMatchObject({ slug: 'tbilisi-rc', country: 'GE', languages: ['ka', 'en'] });
  const me = await ctx.http.get('/api/v1/organisations').set('Authorization', bearer(printed.adminKey.key));
  expect(me.body.items[0].slug).toBe('tbilisi-rc');
});

it('a bad command exits non-zero with usage', async () => {
  await expect(cli(['organisation', 'create', '--slug', 'x', '--json'])).rejects.toMatchObject({ code: 1 });
  await expect(cli(['nonsense'])).rejects.toMatchObject({ code: 2 });
});
