import type postgres from "postgres";

/**
 * Of these (message, attempt) pairs, the messages whose record shows something after that
 * attempt was decided: a submission or a refusal of a later attempt, a receipt, an expiry, or
 * a status past `queued` other than `failed`. Routing asks it for a redelivered decision that
 * came out "fail" only (ADR 0009, amendment "a redelivered failure"): if it shows, an order of
 * a later attempt was given and acted on. Attempt 0 = before the first order (the accepted
 * event). Read only, by message id (the events' index).
 */
export async function laterAttemptsAmong(
  sql: postgres.Sql,
  asked: ReadonlyArray<{ messageId: string; attempt: number }>,
): Promise<Set<string>> {
  if (asked.length === 0) return new Set();
  const rows = await sql<{ message_id: string }[]>`
    select q.m as message_id
    from unnest(${asked.map((a) => a.messageId)}::text[], ${asked.map((a) => a.attempt)}::int[])
      as q(m, n)
    where exists (
        select 1 from event_store.events e
        where e.message_id = q.m
          and (e.type in ('ReceiptReceived', 'ValidityExpired')
            or (e.type in ('MessageSubmitted', 'SubmitFailed')
              and (e.data->>'attempt')::int > q.n)))
      or exists (
        select 1 from event_store.messages m
        where m.message_id = q.m and m.status in ('sent', 'delivered', 'undelivered', 'expired'))`;
  return new Set(rows.map((row) => row.message_id));
}
