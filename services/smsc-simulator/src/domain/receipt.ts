import { dataSmOf, deliverSm, type Outgoing, tlv } from "@smsgw/smpp";
import { concatUdh, encodeGsm7Unpacked, encodeUcs2, segment } from "@smsgw/sms-text";

/** How the parts of a long MO are tied together, as carriers do (reference.md). */
export type MoConcat = "udh8" | "udh16" | "sar";

export interface MoCommand {
  from: string;
  to: string;
  text: string;
  /** Split into parts with this header even when the text fits one part; default: one part. */
  concat?: MoConcat;
  /** The concatenation reference (default 1). */
  ref?: number;
  /** Only these parts (1-based) are sent: a test's parts that never complete. Default: all. */
  onlyParts?: number[];
  /**
   * With `concat`: the octet offsets in the encoded text where a part ends, instead of the
   * handset's split: a carrier that cuts mid-character (a GSM-7 escape pair, a UCS-2 surrogate
   * pair or code unit). Offsets outside the text are ignored.
   */
  splitAt?: number[];
}

const UDHI = 0x40;

/** The PDUs a carrier may deliver receipts and MO in (SMPP 3.4 4.7 allows data_sm for both). */
export const DELIVERY_COMMANDS = ["deliver_sm", "data_sm"] as const;
export type DeliveryCommand = (typeof DELIVERY_COMMANDS)[number];

/** A receipt's or an MO's deliver_sm as the carrier sends it: as is, or as a data_sm. */
export function deliveredAs(
  pdu: Outgoing<"deliver_sm">,
  command: DeliveryCommand,
): Outgoing<DeliveryCommand> {
  return command === "data_sm" ? dataSmOf(pdu) : pdu;
}

/**
 * An MO message as a carrier delivers it: esm_class 0, GSM-7 unpacked when the text fits the
 * basic alphabet, else UCS-2; a "+" number as international (TON 1, NPI 1). With `concat`, the
 * text is split as a handset would (153/67 units a part) and each part carries its UDH
 * (esm_class 0x40) or SAR TLVs: one deliver_sm per part, in order.
 */
export function moDeliverSms(mo: MoCommand): Outgoing<"deliver_sm">[] {
  const address = (a: string) =>
    a.startsWith("+") ? { addr: a.slice(1), ton: 1, npi: 1 } : { addr: a, ton: 0, npi: 0 };
  const from = address(mo.from);
  const to = address(mo.to);
  const gsm = isGsm7(mo.text);
  const encode = (text: string) => Buffer.from(gsm ? encodeGsm7Unpacked(text) : encodeUcs2(text));
  const base = {
    sourceAddr: from.addr,
    sourceAddrTon: from.ton,
    sourceAddrNpi: from.npi,
    destinationAddr: to.addr,
    destAddrTon: to.ton,
    destAddrNpi: to.npi,
    dataCoding: gsm ? 0 : 8,
  };
  if (!mo.concat) return [deliverSm({ ...base, esmClass: 0, shortMessage: encode(mo.text) })];
  const method = mo.concat;
  const ref = mo.ref ?? 1;
  const parts = mo.splitAt
    ? cutAt(encode(mo.text), mo.splitAt)
    : segment(mo.text, { concat: method === "udh16" ? "udh16" : "udh8" }).parts.map((part) =>
        encode(part.text),
      );
  const total = parts.length;
  return parts.flatMap((text, index) => {
    const seq = index + 1;
    if (mo.onlyParts && !mo.onlyParts.includes(seq)) return [];
    if (method === "sar") {
      const tlvs = [tlv.sarMsgRefNum(ref), tlv.sarTotalSegments(total), tlv.sarSegmentSeqnum(seq)];
      return [deliverSm({ ...base, esmClass: 0, shortMessage: text, tlvs })];
    }
    const udh = concatUdh(ref, total, seq, method);
    return [deliverSm({ ...base, esmClass: UDHI, shortMessage: Buffer.concat([udh, text]) })];
  });
}

/** The octets cut at these offsets (each once, in order; those outside the octets ignored). */
function cutAt(octets: Buffer, offsets: readonly number[]): Buffer[] {
  const inside = [...new Set(offsets)].filter((o) => o > 0 && o < octets.length);
  const bounds = [0, ...inside.sort((a, b) => a - b), octets.length];
  return bounds.slice(1).map((end, index) => octets.subarray(bounds[index], end));
}

function isGsm7(text: string): boolean {
  try {
    encodeGsm7Unpacked(text);
    return true;
  } catch {
    return false;
  }
}
