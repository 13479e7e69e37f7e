import { deliverSm, type Outgoing, tlv } from "@smsgw/smpp";
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
}

const UDHI = 0x40;

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
  const parts = segment(mo.text, { concat: method === "udh16" ? "udh16" : "udh8" }).parts;
  const total = parts.length;
  return parts.flatMap((part, index) => {
    const seq = index + 1;
    if (mo.onlyParts && !mo.onlyParts.includes(seq)) return [];
    const text = encode(part.text);
    if (method === "sar") {
      const tlvs = [tlv.sarMsgRefNum(ref), tlv.sarTotalSegments(total), tlv.sarSegmentSeqnum(seq)];
      return [deliverSm({ ...base, esmClass: 0, shortMessage: text, tlvs })];
    }
    const udh = concatUdh(ref, total, seq, method);
    return [deliverSm({ ...base, esmClass: UDHI, shortMessage: Buffer.concat([udh, text]) })];
  });
}

function isGsm7(text: string): boolean {
  try {
    encodeGsm7Unpacked(text);
    return true;
  } catch {
    return false;
  }
}
