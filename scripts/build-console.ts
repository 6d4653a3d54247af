import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = path.resolve(__dirname, '..');

/** Where the console's sources live. */
export const CONSOLE_SOURCE = path.join(root, 'console');

/** Where the built console goes; `src/modules/console/console.routes.ts` serves it. */
export const CONSOLE_OUT = path.join(root, 'dist', 'console');

/** Everything the bundle is made of: a change to any of these makes the built console stale. */
const INPUTS = [CONSOLE_SOURCE, path.join(root, 'src', 'charts'), path.join(root, 'package-lock.json')];

/** What a build leaves beside the files: how to tell it is current, and what it weighs. */
export interface ConsoleManifest {
  fingerprint: string;
  builtAt: string;
  /** The files index.html loads before anything is opened. */
  firstLoad: string[];
  /** Every output file with its raw and gzip size in bytes. */
  files: Record<string, { bytes: number; gzip: number }>;
}

function filesUnder(p: string): string[] {
  if (!existsSync(p)) return [];
  if (!statSync(p).isDirectory()) return [p];
  return readdirSync(p, { withFileTypes: true })
    .flatMap((e) => filesUnder(path.join(p, e.name)))
    .sort();
}

/** A hash of every input file's path and content. */
export function consoleFingerprint(): string {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap(filesUnder)) {
    hash.update(path.relative(root, file));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** The manifest of the console in dist/, or null when it was never built. */
export function readConsoleManifest(): ConsoleManifest | null {
  const file = path.join(CONSOLE_OUT, 'manifest.json');
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as ConsoleManifest;
}

/**
 * Bundles the console with esbuild: one small entry (the shell, sign-in and tables, i18next),
 * a chunk per language, and the chart chunk (Vega) that is loaded only when a chart is opened.
 * File names carry a content hash so they can be cached for good; index.html cannot.
 */
export async function buildConsole(): Promise<ConsoleManifest> {
  const fingerprint = consoleFingerprint();
  // Built beside the old one and swapped in at the end, so a running service or a second build
  // never sees half a console.
  const out = `${CONSOLE_OUT}.building-${process.pid}`;
  rmSync(out, { recursive: true, force: true });
  const assets = path.join(out, 'assets');
  mkdirSync(assets, { recursive: true });
  const result = await build({
    entryPoints: { console: path.join(CONSOLE_SOURCE, 'main.ts') },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    minify: true,
    outdir: assets,
    entryNames: '[name]-[hash]',
    chunkNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
    tsconfig: path.join(CONSOLE_SOURCE, 'tsconfig.json'),
  });
  const outputs = Object.entries(result.metafile.outputs);
  const entry = outputs.find(([, o]) => o.entryPoint?.endsWith('console/main.ts'));
  if (!entry) throw new Error('esbuild produced no entry for console/main.ts');
  const [entryFile, entryOutput] = entry;
  const url = (file: string) => `/console/assets/${path.relative(assets, path.resolve(root, file))}`;
  const script = url(entryFile);
  const css = entryOutput.cssBundle ? url(entryOutput.cssBundle) : null;
  const template = readFileSync(path.join(CONSOLE_SOURCE, 'index.html'), 'utf8');
  const html = template
    .replace('<!-- styles -->', css ? `<link rel="stylesheet" href="${css}" />` : '')
    .replace('<!-- script -->', `<script type="module" src="${script}"></script>`);
  writeFileSync(path.join(out, 'index.html'), html);

  const files: ConsoleManifest['files'] = {};
  for (const file of filesUnder(out)) {
    const body = readFileSync(file);
    files[path.relative(out, file)] = { bytes: body.length, gzip: gzipSync(body).length };
  }
  // The entry and what it imports statically load at once; dynamic imports wait until used.
  const eager = new Set<string>();
  const follow = (file: string) => {
    if (eager.has(file)) return;
    eager.add(file);
    for (const i of result.metafile.outputs[file]?.imports ?? [])
      if (i.kind === 'import-statement' && !i.external) follow(i.path);
  };
  follow(entryFile);
  if (entryOutput.cssBundle) eager.add(entryOutput.cssBundle);
  const firstLoad = ['index.html', ...[...eager].map((f) => path.relative(out, path.resolve(root, f)))];
  const manifest: ConsoleManifest = { fingerprint, builtAt: new Date().toISOString(), firstLoad, files };
  writeFileSync(path.join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  rmSync(CONSOLE_OUT, { recursive: true, force: true });
  renameSync(out, CONSOLE_OUT);
  return manifest;
}

/** Builds the console when dist/console is missing or older than its sources; says which. */
export async function ensureConsoleBuilt(): Promise<'current' | 'built'> {
  if (readConsoleManifest()?.fingerprint === consoleFingerprint()) return 'current';
  await buildConsole();
  return 'built';
}

function kB(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} kB`;
}

async function main(): Promise<void> {
  const ifStale = process.argv.includes('--if-stale');
  if (ifStale && (await ensureConsoleBuilt()) === 'current') return;
  const manifest = ifStale ? readConsoleManifest()! : await buildConsole();
  const first = manifest.firstLoad.reduce((sum, f) => sum + (manifest.files[f]?.gzip ?? 0), 0);
  console.log(`console built in ${path.relative(root, CONSOLE_OUT)}/: first load ${kB(first)} gzip`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
