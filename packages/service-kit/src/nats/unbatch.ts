import { EventBatch } from "@smsgw/contracts";
import { z } from "zod";
import { ACK, type Delivery, type Outcome } from "./consumer.ts";

/**
 * A consumer of one event type receives each event alone or several in an `EventBatch`
 * envelope on the same subject (ADR 0009: ingress publishes its accepted events that way
 * under load). Its schema takes both; `unbatch` flattens them and `outcomesOfDeliveries`
 * folds the events' outcomes back onto the deliveries that carried them.
 */
export function singleOrBatch<T>(schema: z.ZodType<T>) {
  return z.union([schema, EventBatch]);
}

export interface UnbatchedEvent<T> {
  value: T;
  /** The index, in the consumer's batch, of the delivery that carried the event. */
  delivery: number;
}

/**
 * The events of the deliveries, in order. An event inside an envelope that does not parse
 * is dropped (counted in `invalid` for the caller to log): it would never parse on a
 * redelivery either, and its neighbours must not be held back by it.
 */
export function unbatch<T>(
  batch: ReadonlyArray<Delivery<T | EventBatch>>,
  schema: z.ZodType<T>,
): { events: UnbatchedEvent<T>[]; invalid: number } {
  const events: UnbatchedEvent<T>[] = [];
  let invalid = 0;
  for (const [index, { value }] of batch.entries()) {
    if (!isEventBatch(value)) {
      events.push({ value, delivery: index });
      continue;
    }
    for (const raw of value.events) {
      const parsed = schema.safeParse(raw);
      if (parsed.success) events.push({ value: parsed.data, delivery: index });
      else invalid++;
    }
  }
  return { events, invalid };
}

/**
 * One outcome per delivery from one per event. A delivery of one event takes its outcome.
 * An envelope is acked unless one of its events is to be retried, then the whole envelope
 * is (the soonest retry wins; handlers are idempotent, so its other events are simply done
 * again); an event the handler terminates inside an envelope is dropped with the ack (the
 * handler logs why), never taking its neighbours with it.
 */
export function outcomesOfDeliveries(
  deliveries: number,
  events: ReadonlyArray<{ delivery: number }>,
  outcomes: readonly Outcome[],
): Outcome[] {
  const carried = new Array<number>(deliveries).fill(0);
  for (const { delivery } of events) carried[delivery] = (carried[delivery] ?? 0) + 1;
  const result: Outcome[] = Array.from({ length: deliveries }, () => ACK);
  for (const [index, { delivery }] of events.entries()) {
    const outcome = outcomes[index] ?? ACK;
    if (carried[delivery] === 1) {
      result[delivery] = outcome;
      continue;
    }
    const kept = result[delivery] ?? ACK;
    if (outcome.kind === "nak" && (kept.kind !== "nak" || outcome.delayMs < kept.delayMs)) {
      result[delivery] = outcome;
    }
  }
  return result;
}

function isEventBatch(value: unknown): value is EventBatch {
  return (value as { type?: unknown } | null)?.type === "EventBatch";
}
