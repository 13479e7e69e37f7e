// The concatenation element of the User Data Header (3GPP TS 23.040 §9.2.3.24.1 and .8).
import { InvalidConcatHeaderError } from "./errors.ts";
import type { ConcatMethod } from "./limits.ts";

const IEI_CONCAT_8 = 0x00;
const IEI_CONCAT_16 = 0x08;

export interface ConcatInfo {
  method: ConcatMethod;
  ref: number;
  total: number;
  seq: number;
  /** Octets the whole UDH takes, its length octet included: the text starts there. */
  headerLength: number;
}

function assertInRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidConcatHeaderError(
      `${name} must be an integer in ${min}..${max}, got ${value}`,
    );
  }
}

/**
 * The UDH to put before part `seq` of `total` (sent with esm_class 0x40):
 * `05 00 03 ref total seq` (udh8) or `06 08 04 refHi refLo total seq` (udh16).
 */
export function concatUdh(
  ref: number,
  total: number,
  seq: number,
  method: ConcatMethod,
): Uint8Array {
  assertInRange("ref", ref, 0, method === "udh8" ? 0xff : 0xffff);
  assertInRange("total", total, 1, 0xff);
  assertInRange("seq", seq, 1, total);
  return method === "udh8"
    ? Uint8Array.of(0x05, IEI_CONCAT_8, 0x03, ref, total, seq)
    : Uint8Array.of(0x06, IEI_CONCAT_16, 0x04, ref >> 8, ref & 0xff, total, seq);
}

/**
 * Reads the concatenation element from a short_message that starts with a UDH (esm_class has
 * 0x40). Other elements are skipped; of repeated ones the last counts. Null when there is none
 * or the header is cut short. An element whose numbers are out of range (total 0, seq 0 or
 * above total) is returned as read, for the caller to judge: a handset ignores it (TS 23.040
 * §9.2.3.24.1), a gateway taking it in a submit refuses the part rather than charge and send
 * it alone with its header cut off.
 */
export function parseConcatUdh(bytes: Uint8Array): ConcatInfo | null {
  const udhLength = bytes[0];
  if (udhLength === undefined || udhLength + 1 > bytes.length) return null;
  const headerLength = udhLength + 1;
  const at = (i: number): number => bytes[i] ?? 0;
  let found: ConcatInfo | null = null;
  for (let i = 1; i < headerLength; ) {
    if (i + 2 > headerLength) return null;
    const iei = at(i);
    const length = at(i + 1);
    const data = i + 2;
    if (data + length > headerLength) return null;
    if (iei === IEI_CONCAT_8 && length === 3) {
      found = {
        method: "udh8",
        ref: at(data),
        total: at(data + 1),
        seq: at(data + 2),
        headerLength,
      };
    } else if (iei === IEI_CONCAT_16 && length === 4) {
      const ref = (at(data) << 8) | at(data + 1);
      found = { method: "udh16", ref, total: at(data + 2), seq: at(data + 3), headerLength };
    }
    i = data + length;
  }
  return found;
}
