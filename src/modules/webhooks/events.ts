/** Things that happen in the service that organisations can subscribe to with webhooks. */
export const EVENT_TYPES = [
  'indicator_values.updated',
  'return.queried',
  'return.signed_off',
  'plan.review_due',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** One event: its type, the organisations it concerns (their endpoints receive it), and its data. */
export interface DomainEvent {
  type: EventType;
  organisationIds: string[];
  /** Ids and figures only; never answers or personal data. */
  data: Record<string, unknown>;
}

/** Where services report events; it never throws into the caller's path. */
export interface EventSink {
  emit(event: DomainEvent): Promise<void>;
}

/** A sink that drops events (CLI tools, and code paths run without a queue). */
export const NO_EVENTS: EventSink = { emit: async () => undefined };
