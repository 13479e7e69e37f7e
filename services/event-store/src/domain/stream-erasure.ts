/**
 * Which stream copies hold an erased message's content (ADR 0021, the stream's copies). When
 * each may be deleted is the service kit's `fateOfCopy`, shared with the inbound service.
 */

/**
 * The stream copies of erased messages' content, from their logged events: the copy that
 * brought each event whose data held the content (`changed`: erasure altered it), and the
 * submit order each connector event ends (`orderSeq` in its data). Status-change envelopes
 * are found apart (by message, in `status_publishes`). Sorted, each once.
 */
export function contentCopiesOf(
  events: ReadonlyArray<{ streamSeq: number | null; changed: boolean; data: unknown }>,
): number[] {
  const seqs = new Set<number>();
  for (const { streamSeq, changed, data } of events) {
    if (changed && streamSeq !== null) seqs.add(streamSeq);
    const orderSeq = (data as { orderSeq?: unknown } | null)?.orderSeq;
    if (typeof orderSeq === "number" && Number.isSafeInteger(orderSeq)) seqs.add(orderSeq);
  }
  return [...seqs].sort((a, b) => a - b);
}
