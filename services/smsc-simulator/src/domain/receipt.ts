import { deliverSm, type Outgoing } from "@smsgw/smpp";
import { encodeGsm7Unpacked, encodeUcs2 } from "@smsgw/sms-text";

/**
 * An MO message as a carrier delivers it: esm_class 0, GSM-7 unpacked when the text fits the
 * basic alphabet, else UCS-2; a "+" number as international (TON 1, NPI 1).
 */
export function moDeliverSm(mo: {
  from: string;
  to: string;
  text: string;
}): Outgoing<"deliver_sm"> {
  const address = (a: string) =>
    a.startsWith("+") ? { addr: a.slice(1), ton: 1, npi: 1 } : { addr: a, ton: 0, npi: 0 };
  const from = address(mo.from);
  const to = address(mo.to);
  const gsm = isGsm7(mo.text);
  return deliverSm({
    sourceAddr: from.addr,
    sourceAddrTon: from.ton,
    sourceAddrNpi: from.npi,
    destinationAddr: to.addr,
    destAddrTon: to.ton,
    destAddrNpi: to.npi,
    esmClass: 0,
    dataCoding: gsm ? 0 : 8,
    shortMessage: Buffer.from(gsm ? encodeGsm7Unpacked(mo.text) : encodeUcs2(mo.text)),
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
