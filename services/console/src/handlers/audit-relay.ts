import type { Logger } from "@smsgw/service-kit";
import type { Kysely } from "kysely";
import { confirmAudit, pendingAudits, setAuditAside } from "../db/audit-outbox.ts";
import type { ConsoleDatabase } from "../db/schema.ts";
import { auditEntries } from "../metrics.ts";
import type { PricingClient } from "./pricing-client.ts";

const BATCH = 100;

export interface AuditRelay {
  /** Sends what the outbox holds to pricing; true when it is empty after. Never throws. */
  flush(): Promise<boolean>;
  stop(): void;
}

/**
 * Carries the outbox's entries to pricing's audit log: right after each change (so the
 * entry is there when the page answers), and every `retryMs` for any pricing did not
 * confirm (it was down, the answer was lost). pricing ignores an entry id it has. An entry
 * pricing refuses for good is set aside (`refused_at`, the reason), logged and counted; the
 * relay goes on with the next.
 */
export function startAuditRelay(
  db: Kysely<ConsoleDatabase>,
  pricing: PricingClient,
  log: Logger,
  retryMs: number,
): AuditRelay {
  let running: Promise<boolean> | undefined;
  async function sendAll(): Promise<boolean> {
    for (;;) {
      const pending = await pendingAudits(db, BATCH);
      for (const request of pending) {
        // pricing not answering throws: the pass stops and the rest is sent later, in order.
        const answer = await pricing.recordAudit(request);
        if (answer.outcome === "error") {
          log.warn(
            { entryId: request.entryId, reason: answer.reason },
            "audit entry not recorded yet",
          );
          return false;
        }
        if (answer.outcome === "refused") {
          // Never to be recorded (an account pricing does not know): set aside with the
          // reason, so it does not hold back every later entry of every account.
          log.error(
            { entryId: request.entryId, reason: answer.reason },
            "audit entry refused; set aside",
          );
          await setAuditAside(db, request.entryId, answer.reason);
        } else {
          await confirmAudit(db, request.entryId);
        }
        auditEntries.inc({ outcome: answer.outcome });
      }
      if (pending.length < BATCH) return true;
    }
  }
  async function flush(): Promise<boolean> {
    // One pass at a time; a flush asked meanwhile waits for it, then sends what is left.
    while (running) await running.catch(() => false);
    running = sendAll().catch((error: unknown) => {
      log.warn({ err: (error as Error).message }, "audit entries not sent yet; retried later");
      return false;
    });
    try {
      return await running;
    } finally {
      running = undefined;
    }
  }
  const timer = setInterval(() => void flush(), retryMs);
  timer.unref();
  return { flush, stop: () => clearInterval(timer) };
}
