import type { Logger } from "@smsgw/service-kit";
import { ConcatAssembler, type ExpiredGroup } from "../domain/concat.ts";
import { smppSubmits } from "../metrics.ts";

export interface ConcatDeskDeps<T> {
  /** Concatenated messages an account may have waiting for parts at once. */
  maxWaitingPerAccount: number;
  /** A message whose parts do not all come within this is dropped, never charged. */
  timeoutMs: number;
  /** Whether a part that comes again is the same part resent (answered as the first was). */
  samePart: (a: T, b: T) => boolean;
  /**
   * A message whose parts never all came: its parts were answered ESME_ROK with its id, so
   * its sender is owed word of it (a receipt, when it asked for one).
   */
  onExpired?(accountId: string, group: ExpiredGroup<T>): void;
  log: Logger;
  now(): number;
}

/**
 * The concatenated submits waiting for their other parts, one assembler per account on this
 * replica, not per bind: a customer with a pool of transmitter binds may send the parts of
 * one message on different binds (each answered ESME_ROK with the message's id), and a bind
 * may drop between two parts and the rest come on its successor. Per bind, those parts
 * never met: every one was answered with an id, and the message was dropped unsent.
 */
export function startConcatDesk<T>(deps: ConcatDeskDeps<T>) {
  const byAccount = new Map<string, ConcatAssembler<T>>();

  const sweep = setInterval(
    () => {
      const before = deps.now() - deps.timeoutMs;
      for (const [accountId, assembler] of byAccount) {
        for (const dropped of assembler.expire(before)) {
          smppSubmits.inc({ outcome: "concat_expired" });
          const { messageId, received, total } = dropped;
          deps.log.warn(
            { accountId, messageId, received, total },
            "parts of a concatenated submit never all came; dropped, not charged",
          );
          deps.onExpired?.(accountId, dropped);
        }
        if (assembler.size === 0) byAccount.delete(accountId);
      }
    },
    Math.min(deps.timeoutMs, 10_000),
  );
  sweep.unref();

  return {
    /** The account's assembler, shared by all its binds here. */
    of(accountId: string): ConcatAssembler<T> {
      let assembler = byAccount.get(accountId);
      if (!assembler) {
        assembler = new ConcatAssembler<T>(deps.maxWaitingPerAccount, deps.samePart);
        byAccount.set(accountId, assembler);
      }
      return assembler;
    },
    stop(): void {
      clearInterval(sweep);
    },
  };
}

export type ConcatDesk<T> = ReturnType<typeof startConcatDesk<T>>;
