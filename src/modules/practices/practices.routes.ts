import type { AnyRoute } from '../../http/route';

/** Good practices: entries, attachments and search. */
export function practiceRoutes(): AnyRoute[] {
  return [];
}
