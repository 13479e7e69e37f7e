import { type AccountRecord, newMessageId } from "@smsgw/contracts";
import {
  type AdmissionGate,
  accountLimitsOf,
  checkTextBounds,
  type DefaultLimits,
  type Pipeline,
  type RateLimiter,
  type Schedule,
  type ScheduleLimits,
} from "@smsgw/message-acceptance";
import type { KvCache, Logger } from "@smsgw/service-kit";
import { CommandStatus, type DataSm, readMessageContent, type SubmitSm } from "@smsgw/smpp";
import { destinationOf, sourceOf } from "../domain/addresses.ts";
import { smppLimitsOf } from "../domain/bind.ts";
import { partProblem, registeredDeliveryOfParts } from "../domain/concat.ts";
import { decodeMessageText } from "../domain/message-text.ts";
import { receiptMaskOf } from "../domain/receipt.ts";
import { scheduleOf } from "../domain/smpp-time.ts";
import { submitStatusOf } from "../domain/submit-status.ts";
import { smppSubmits } from "../metrics.ts";
import type { Bound } from "./binds.ts";
import type { ConcatStore } from "./concat-store.ts";

export interface SubmitDeps {
  accounts: Pick<KvCache<AccountRecord>, "get">;
  pipeline: Pipeline;
  accountLimiter: RateLimiter;
  /** Admission control: past capacity a submit is refused ESME_RTHROTTLED before any charge. */
  admission: AdmissionGate;
  defaultLimits: DefaultLimits;
  smppDefaults: { maxBinds: number; window: number };
  maxParts: number;
  schedule: ScheduleLimits;
  /** Concatenated submits waiting for parts, per account (shared by every bind and replica). */
  concat: Pick<ConcatStore, "add" | "settle">;
  log: Logger;
  now(): number;
}

/** What a submitted part leaves for the message it belongs to. */
export interface SubmittedPart {
  payload: Uint8Array;
  dataCoding: number;
  /** Its registered_delivery: the message asks for its parts' strongest request. */
  registeredDelivery: number;
}
type Part = SubmittedPart;

/** A part sent again is the same bytes under the same data_coding. */
export function samePart(a: SubmittedPart, b: SubmittedPart): boolean {
  return a.dataCoding === b.dataCoding && Buffer.from(a.payload).equals(b.payload);
}

const SMPP_NAMES = { to: "destination_addr", from: "source_addr" };

/**
 * One bound session's submit_sm and data_sm (the same path; data_sm's text is in
 * message_payload): the bind's window and the account's rate
 * (ESME_RTHROTTLED), the parts of a concatenated message joined into one, the text decoded,
 * then exactly the path of `POST /v1/messages` (`@smsgw/message-acceptance`: checks in
 * api.md's order, pricing's charge, MessageAccepted), answered with the same `msg_…` id.
 */
export function submitsOf(deps: SubmitDeps, bound: Bound): (pdu: SubmitSm | DataSm) => void {
  const { session } = bound;
  let inFlight = 0;

  function serve(pdu: SubmitSm | DataSm): void {
    inFlight += 1;
    void submit(pdu)
      .catch((error: unknown) => {
        deps.log.error({ err: error, accountId: bound.accountId }, "submit_sm failed");
        return { status: CommandStatus.ESME_RSYSERR, outcome: "error" };
      })
      .then(({ status, messageId, outcome }: Answer) => {
        inFlight -= 1;
        smppSubmits.inc({ outcome });
        session.respond(pdu, { commandStatus: status, messageId: messageId ?? "" });
      });
  }

  interface Answer {
    status: number;
    messageId?: string;
    outcome: string;
  }
  const refusal = (status: number, outcome: string): Answer => ({ status, outcome });

  async function submit(pdu: SubmitSm | DataSm): Promise<Answer> {
    const account = deps.accounts.get(bound.hash);
    if (account?.status !== "active" || account.smpp?.systemId !== bound.systemId) {
      // Disabled, or its SMPP credentials were removed: the bind ends with this answer.
      setImmediate(() => void session.unbind());
      return refusal(CommandStatus.ESME_RINVSYSID, "account_inactive");
    }
    if (inFlight > smppLimitsOf(account, deps.smppDefaults).window) {
      return refusal(CommandStatus.ESME_RTHROTTLED, "window_full");
    }
    const now = deps.now();
    const take = deps.accountLimiter.take(
      account.accountId,
      now,
      accountLimitsOf(account, deps.defaultLimits),
    );
    if (!take.allowed) return refusal(CommandStatus.ESME_RTHROTTLED, "throttled");

    // data_sm has no short_message: readMessageContent reads its message_payload.
    const content = readMessageContent(pdu);
    if (content.badUdh) return refusal(CommandStatus.ESME_RINVESMCLASS, "bad_udh");
    const schedule = scheduleOf(
      pdu.command === "submit_sm" ? pdu : { scheduleDeliveryTime: "", validityPeriod: "" },
      now,
      deps.schedule,
    );
    if (!schedule.ok) return refusal(schedule.status, schedule.outcome);
    const to = destinationOf(pdu.destinationAddr);
    const from = sourceOf(pdu.sourceAddr, pdu.sourceAddrTon);
    const part: Part = {
      payload: content.payload,
      dataCoding: pdu.dataCoding,
      registeredDelivery: pdu.registeredDelivery,
    };
    // A part number outside 1..total (UDH or SAR) is no message alone: refused, not sent
    // with its header cut off.
    const problem = content.part && partProblem(content.part);
    if (problem) return badPart(account, problem);
    if (!content.part || content.part.total === 1) {
      return accept(
        account,
        newMessageId(now),
        to,
        from,
        [part],
        pdu.registeredDelivery,
        schedule.value,
      );
    }
    const partOf = content.part;
    // The account's, not the bind's: the parts of one message may come on different binds.
    const added = await deps.concat.add(bound.accountId, { from, to }, partOf, part);
    switch (added.kind) {
      case "invalid":
        return badPart(account, added.reason);
      case "waiting":
        // Answered at once, so that a window of 1 can send the next part; nothing is charged
        // until the message is whole (the last part's answer says whether it was accepted).
        return { status: CommandStatus.ESME_ROK, messageId: added.messageId, outcome: "part" };
      case "completing":
        // The message is being accepted by another of its parts: its outcome is not known yet.
        return refusal(CommandStatus.ESME_RTHROTTLED, "concat_completing");
      case "complete": {
        const settle = (outcome: Parameters<SubmitDeps["concat"]["settle"]>[3]) =>
          deps.concat.settle(bound.accountId, { from, to }, partOf, outcome);
        let answer: Answer;
        try {
          answer = await accept(
            account,
            added.messageId,
            to,
            from,
            added.values,
            // Whichever part asked: Kannel asks on the first only, others on the last.
            registeredDeliveryOfParts(added.values.map((p) => p.registeredDelivery)),
            schedule.value,
          );
        } catch (error) {
          // Answered ESME_RSYSERR: the client resends this part; the message may be accepted.
          await settle({ kind: "retry", uncertain: true }).catch((settleError: unknown) =>
            deps.log.warn({ err: settleError }, "parts not settled; the lease lapses instead"),
          );
          throw error;
        }
        // Answered "retry later", the client resends this part alone: the others wait again.
        // Uncertain: the message may have been accepted (no expiry receipt may say otherwise).
        await settle(
          RETRY_LATER.has(answer.status)
            ? { kind: "retry", uncertain: answer.outcome === "outcome_unknown" }
            : { kind: "final" },
        ).catch((error: unknown) =>
          deps.log.warn({ err: error }, "parts not settled; the lease lapses instead"),
        );
        return answer;
      }
      default:
        return added satisfies never;
    }
  }

  function badPart(account: AccountRecord, reason: string): Answer {
    deps.log.info({ accountId: account.accountId, reason }, "part refused");
    return refusal(CommandStatus.ESME_RSUBMITFAIL, "bad_part");
  }

  async function accept(
    account: AccountRecord,
    messageId: string,
    to: string,
    from: string,
    parts: readonly Part[],
    registeredDelivery: number,
    schedule: Schedule,
  ): Promise<Answer> {
    const dataCoding = parts[0]?.dataCoding ?? 0;
    if (parts.some((p) => p.dataCoding !== dataCoding)) {
      return refusal(CommandStatus.ESME_RSUBMITFAIL, "mixed_data_coding");
    }
    // The bytes are joined before decoding: a UCS-2 surrogate pair or a GSM-7 escape may
    // straddle two parts.
    const text = decodeMessageText(Buffer.concat(parts.map((p) => p.payload)), dataCoding);
    if (text === null) return refusal(CommandStatus.ESME_RSUBMITFAIL, "bad_data_coding");
    if (text.length === 0) return refusal(CommandStatus.ESME_RINVMSGLEN, "empty");
    const bounded = checkTextBounds(text, deps.maxParts);
    if (!bounded.ok) return refusal(CommandStatus.ESME_RINVMSGLEN, "too_long");

    // Past capacity, refused as a throttled client is (and before any charge); admitted, it
    // counts as in flight until answered.
    const flight = inFlightUntilAnswered();
    if (deps.admission.admit(account, 1, flight.answer)) {
      return refusal(CommandStatus.ESME_RTHROTTLED, "at_capacity");
    }
    try {
      return await charged(account, messageId, to, from, text, registeredDelivery, schedule);
    } finally {
      flight.answered();
    }
  }

  async function charged(
    account: AccountRecord,
    messageId: string,
    to: string,
    from: string,
    text: string,
    registeredDelivery: number,
    schedule: Schedule,
  ): Promise<Answer> {
    const { pipeline } = deps;
    const draft = pipeline.check(messageId, account, {
      fields: { toNumber: to, fromNumber: from, text, callbackUrl: null, callbackStatuses: null },
      reference: null,
      schedule,
      names: SMPP_NAMES,
      smppReceipt: receiptMaskOf(registeredDelivery),
    });
    if (!draft.ok) return refusal(submitStatusOf(draft.error.status), draft.error.status);
    const charged = await pipeline.charge(draft.value);
    if (!charged.ok) return refusal(submitStatusOf(charged.error.status), charged.error.status);
    // SMPP has no "outcome unknown": ESME_RSYSERR, as before. The client cannot look the id
    // up (the answer carries none), so a resubmit may send twice (ADR 0022, "Left").
    const accepted = await pipeline.accept(draft.value, charged.value);
    if (accepted === "unknown") return refusal(CommandStatus.ESME_RSYSERR, "outcome_unknown");
    if (accepted === "not_stored") return refusal(CommandStatus.ESME_RSYSERR, "server_error");
    return { status: CommandStatus.ESME_ROK, messageId, outcome: "accepted" };
  }

  return serve;
}

/** The answers after which a client sends the same PDU again (reference.md: 0x58, 0x08). */
const RETRY_LATER: ReadonlySet<number> = new Set([
  CommandStatus.ESME_RTHROTTLED,
  CommandStatus.ESME_RSYSERR,
]);

/** What the admission gate waits on: a submit is in flight until `answered()`. */
function inFlightUntilAnswered() {
  let closed: (() => void) | undefined;
  return {
    answer: {
      once(_event: "close", listener: () => void) {
        closed = listener;
      },
    },
    answered() {
      closed?.();
      closed = undefined;
    },
  };
}
