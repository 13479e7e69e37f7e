import { senderKind } from "@smsgw/contracts";
import { e164OfInternationalDigits } from "@smsgw/phone-format";

/** An SMPP address: type of number, numbering plan indicator, and the digits or name. */
export interface SmppAddress {
  ton: number;
  npi: number;
  addr: string;
}

export type Addressing =
  | { ok: true; source: SmppAddress; destination: SmppAddress }
  | { ok: false; problem: string };

const TON_UNKNOWN = 0;
const TON_INTERNATIONAL = 1;
const TON_ALPHANUMERIC = 5;
const NPI_UNKNOWN = 0;
const NPI_ISDN = 1;

const NUMERIC = /^\+?[0-9]{1,15}$/;

/** TON/NPI per kind of address, per carrier (carriers differ, short codes most of all). */
export interface AddressRules {
  alphanumeric: readonly [number, number];
  international: readonly [number, number];
  shortCode: readonly [number, number];
  destination: readonly [number, number];
  /** A numeric sender without '+' of at most this many digits is a short code (0 = none). */
  shortCodeMaxDigits: number;
}

export const DEFAULT_ADDRESS_RULES: AddressRules = {
  alphanumeric: [TON_ALPHANUMERIC, NPI_UNKNOWN],
  international: [TON_INTERNATIONAL, NPI_ISDN],
  shortCode: [3, NPI_UNKNOWN],
  destination: [TON_INTERNATIONAL, NPI_ISDN],
  shortCodeMaxDigits: 0,
};
/** SMPP source_addr is a C-string of single octets: printable Latin-1 only. */
const ALPHANUMERIC = /^[\x20-\x7e\xa0-\xff]{1,11}$/;

/**
 * The sender: a number (E.164, with or without '+') is international/ISDN (1/1) written as
 * digits without '+'; a name is alphanumeric (5/0). Short codes and per-carrier rules are a
 * later issue (they are carrier-dependent).
 */
export function sourceAddress(
  from: string,
  rules: AddressRules = DEFAULT_ADDRESS_RULES,
): SmppAddress | { problem: string } {
  // Numeric or not by the contracts' one definition of a sender, as ingress and routing judge it.
  if (senderKind(from) === "numeric" && from.trim() === from) {
    const addr = digits(from);
    // A short code is a national service number, not E.164: the carrier says how to mark it.
    const kind =
      !from.startsWith("+") && addr.length <= rules.shortCodeMaxDigits
        ? "shortCode"
        : "international";
    const [ton, npi] = rules[kind];
    return { ton, npi, addr };
  }
  if (ALPHANUMERIC.test(from) && from.trim() === from) {
    const [ton, npi] = rules.alphanumeric;
    return { ton, npi, addr: from };
  }
  return { problem: `sender "${from}" is neither a number nor 1-11 printable characters` };
}

/** The recipient, always E.164: international/ISDN (1/1), digits without '+'. */
export function destinationAddress(
  to: string,
  rules: AddressRules = DEFAULT_ADDRESS_RULES,
): SmppAddress | { problem: string } {
  if (!NUMERIC.test(to)) return { problem: `recipient "${to}" is not an E.164 number` };
  const [ton, npi] = rules.destination;
  return { ton, npi, addr: digits(to) };
}

export function addressingFor(
  from: string,
  to: string,
  rules: AddressRules = DEFAULT_ADDRESS_RULES,
): Addressing {
  const source = sourceAddress(from, rules);
  if ("problem" in source) return { ok: false, problem: source.problem };
  const destination = destinationAddress(to, rules);
  if ("problem" in destination) return { ok: false, problem: destination.problem };
  return { ok: true, source, destination };
}

function digits(number: string): string {
  return number.startsWith("+") ? number.slice(1) : number;
}

/**
 * The number of an MO's source or destination as the gateway writes numbers (E.164: the
 * inventory, the opt-out lists and erasure all hold that form), from what the carrier sent:
 * international (TON 1) digits, or digits of an unknown type (TON 0, NPI ISDN or unknown:
 * carriers often send international numbers so) that read as a valid number with their country
 * code first. A national number (TON 2: this side does not know the carrier's country), a short
 * code, an alphanumeric sender or digits that are no valid number stay as the carrier sent them.
 */
export function moNumberOf(address: SmppAddress): string {
  const digits = NUMERIC.exec(address.addr) ? address.addr.replace(/^\+/, "") : undefined;
  if (digits === undefined) return address.addr;
  if (address.addr.startsWith("+") || address.ton === TON_INTERNATIONAL) return `+${digits}`;
  const unknownPlan = address.npi === NPI_ISDN || address.npi === NPI_UNKNOWN;
  if (address.ton === TON_UNKNOWN && unknownPlan) {
    return e164OfInternationalDigits(digits) ?? address.addr;
  }
  return address.addr;
}
