import type { TraceContext } from "./trace.ts";

/** What an event inherits from the event (or message) that caused it. */
export interface EventCause {
  messageId: string;
  accountId: string;
  trace?: TraceContext | undefined;
}

/** The envelope fields of an event caused by another: same message, account and trace. */
export function envelopeFor(cause: EventCause, eventId: string, now: Date) {
  const base = {
    eventId,
    version: 1 as const,
    messageId: cause.messageId,
    accountId: cause.accountId,
    occurredAt: now.toISOString(),
  };
  return cause.trace ? { ...base, trace: cause.trace } : base;
}
