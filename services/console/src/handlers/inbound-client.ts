import {
  type AuditBy,
  INBOUND_ID_PATTERN,
  type InboundApiRequest,
  InboundApiResponse,
  InboundAuditList,
  subjects as subjectsFor,
} from "@smsgw/contracts";
import type { Nats } from "@smsgw/service-kit";
import { z } from "zod";

/** The inbound service did not answer, or answered something else than its schema. */
export class InboundUnavailableError extends Error {
  override name = "InboundUnavailableError";
}

/** A number the account holds (api.md section 5). */
export const NumberResource = z.object({
  number: z.string(),
  country: z.string(),
  inboundUrl: z.string().nullable(),
  createdAt: z.string(),
});
export type NumberResource = z.infer<typeof NumberResource>;

export const InboundItem = z.object({
  id: z.string().regex(INBOUND_ID_PATTERN),
  from: z.string(),
  to: z.string(),
  text: z.string(),
  parts: z.number().int(),
  receivedAt: z.string(),
});
export type InboundItem = z.infer<typeof InboundItem>;

export const OptOutEntry = z.object({ number: z.string(), since: z.string(), source: z.string() });
export type OptOutEntry = z.infer<typeof OptOutEntry>;

export const SenderIdEntry = z.object({
  sender: z.string(),
  status: z.enum(["pending", "approved", "rejected"]),
  requestedAt: z.string(),
  decidedAt: z.string().nullable(),
});
export type SenderIdEntry = z.infer<typeof SenderIdEntry>;

const Problem = z.object({ status: z.string(), message: z.string() });
const NumberList = z.object({ numbers: z.array(NumberResource) });
const InboundPage = z.object({ inbound: z.array(InboundItem), nextCursor: z.string().nullable() });
const OptOutList = z.object({
  optOuts: z.array(OptOutEntry),
  nextCursor: z.string().nullable().optional(),
});
const SenderIdList = z.object({ senders: z.array(SenderIdEntry) });

/** The service's answer: what was asked for, or the refusal the API would show (status, message). */
export type Answer<T> = { ok: true; value: T } | { ok: false; status: string; message: string };

type ForAccount = InboundApiRequest extends infer R
  ? R extends unknown
    ? Omit<R, "accountId">
    : never
  : never;

/**
 * The console's requests to the inbound service: the same request/reply ingress makes for
 * `/v1/numbers`, `/v1/inbound` and `/v1/opt-outs` (`InboundApiRequest`), always for the
 * account of the session, never one a form names. The service answers as the API would
 * (an HTTP status and a body); a refusal (4xx) comes back as `{ ok: false }` for the page to
 * show, anything else it did not mean throws.
 */
export function createInboundClient(nats: Nats, prefix: string, timeoutMs: number) {
  const subject = subjectsFor(prefix).inboundApi;

  async function ask<T>(
    accountId: string,
    request: ForAccount,
    expected: number | readonly number[],
    schema: z.ZodType<T>,
  ): Promise<Answer<T>> {
    let reply: InboundApiResponse;
    try {
      const msg = await nats.nc.request(subject, JSON.stringify({ ...request, accountId }), {
        timeout: timeoutMs,
      });
      reply = InboundApiResponse.parse(msg.json());
    } catch (error) {
      throw new InboundUnavailableError(`no answer on ${subject} (${request.op})`, {
        cause: error,
      });
    }
    if ((typeof expected === "number" ? [expected] : expected).includes(reply.httpStatus)) {
      const parsed = schema.safeParse(reply.body);
      if (parsed.success) return { ok: true, value: parsed.data };
    } else if (reply.httpStatus >= 400 && reply.httpStatus < 500) {
      const problem = Problem.safeParse(reply.body);
      if (problem.success) return { ok: false, ...problem.data };
    }
    throw new InboundUnavailableError(`unexpected answer ${reply.httpStatus} to ${request.op}`);
  }

  return {
    numbers: (accountId: string) => ask(accountId, { op: "numbers.list" }, 200, NumberList),
    /** A free number of the country (or that number); a test account gets simulator ones only. */
    take: (
      accountId: string,
      test: boolean,
      wish: { country: string } | { number: string },
      by: AuditBy,
    ) => ask(accountId, { op: "numbers.take", test, ...wish, by }, 201, NumberResource),
    setInboundUrl: (accountId: string, number: string, inboundUrl: string | null, by: AuditBy) =>
      ask(accountId, { op: "numbers.update", number, inboundUrl, by }, 200, NumberResource),
    release: (accountId: string, number: string, by: AuditBy) =>
      ask(accountId, { op: "numbers.release", number, by }, 204, z.null()),
    inbound: (accountId: string, limit: number, cursor?: string) =>
      ask(
        accountId,
        { op: "inbound.list", limit, ...(cursor ? { cursor } : {}) },
        200,
        InboundPage,
      ),
    /** A page of the account's opt-outs, oldest first, after `cursor` (the page before's nextCursor). */
    optOuts: (accountId: string, limit: number, cursor?: string) =>
      ask(accountId, { op: "optOuts.list", limit, ...(cursor ? { cursor } : {}) }, 200, OptOutList),
    addOptOut: (accountId: string, number: string) =>
      ask(accountId, { op: "optOuts.add", number }, 201, OptOutEntry),
    removeOptOut: (accountId: string, number: string) =>
      ask(accountId, { op: "optOuts.remove", number }, 204, z.null()),
    senderIds: (accountId: string) => ask(accountId, { op: "senders.list" }, 200, SenderIdList),
    /** Asks the operator for a sender ID (201); asked before: the registration as it is (200). */
    requestSenderId: (accountId: string, sender: string, by: AuditBy) =>
      ask(accountId, { op: "senders.request", sender, by }, [201, 200], SenderIdEntry),
    withdrawSenderId: (accountId: string, sender: string, by: AuditBy) =>
      ask(accountId, { op: "senders.withdraw", sender, by }, 204, z.null()),
    /** The account's audit entries of numbers and sender IDs, newest first. */
    audit: (accountId: string, limit: number) =>
      ask(accountId, { op: "audit.list", limit }, 200, InboundAuditList),
  };
}
export type InboundClient = ReturnType<typeof createInboundClient>;
