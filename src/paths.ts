import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

let root: string | null = null;

/** The project directory (holding package.json), from source (tsx) or from dist/ alike. */
export function projectRoot(): string {
  if (root) return root;
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (
      existsSync(pkg) &&
      (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'tenant-voice'
    ) {
      root = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the project directory (package.json of tenant-voice)');
    dir = parent;
  }
}
