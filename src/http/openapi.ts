import { bodyMayBeLeftOut, type AnyRoute } from './route';

/** The contract's error body, referenced by every error response. */
export const errorSchema = {
  type: 'object',
  required: ['error'],
  additionalProperties: false,
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details'],
      additionalProperties: false,
      properties: {
        code: { type: 'string', examples: ['VALIDATION_FAILED'] },
        message: { type: 'string' },
        details: {
          type: 'array',
          items: {
            type: 'object',
            required: ['path', 'message'],
            additionalProperties: false,
            properties: { path: { type: 'string' }, message: { type: 'string' } },
          },
        },
        requestId: { type: 'string' },
      },
    },
  },
} as const;

const errorRef = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: errorRef } },
});

interface Info {
  title: string;
  version: string;
  description: string;
  serverUrl: string;
}

/**
 * Builds the OpenAPI 3.1 document from the route definitions: the same schemas ajv
 * enforces, plus the error responses the middleware chain can produce for each route.
 */
export function buildOpenApi(routes: AnyRoute[], info: Info): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const parameters = [
      ...toParameters(r.params as Schema | undefined, 'path'),
      ...toParameters(r.query as Schema | undefined, 'query'),
    ];
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(r.responses)) {
      const content: Record<string, unknown> = {};
      if (spec.schema) content['application/json'] = { schema: spec.schema };
      for (const [type, c] of Object.entries(spec.content ?? {}))
        content[type] = c.schema ? { schema: c.schema } : {};
      if (r.csv && Number(status) < 300) content['text/csv'] = { schema: { type: 'string' } };
      responses[status] = Object.keys(content).length
        ? { description: spec.description, content }
        : { description: spec.description };
    }
    const add = (status: number, description: string) => {
      if (!responses[status]) responses[status] = errorResponse(description);
    };
    // Every POST, PUT and PATCH reads a JSON body if one is sent, whether the route takes one.
    if (r.body || (['post', 'put', 'patch'].includes(r.method) && !r.requestContent)) {
      add(400, 'Malformed JSON');
      add(413, 'Body larger than the limit');
      add(415, 'Content-Type is not application/json');
    }
    if (r.requestContent) {
      add(413, 'Body larger than the limit');
      add(415, `Content-Type is not ${Object.keys(r.requestContent).join(' or ')}`);
    }
    if (r.body || r.requestContent || r.params || r.query)
      add(422, 'Input does not match the schema; details carry JSON Pointers');
    if (r.auth !== 'public') {
      add(401, 'Missing, unknown or revoked API key');
      add(403, 'The key’s role may not call this endpoint');
    }
    if (r.rateLimited) add(429, 'Too many requests from this address; see Retry-After');
    add(500, 'Unexpected error; the body carries a request id, never internals');
    // What the API reads and writes lives in the database; sessions, rate limits and queues in
    // Redis. While either cannot be reached the answer is a 503 with Retry-After.
    if (r.path.startsWith('/api/') || r.path.startsWith('/s/'))
      add(503, 'The database or Redis cannot be reached; try again after Retry-After');

    const op: Record<string, unknown> = {
      operationId: operationId(r),
      summary: r.summary,
      tags: r.tags,
      parameters,
      responses,
    };
    if (r.description) op.description = r.description;
    if (r.auth === 'public') op.security = [];
    else op['x-roles'] = r.auth;
    if (r.body) {
      op.requestBody = {
        required: !bodyMayBeLeftOut(r.body),
        content: { 'application/json': { schema: r.body } },
      };
    } else if (r.requestContent) op.requestBody = { required: true, content: r.requestContent };
    paths[r.path] ??= {};
    paths[r.path]![r.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version, description: info.description },
    servers: [{ url: info.serverUrl }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key: Authorization: Bearer <key>' },
      },
      schemas: { Error: errorSchema },
    },
  };
}

interface Schema {
  properties?: Record<string, Record<string, unknown>>;
  required?: string[];
}

function toParameters(schema: Schema | undefined, where: 'path' | 'query') {
  if (!schema?.properties) return [];
  return Object.entries(schema.properties).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (schema.required ?? []).includes(name),
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
    schema: s,
  }));
}

function operationId(r: AnyRoute): string {
  const words = r.path
    .replace(/^\/api\/v1\//, '')
    .split(/[/.-]/)
    .filter(Boolean)
    .map((w) => (w.startsWith('{') ? 'By' + cap(w.slice(1, -1)) : cap(w)));
  return r.method + words.join('');
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
