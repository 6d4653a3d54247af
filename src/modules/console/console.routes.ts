import { existsSync } from 'node:fs';
import path from 'node:path';
import compression from 'compression';
import express, { type Router } from 'express';
import { UnavailableError } from '../../errors';
import { projectRoot } from '../../paths';
import { previewLanguage, previewPage } from '../../web/preview';

/** Where `npm run build:console` leaves the built console. */
export function consoleDir(): string {
  return path.join(projectRoot(), 'dist', 'console');
}

/**
 * The console at /console: hashed assets cached for good, the survey preview frame, and
 * index.html (never cached) for every other path under /console, where the page's own router
 * takes over. Everything is compressed; the page loads scripts only from this host, as the
 * content security policy wants.
 */
export function consoleAssets(): Router {
  const dir = consoleDir();
  const router = express.Router();
  router.use('/console', compression());
  router.use(
    '/console/assets',
    express.static(path.join(dir, 'assets'), {
      immutable: true,
      maxAge: '365d',
      index: false,
      redirect: false,
    }),
  );
  router.get('/console/assets/*rest', (_req, _res, next) => next('router'));
  // The survey editor's preview frame: a page of its own, so survey-core stays out of the console.
  router.get('/console/preview', (req, res) => {
    res
      .set('Cache-Control', 'no-cache')
      .type('html')
      .send(previewPage(previewLanguage(req.query.lang)));
  });
  router.get('/console/preview.js', (_req, res) => {
    res.sendFile(path.join(projectRoot(), 'src', 'web', 'assets', 'preview.js'), { maxAge: '1h' });
  });
  router.get(['/console', '/console/*rest'], (_req, res, next) => {
    const index = path.join(dir, 'index.html');
    if (!existsSync(index)) {
      next(
        new UnavailableError(
          'the console is not built: run `npm run build:console`',
          [],
          'CONSOLE_NOT_BUILT',
        ),
      );
      return;
    }
    res.sendFile(index, { headers: { 'Cache-Control': 'no-cache' } });
  });
  return router;
}
