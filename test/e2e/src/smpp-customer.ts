import { waitFor } from "@smsgw/testkit";
import { type NpmPdu, type NpmSession, npmSmpp } from "@smsgw/testkit/npm-smpp";

export type BindCommand = "bind_transceiver" | "bind_transmitter" | "bind_receiver";

/**
 * A customer's SMPP client for the e2e tests, through a client we did not write (npm `smpp`):
 * its sessions (closed by `closeAll`), and every deliver_sm they received, each answered OK.
 * `port` and `credentials` are read at each call (the gateway starts in `beforeAll`).
 */
export function smppCustomer(
  port: () => number | undefined,
  credentials: () => { systemId: string; password: string },
) {
  const sessions: NpmSession[] = [];
  const delivered: NpmPdu[] = [];

  function connect(at = port(), tls = false): Promise<NpmSession> {
    return new Promise((resolve, reject) => {
      const url = `${tls ? "ssmpp" : "smpp"}://127.0.0.1:${at}`;
      // The test's certificate is self-signed.
      const session = npmSmpp.connect({ url, rejectUnauthorized: false }, () => resolve(session));
      session.on("error", reject as (pdu: NpmPdu) => void);
      session.on("deliver_sm", (pdu) => {
        delivered.push(pdu);
        session.send(pdu.response());
      });
      sessions.push(session);
    });
  }

  function call(
    session: NpmSession,
    command: BindCommand | "submit_sm" | "data_sm" | "query_sm" | "cancel_sm",
    fields: Record<string, unknown>,
  ): Promise<NpmPdu> {
    return new Promise((resolve) => session[command](fields, resolve));
  }

  /** A session bound with the account's credentials (retried until smpp-server knows them). */
  function bound(mode: BindCommand = "bind_transceiver", at = port(), tls = false) {
    return waitFor(
      async () => {
        const session = await connect(at, tls);
        const { systemId, password } = credentials();
        const answer = await call(session, mode, { system_id: systemId, password });
        if (answer.command_status === 0) return session;
        session.close();
        return undefined;
      },
      { what: "a bind with the account's SMPP credentials" },
    );
  }

  /** submit_sm from the alphanumeric sender MyApp to +37256789045, with `fields` over those. */
  function submit(session: NpmSession, fields: Record<string, unknown>): Promise<NpmPdu> {
    return call(session, "submit_sm", {
      source_addr_ton: 5,
      source_addr: "MyApp",
      destination_addr: "37256789045",
      ...fields,
    });
  }

  return {
    sessions,
    delivered,
    connect,
    call,
    bound,
    submit,
    closeAll() {
      for (const session of sessions.splice(0)) session.close();
    },
  };
}
