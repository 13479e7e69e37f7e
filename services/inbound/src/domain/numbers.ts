import { CARRIER_ID_PATTERN } from "@smsgw/contracts";
import { formatPhone } from "@smsgw/phone-format";

/** A number of the operator's inventory (`inbound.numbers`). */
export interface InventoryNumber {
  number: string;
  carrierId: string;
  country: string;
  /** A simulator's number: the only kind a test account may take. */
  simulator: boolean;
  accountId: string | null;
  inboundUrl: string | null;
  /** When the account took it (null while free). */
  takenAt: Date | null;
  /** When the last account gave it back, and which (null until a release; cleared by a take). */
  releasedAt: Date | null;
  releasedBy: string | null;
}

/** The number resource of api.md section 5. */
export interface NumberResource {
  number: string;
  country: string;
  inboundUrl: string | null;
  createdAt: string;
}

export function numberResource(row: InventoryNumber): NumberResource {
  return {
    number: row.number,
    country: row.country,
    inboundUrl: row.inboundUrl,
    createdAt: (row.takenAt ?? new Date(0)).toISOString(),
  };
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * An operator's inventory entry: the number in E.164 (its country from the number itself), the
 * carrier that delivers its MO, and whether that carrier is a simulator.
 */
export function parseInventoryEntry(input: {
  number: unknown;
  carrierId: unknown;
  simulator?: unknown;
}): Parsed<Pick<InventoryNumber, "number" | "carrierId" | "country" | "simulator">> {
  const phone = formatPhone(input.number, undefined);
  if (!phone.ok) return { ok: false, message: `number: ${phone.error.message}` };
  if (!phone.value.country) {
    return { ok: false, message: "number: no country owns this number; give it in E.164 (+…)" };
  }
  if (typeof input.carrierId !== "string" || !CARRIER_ID_PATTERN.test(input.carrierId)) {
    return { ok: false, message: "carrierId: a carrier id (lower-case letters, digits, _ and -)" };
  }
  const simulator = input.simulator ?? false;
  if (typeof simulator !== "boolean" && simulator !== "true" && simulator !== "false") {
    return { ok: false, message: "simulator: true or false" };
  }
  return {
    ok: true,
    value: {
      number: phone.value.e164,
      carrierId: input.carrierId,
      country: phone.value.country,
      simulator: simulator === true || simulator === "true",
    },
  };
}

/** What an account asks for: a free number of the country, or that number. */
export interface TakeWish {
  country?: string | undefined;
  number?: string | undefined;
  /** A test account takes simulator numbers only. */
  test: boolean;
}

/**
 * Until when a free number rests after a release: people who wrote to the account that held
 * it still reply to it and still send STOP, and none of that may reach a stranger who took the
 * number the next minute (carriers age a disconnected number for the same reason). Only the
 * account that gave it back may take it again meanwhile. A simulator's number has nobody
 * behind it and never rests. Null when the number is not resting at `now`. The take's SQL
 * (`numbers-store.ts`) applies the same rule.
 */
export function restsUntil(row: InventoryNumber, now: Date, quarantineMs: number): Date | null {
  if (row.accountId !== null || row.simulator || row.releasedAt === null) return null;
  const until = new Date(row.releasedAt.getTime() + quarantineMs);
  return until > now ? until : null;
}

/**
 * `no_number_available`'s message: what was asked for, why that number is not free when it is
 * resting, and what a test account may have.
 */
export function noNumberMessage(wish: TakeWish, restingUntil: Date | null = null): string {
  const what =
    wish.number === undefined
      ? `no free number in ${wish.country}`
      : restingUntil === null
        ? `${wish.number} is not free`
        : `${wish.number} was given back by another account and rests until ${restingUntil.toISOString()}, so that replies meant for that account do not reach yours`;
  return wish.test ? `${what} among the simulator numbers (a test account gets those only)` : what;
}
