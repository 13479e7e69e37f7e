import type { AccountRecord } from "@smsgw/contracts";
import { createWindow, type KvCache, type Logger } from "@smsgw/service-kit";
import { type BindMode, type BindRequest, CommandStatus, type SmppSession } from "@smsgw/smpp";
import { UNKNOWN_SYSTEM_ID_HASH, verifySmppPassword } from "@smsgw/smpp-credentials";
import { accountOfSystemId, decideBind, smppLimitsOf } from "../domain/bind.ts";
import { smppBinds, smppSessions } from "../metrics.ts";
import type { BindRegistry } from "./bind-registry.ts";

/** A customer's bound session and whose it is. */
export interface Bound {
  session: SmppSession;
  accountId: string;
  /** The account's key in the accounts bucket: each submit reads the record afresh. */
  hash: string;
  systemId: string;
  mode: BindMode;
}

export interface BindDeskDeps {
  accounts: Pick<KvCache<AccountRecord>, "values">;
  defaults: { maxBinds: number; window: number };
  verifyConcurrency: number;
  /** Every replica's binds: the account's limit holds for the gateway. */
  registry: Pick<BindRegistry, "claim" | "release">;
  log: Logger;
}

const OUTCOME: Record<number, string> = {
  [CommandStatus.ESME_ROK]: "ok",
  [CommandStatus.ESME_RINVSYSID]: "invalid_system_id",
  [CommandStatus.ESME_RINVPASWD]: "invalid_password",
  [CommandStatus.ESME_RBINDFAIL]: "too_many_binds",
};

/**
 * Decides binds (ADR 0012): the account by system_id from the accounts bucket in memory, the
 * password by scrypt (an unknown id checked against a stand-in, so both cost the same), at
 * most `verifyConcurrency` checks at once, then the account's bind limit on this replica.
 */
export function createBindDesk(deps: BindDeskDeps) {
  const byAccount = new Map<string, Set<Bound>>();
  const bySession = new WeakMap<SmppSession, Bound>();
  let turn = 0;
  const verifying = createWindow(deps.verifyConcurrency);

  function held(accountId: string): number {
    return byAccount.get(accountId)?.size ?? 0;
  }

  async function onBind(pdu: BindRequest, session: SmppSession): Promise<number> {
    const found = accountOfSystemId(deps.accounts.values(), pdu.systemId);
    const passwordMatches = await verifying.run(() =>
      verifySmppPassword(pdu.password, found?.smpp?.passwordHash ?? UNKNOWN_SYSTEM_ID_HASH),
    );
    // The record may have changed while the password was checked: decide on the latest.
    const account = accountOfSystemId(deps.accounts.values(), pdu.systemId);
    const maxBinds = account ? smppLimitsOf(account, deps.defaults).maxBinds : 0;
    // This replica's count first (no round trip for the common refusal), then every replica's.
    let status = decideBind({
      account,
      passwordMatches: passwordMatches && account?.smpp?.passwordHash === found?.smpp?.passwordHash,
      held: account ? held(account.accountId) : 0,
      maxBinds,
    });
    const mode = pdu.command.slice("bind_".length) as BindMode;
    let bindId: string | null = null;
    if (status === CommandStatus.ESME_ROK && account) {
      bindId = await deps.registry.claim(account.accountId, mode, maxBinds);
      if (bindId === null) status = CommandStatus.ESME_RBINDFAIL;
    }
    smppBinds.inc({ outcome: OUTCOME[status] ?? "error" });
    if (status !== CommandStatus.ESME_ROK || !account || bindId === null) {
      deps.log.info({ systemId: pdu.systemId, status }, "bind refused");
      return status;
    }
    const claimed = bindId;
    const bound: Bound = {
      session,
      accountId: account.accountId,
      hash: account.hash,
      systemId: pdu.systemId,
      mode,
    };
    const binds = byAccount.get(account.accountId) ?? new Set<Bound>();
    byAccount.set(account.accountId, binds);
    binds.add(bound);
    bySession.set(session, bound);
    smppSessions.inc({ mode });
    void session.closed.then(() => {
      binds.delete(bound);
      if (binds.size === 0) byAccount.delete(account.accountId);
      smppSessions.dec({ mode });
      deps.registry
        .release(claimed)
        .catch((error: unknown) =>
          deps.log.warn({ err: error }, "bind not released; it goes stale after the heartbeat"),
        );
    });
    deps.log.info({ accountId: account.accountId, mode }, "bound");
    return status;
  }

  return {
    onBind,
    /** Whose a bound session is (set when its bind was accepted). */
    boundOf: (session: SmppSession): Bound | undefined => bySession.get(session),
    /** The accounts with a receiver or transceiver bound here (receipts can go to them). */
    receivingAccounts(): string[] {
      const accounts: string[] = [];
      for (const [accountId, binds] of byAccount) {
        if ([...binds].some(canReceive)) accounts.push(accountId);
      }
      return accounts;
    },
    /** One of the account's bound receivers or transceivers, taking turns; undefined if none. */
    receiverOf(accountId: string): Bound | undefined {
      const receivers = [...(byAccount.get(accountId) ?? [])].filter(canReceive);
      if (receivers.length === 0) return undefined;
      turn = (turn + 1) % receivers.length;
      return receivers[turn];
    },
  };
}

export type BindDesk = ReturnType<typeof createBindDesk>;

function canReceive(bound: Bound): boolean {
  return bound.mode !== "transmitter" && bound.session.state === "bound";
}
