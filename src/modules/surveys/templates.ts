import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../paths';
import type { MappingEntry } from './indicator-mapping';

/** A built-in questionnaire from surveys/. */
export interface Template {
  slug: string;
  title: Record<string, string>;
  description: Record<string, string>;
  languages: string[];
  definition: Record<string, unknown>;
  indicatorMapping: MappingEntry[];
}

let cache: Template[] | null = null;

/** The directory of the built-in templates. */
export function templatesDir(): string {
  return path.join(projectRoot(), 'surveys');
}

/** Every template in surveys/, by slug order. Read once; they ship with the code. */
export function listTemplates(): Template[] {
  if (!cache) {
    cache = readdirSync(templatesDir())
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => JSON.parse(readFileSync(path.join(templatesDir(), f), 'utf8')) as Template);
  }
  return cache;
}

/** One template by slug, or undefined. */
export function findTemplate(slug: string): Template | undefined {
  return listTemplates().find((t) => t.slug === slug);
}
