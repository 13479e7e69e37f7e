import type { SmsEncoding } from "./encoding.ts";

/** How the parts of a long message are tied together: the UDH concatenation element used. */
export type ConcatMethod = "udh8" | "udh16";

/**
 * Units per part: septets for GSM-7, UTF-16 code units for UCS-2. `single` applies when the
 * whole text fits in one message; otherwise each part gives up room for the UDH (6 or 7 octets).
 */
export const SMS_LIMITS = {
  gsm7: { single: 160, udh8: 153, udh16: 152 },
  ucs2: { single: 70, udh8: 67, udh16: 66 },
} as const satisfies Record<SmsEncoding, { single: number } & Record<ConcatMethod, number>>;
