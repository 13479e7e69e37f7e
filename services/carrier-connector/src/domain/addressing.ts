/** An SMPP address: type of number, numbering plan indicator, and the digits or name. */
export interface SmppAddress {
  ton: number;
  npi: number;
  addr: string;
}

export type Addressing =
  | { ok: true; source: SmppAddress; destination: SmppAddress }
  | { ok: false; problem: string };

const TON_INTERNATIONAL = 1;
const TON_ALPHANUMERIC = 5;
const NPI_UNKNOWN = 0;
const NPI_ISDN = 1;

const NUMERIC = /^\+?[0-9]{1,15}$/;
/** SMPP source_addr is a C-string of single octets: printable Latin-1 only. */
const ALPHANUMERIC = /^[\x20-\x7e\xa0-\xff]{1,11}$/;

/**
 * The sender: a number (E.164, with or without '+') is international/ISDN (1/1) written as
 * digits without '+'; a name is alphanumeric (5/0). Short codes and per-carrier rules are a
 * later issue (they are carrier-dependent).
 */
export function sourceAddress(from: string): SmppAddress | { problem: string } {
  if (NUMERIC.test(from)) return { ton: TON_INTERNATIONAL, npi: NPI_ISDN, addr: digits(from) };
  if (ALPHANUMERIC.test(from) && from.trim() === from) {
    return { ton: TON_ALPHANUMERIC, npi: NPI_UNKNOWN, addr: from };
  }
  return { problem: `sender "${from}" is neither a number nor 1-11 printable characters` };
}

/** The recipient, always E.164: international/ISDN (1/1), digits without '+'. */
export function destinationAddress(to: string): SmppAddress | { problem: string } {
  if (!NUMERIC.test(to)) return { problem: `recipient "${to}" is not an E.164 number` };
  return { ton: TON_INTERNATIONAL, npi: NPI_ISDN, addr: digits(to) };
}

export function addressingFor(from: string, to: string): Addressing {
  const source = sourceAddress(from);
  if ("problem" in source) return { ok: false, problem: source.problem };
  const destination = destinationAddress(to);
  if ("problem" in destination) return { ok: false, problem: destination.problem };
  return { ok: true, source, destination };
}

function digits(number: string): string {
  return number.startsWith("+") ? number.slice(1) : number;
}
