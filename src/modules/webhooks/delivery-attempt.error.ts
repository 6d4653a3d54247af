/**
 * An attempt to deliver a webhook failed and another may follow: thrown from the delivery job so
 * BullMQ retries it with backoff. The attempt is already in the delivery's log.
 */
export class DeliveryAttemptError extends Error {
  constructor(
    readonly deliveryId: string,
    readonly reason: string,
  ) {
    super(`webhook delivery ${deliveryId} failed: ${reason}`);
    this.name = 'DeliveryAttemptError';
  }
}
