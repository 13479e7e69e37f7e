/**
 * The acceptance fence (ADR 0022). Pricing answers a charge with `publishBy`; ingress
 * publishes the accepted event only before it, and a copy JetStream stored after it is void:
 * routing does not route it, the event store logs it as published but folds nothing from it,
 * so its record does not hold the message as accepted and pricing's sweep, which settles by
 * that record (ADR 0024), refunds the charge. So a refund of
 * a charge "never accepted" can never meet a message that is then delivered, however late a
 * lost-ack publish, a client's replay or a reconnecting client's buffer lands in the stream.
 *
 * `storedAtMs` is JetStream's own timestamp of the stored copy (the same for every consumer
 * and every redelivery), not the reader's clock, so all of them decide alike.
 */
export function acceptanceVoid(
  data: { readonly publishBy?: string | undefined },
  storedAtMs: number,
): boolean {
  if (!data.publishBy) return false;
  return storedAtMs > Date.parse(data.publishBy);
}
