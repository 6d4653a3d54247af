import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { TestContext } from './harness';

let validator: Ajv2020 | null = null;

/** The served OpenAPI document, loaded once per test file, with every schema ready to use. */
async function documentAjv(ctx: TestContext): Promise<Ajv2020> {
  if (validator) return validator;
  const doc = (await ctx.http.get('/api/openapi.json')).body as object;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(doc, 'openapi');
  validator = ajv;
  return ajv;
}

/**
 * Asserts that a response is what the served OpenAPI document says the endpoint answers with
 * that status: the status is documented, and a JSON body matches its schema.
 */
export async function expectDocumented(
  ctx: TestContext,
  res: { status: number; body: unknown; headers: Record<string, string> },
  method: string,
  path: string,
): Promise<void> {
  const ajv = await documentAjv(ctx);
  const doc = ajv.getSchema('openapi')!.schema as {
    paths: Record<
      string,
      Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>
    >;
  };
  const op = doc.paths[path]?.[method];
  if (!op) throw new Error(`${method.toUpperCase()} ${path} is not in the OpenAPI document`);
  const response = op.responses[String(res.status)];
  if (!response) throw new Error(`${method.toUpperCase()} ${path} does not document status ${res.status}`);
  if (!String(res.headers['content-type'] ?? '').includes('application/json')) return;
  if (!response.content?.['application/json'])
    throw new Error(`${method.toUpperCase()} ${path} ${res.status} documents no JSON body`);
  const pointer = [
    'paths',
    path,
    method,
    'responses',
    String(res.status),
    'content',
    'application/json',
    'schema',
  ]
    .map((p) => encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1')))
    .join('/');
  const valid = ajv.validate({ $ref: `openapi#/${pointer}` }, res.body);
  if (!valid)
    throw new Error(
      `${method.toUpperCase()} ${path} ${res.status}: the body does not match the documented schema: ${ajv.errorsText(ajv.errors)}`,
    );
}

/** The OpenAPI path template a concrete path matches, preferring literal segments. */
export async function templateOf(ctx: TestContext, concrete: string): Promise<string> {
  const ajv = await documentAjv(ctx);
  const paths = Object.keys((ajv.getSchema('openapi')!.schema as { paths: object }).paths);
  const bare = concrete.split('?')[0]!;
  const matches = paths.filter((t) =>
    new RegExp(`^${t.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`).test(bare),
  );
  if (!matches.length) throw new Error(`no documented path matches ${bare}`);
  const params = (t: string) => (t.match(/\{/g) ?? []).length;
  return matches.sort((a, b) => params(a) - params(b))[0]!;
}

/** {@link expectDocumented} for a concrete path (with its query), resolving the template. */
export async function expectDocumentedAt(
  ctx: TestContext,
  res: { status: number; body: unknown; headers: Record<string, string> },
  method: string,
  concrete: string,
): Promise<void> {
  await expectDocumented(ctx, res, method, await templateOf(ctx, concrete));
}
