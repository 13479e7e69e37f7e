import { AccountBalanceLow } from "@smsgw/contracts";
import { type Kysely, sql } from "kysely";
import {
  type AccountState,
  type BatchDecision,
  type Charge,
  type ChargeRequest,
  decideBatch,
  replayWindowMs,
  withPublishBy,
} from "../domain/authorize.ts";
import type { PriceBook } from "../domain/price-book.ts";
import { type PricingDatabase, toUnits } from "./schema.ts";

/** Who the ledger names as the author of a charge. */
const CHARGE_ACTOR = "pricing";
const MAX_ATTEMPTS = 3;
/** A charge's ledger time in ms, read the same way when written and when retried (ADR 0022). */
const chargedAtMs = (column: string) =>
  sql.raw(`(floor(extract(epoch from ${column}) * 1000))::bigint`);

/**
 * Decides and records a batch of authorize requests (group commit) in two statements and no
 * transaction: one reads the batch's accounts and the charges that already exist for its
 * message ids (one snapshot), the decision is made in memory, and one writes it: the new
 * charges, the balances moved by what each account spent, and the pending-acceptance marks.
 *
 * Nothing is locked between the two. The write is one statement, so all of it or none of it
 * lands, and it fails when what it was decided on moved meanwhile: a charge of one of its
 * message ids landed (the ledger's unique index: 23505), or the balance no longer covers what
 * the batch spends (`check (balance >= 0)`: 23514). Then the batch is decided again on a new
 * read. A top-up meanwhile needs nothing: the balance moves by the amount spent, not to a
 * value computed from the read.
 */
export async function chargeBatch(
  db: Kysely<PricingDatabase>,
  requests: readonly ChargeRequest[],
  prices: PriceBook,
  /** ADR 0022: each charged answer's `publishBy` is its charge's time plus this. */
  acceptWindowMs?: number,
  /**
   * ms: no charge is written from then on (domain/deadline.ts): the write waits for a row
   * lock until then at most, and fails once it holds them past it (ChargeDeadlineError).
   */
  deadline?: number,
): Promise<BatchDecision & { balanceWarnings: AccountBalanceLow[] }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const state = await readState(db, requests);
      const decision = decideBatch({ requests, ...state, prices });
      if (deadline !== undefined && Date.now() >= deadline) throw new ChargeDeadlineError();
      const { balanceWarnings, chargedAt } = await recordDecision(db, decision, deadline);
      if (acceptWindowMs === undefined) return { ...decision, balanceWarnings };
      const windowMs = new Map<string, number>();
      for (const [id, charge] of state.existingCharges) {
        chargedAt.set(id, charge.chargedAt ?? 0);
        windowMs.set(id, replayWindowMs(charge, acceptWindowMs));
      }
      const responses = decision.responses.map((response, index) => {
        const id = requests[index]?.messageId ?? "";
        return withPublishBy(response, chargedAt.get(id), windowMs.get(id) ?? acceptWindowMs);
      });
      return { ...decision, responses, balanceWarnings };
    } catch (error) {
      if (isTooLate(error)) throw new ChargeDeadlineError({ cause: error });
      if (attempt >= MAX_ATTEMPTS || !isRetryable(error)) throw error;
    }
  }
}

/** The batch's deadline passed before its charges were written: nothing was charged. */
export class ChargeDeadlineError extends Error {
  override name = "ChargeDeadlineError";
  constructor(options?: ErrorOptions) {
    super("the deadline passed before the charges were written; nothing was charged", options);
  }
}

interface AccountJson {
  account_id: string;
  status: AccountState["status"];
  currency: string;
  balance: string;
  blocked_countries: string[];
}

interface ChargeJson {
  message_id: string;
  account_id: string;
  amount: string;
  parts: number;
  price_per_part: string;
  currency: string;
  /** The refund's note (its reason), when refunded. */
  refund_reason: string | null;
  charged_at: string;
}

/** The batch's accounts and the charges its message ids already have, in one snapshot. */
async function readState(
  db: Kysely<PricingDatabase>,
  requests: readonly ChargeRequest[],
): Promise<{ accounts: Map<string, AccountState>; existingCharges: Map<string, Charge> }> {
  const accountIds = [...new Set(requests.map((r) => r.accountId))];
  const messageIds = [...new Set(requests.map((r) => r.messageId))];
  // Every statement here has one shape whatever the batch's size (arrays, not `in (…)` lists
  // or multi-row VALUES): postgres.js prepares each distinct text once per connection. Money
  // travels as text: a balance may pass 2^53.
  const { rows } = await sql<{ accounts: AccountJson[]; charges: ChargeJson[] }>`
    select
      (select coalesce(json_agg(a), '[]') from (
        select account_id, status, currency, balance::text as balance, blocked_countries
        from accounts where account_id = any(${accountIds}::text[])) a) as accounts,
      (select coalesce(json_agg(c), '[]') from (
        select l.message_id, l.account_id, l.amount::text as amount, l.parts,
          l.price_per_part::text as price_per_part, a.currency,
          ${chargedAtMs("l.created_at")}::text as charged_at,
          (select r.note from ledger r
            where r.kind = 'refund' and r.message_id = l.message_id) as refund_reason
        from ledger l join accounts a on a.account_id = l.account_id
        where l.kind = 'charge' and l.message_id = any(${messageIds}::text[])
          and l.parts is not null and l.price_per_part is not null) c) as charges`.execute(db);
  const [state] = rows;
  const accounts = new Map<string, AccountState>(
    (state?.accounts ?? []).map((row) => [
      row.account_id,
      {
        accountId: row.account_id,
        status: row.status,
        currency: row.currency,
        blockedCountries: row.blocked_countries,
        balance: toUnits(row.balance),
      },
    ]),
  );
  const existingCharges = new Map<string, Charge>(
    (state?.charges ?? []).map((row) => [
      row.message_id,
      {
        messageId: row.message_id,
        accountId: row.account_id,
        amount: -toUnits(row.amount),
        parts: row.parts,
        pricePerPart: toUnits(row.price_per_part),
        currency: row.currency,
        ...(row.refund_reason === null ? {} : { refundReason: row.refund_reason }),
        chargedAt: Number(row.charged_at),
      },
    ]),
  );
  return { accounts, existingCharges };
}

/**
 * The decision's writes in one statement: the ledger rows, the balances, and a balance warning
 * for each armed account the batch took from at or above its low-balance threshold to below it
 * (ADR 0020 and its amendment: one warning per fall, until a credit brings it back): decided
 * in the same statement, on the row the update moved, so concurrent batches and replicas cross
 * at most once between them, and no read is added per SMS. The warning goes to the outbox; the caller publishes
 * what the statement returns. A new charge
 * needs no row of its own to wait for its MessageAccepted: the sweep finds the charges no
 * acceptance names (db/settlement.ts) and refunds them (ingress charged, then died before
 * publishing). No event is written: the charge rides on MessageAccepted (`cost`,
 * `pricePerPart`, ADR 0009).
 */
async function recordDecision(
  db: Kysely<PricingDatabase>,
  decision: BatchDecision,
  deadline: number | undefined,
): Promise<{ balanceWarnings: AccountBalanceLow[]; chargedAt: Map<string, number> }> {
  const charges = decision.newCharges;
  if (charges.length === 0) return { balanceWarnings: [], chargedAt: new Map() };
  const spent = new Map<string, number>();
  for (const charge of charges) {
    spent.set(charge.accountId, (spent.get(charge.accountId) ?? 0) + charge.amount);
  }
  // Accounts in id order: two batches moving the same accounts take their row locks in the
  // same order and cannot deadlock.
  const moved = [...spent].filter(([, amount]) => amount > 0).sort(([a], [b]) => (a < b ? -1 : 1));
  // Bounded by the deadline: each row-lock wait (lock_timeout, set before the update locks),
  // and the write itself (charge_in_time, after the locks, before the ids: migration 0013).
  // The budget goes to Postgres as what is left of it, measured there from the statement's
  // start: its clock may differ from ours, and an absolute time would carry the difference.
  const leftMs = deadline === undefined ? null : Math.max(1, deadline - Date.now());
  const lockTimeoutMs = leftMs === null ? null : `${leftMs}ms`;
  const { rows } = await sql<{ warnings: unknown[]; charged: Array<[string, string]> }>`
    with spent as (
      -- SET reads the row as it was: a fall from at or over the threshold to under it, while
      -- armed (no stamp, or one older than a day: a refund may have lifted the balance far
      -- over it since, with no top-up to re-arm it), stamps the warning with this statement's
      -- time, which RETURNING then tells.
      update accounts as a set balance = a.balance - v.spent,
        low_balance_warned_at = case
          when (a.low_balance_warned_at is null
                or a.low_balance_warned_at < statement_timestamp() - interval '1 day')
            and a.balance >= a.low_balance_threshold
            and a.balance - v.spent < a.low_balance_threshold
          then statement_timestamp() else a.low_balance_warned_at end
      from unnest(${moved.map(([accountId]) => accountId)}::text[],
                  ${moved.map(([, amount]) => String(amount))}::bigint[]) as v (account_id, spent),
        (select set_config('lock_timeout',
           coalesce(${lockTimeoutMs}::text, current_setting('lock_timeout')), true) as lock_timeout) t
      where a.account_id = v.account_id and t.lock_timeout is not null
      returning a.account_id, a.balance, v.spent, a.currency, a.low_balance_threshold,
        a.default_callback_url,
        -- The crossing again, on the new row: a batch that waited for this row's lock and
        -- started in the same microsecond as the one that stamped it does not warn twice.
        coalesce(a.low_balance_warned_at = statement_timestamp()
          and a.balance < a.low_balance_threshold
          and a.balance + v.spent >= a.low_balance_threshold, false) as warns
    ), charged as (
      -- After the balances' row locks (the join waits for the whole update), with the time
      -- read then: ids and times are drawn together, just before the commit (db/settlement.ts).
      insert into ledger (account_id, kind, amount, message_id, parts, price_per_part, actor, note,
        created_at)
      select x.account_id, 'charge', x.amount, x.message_id, x.parts, x.price_per_part,
        ${CHARGE_ACTOR}, '', clock_timestamp()
      from unnest(${charges.map((c) => c.accountId)}::text[],
                  ${charges.map((c) => String(-c.amount))}::bigint[],
                  ${charges.map((c) => c.messageId)}::text[],
                  ${charges.map((c) => String(c.parts))}::integer[],
                  ${charges.map((c) => String(c.pricePerPart))}::bigint[])
        as x (account_id, amount, message_id, parts, price_per_part),
        (select count(*) as n from spent) as locked
      where charge_in_time(
        statement_timestamp() + ${leftMs}::integer * interval '1 millisecond', locked.n)
      returning id, account_id, message_id, ${chargedAtMs("created_at")} as charged_at
    ), crossed as (
      -- balanceLowId (contracts): the account and the batch's last charge of it.
      select s.*, ':balance_low:' || (select max(c.id) from charged c
        where c.account_id = s.account_id)::text as event_id
      from spent s
      where s.warns
    ), warned as (
      insert into outbox (event_id, event)
      select x.account_id || x.event_id, jsonb_build_object(
          'type', 'AccountBalanceLow', 'version', 1,
          'eventId', x.account_id || x.event_id, 'accountId', x.account_id,
          'balance', x.balance, 'currency', x.currency, 'threshold', x.low_balance_threshold,
          'callbackUrl', x.default_callback_url,
          'occurredAt', to_char(clock_timestamp() at time zone 'UTC',
                                'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
      from crossed x
      on conflict (event_id) do nothing
      returning event
    )
    select coalesce((select json_agg(event) from warned), '[]') as warnings,
      coalesce((select json_agg(json_build_array(message_id, charged_at::text)) from charged),
        '[]') as charged`.execute(db);
  return {
    balanceWarnings: (rows[0]?.warnings ?? []).map((event) => AccountBalanceLow.parse(event)),
    chargedAt: new Map((rows[0]?.charged ?? []).map(([id, at]) => [id, Number(at)])),
  };
}

/** The write gave up at the deadline (lock_timeout, charge_in_time's query_canceled). */
function isTooLate(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "55P03" || code === "57014";
}

function isRetryable(error: unknown): boolean {
  // What the batch was decided on moved (see chargeBatch), or the usual transient conflicts.
  const code = (error as { code?: unknown } | null)?.code;
  return code === "23505" || code === "23514" || code === "40001" || code === "40P01";
}
