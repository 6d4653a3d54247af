import path from 'node:path';
import express, { type Router } from 'express';
import { absolutePath } from 'swagger-ui-dist';
import { defineRoute, type AnyRoute } from '../../http/route';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tenant Voice API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="api"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>`;

// A separate file rather than an inline script, so the strict Content-Security-Policy holds.
const INIT = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#api', deepLinking: true });`;

/** The OpenAPI document and the rendered reference at /docs. */
export function docsRoutes(openapi: () => object): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/openapi.json',
      summary: 'This document (OpenAPI 3.1)',
      tags: ['operations'],
      auth: 'public',
      responses: { 200: { description: 'OpenAPI 3.1 document', schema: { type: 'object' } } },
      handler: () => ({ body: openapi() }),
    }),
    defineRoute({
      method: 'get',
      path: '/docs',
      summary: 'Rendered API reference',
      tags: ['operations'],
      auth: 'public',
      responses: { 200: { description: 'HTML page', content: { 'text/html': {} } } },
      handler: ({ res }) => {
        res.type('html').send(PAGE);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/docs/init.js',
      summary: 'Script of the reference page',
      tags: ['operations'],
      auth: 'public',
      responses: { 200: { description: 'JavaScript', content: { 'application/javascript': {} } } },
      handler: ({ res }) => {
        res.type('application/javascript').send(INIT);
      },
    }),
  ];
}

/** Static assets of the reference page, from the installed swagger-ui-dist (no CDN). */
export function docsAssets(): Router {
  const router = express.Router();
  router.use('/docs/assets', express.static(path.resolve(absolutePath()), { maxAge: '1d', index: false }));
  return router;
}
