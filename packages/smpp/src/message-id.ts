/**
 * How a carrier writes its message ids. Many send the id in submit_sm_resp in one base and in
 * receipts in another (Kannel `msg-id-type`, Jasmin `dlr_msg_id_bases`): "1A2B3C" in the
 * submit_sm_resp, "1715004" in the receipt.
 * - "hex" / "decimal": the id is a number in that base; it normalises to its decimal value
 *   with no leading zeros (BigInt, so 64-bit ids keep every digit).
 * - "string": opaque (UUIDs, dotted ids); only trimmed.
 */
export type MessageIdBase = "hex" | "decimal" | "string";

/**
 * Normalises a carrier message id so both sides of a carrier can be matched: store
 * `normalizeCarrierMessageId(submitResp.messageId, carrier.submitIdBase)` and look receipts up
 * by `normalizeCarrierMessageId(receipt.carrierMessageId, carrier.receiptIdBase)`.
 * An id that is not a number in the declared base comes back trimmed, unchanged.
 */
export function normalizeCarrierMessageId(id: string, base: MessageIdBase): string {
  const trimmed = id.trim();
  if (base === "hex" && /^(0x)?[0-9a-f]+$/i.test(trimmed)) {
    return BigInt(
      trimmed.startsWith("0x") || trimmed.startsWith("0X") ? trimmed : `0x${trimmed}`,
    ).toString();
  }
  if (base === "decimal" && /^[0-9]+$/.test(trimmed)) return BigInt(trimmed).toString();
  return trimmed;
}
