import type { AnyRoute } from '../../http/route';
import type { Queues } from '../../queue/queues';

/** Webhook endpoints and their delivery logs. */
export function webhookRoutes(_deps: { queues: Queues }): AnyRoute[] {
  return [];
}
