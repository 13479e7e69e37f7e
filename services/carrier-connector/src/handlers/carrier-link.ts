import { errorMessage, type Logger } from "@smsgw/service-kit";
import {
  bindClient,
  commandStatusName,
  type IncomingRequest,
  SmppBindError,
  type SmppSession,
} from "@smsgw/smpp";
import type { CarrierConfig } from "../config.ts";
import {
  afterBindFailure,
  type BackoffSettings,
  type BindFailure,
  backoffMs,
} from "../domain/backoff.ts";

export interface CarrierLink {
  readonly carrier: CarrierConfig;
  /** The bound session, or undefined while (re)binding. */
  session(): SmppSession | undefined;
  /** Resolves once the first bind attempt is over, bound or not. */
  readonly firstAttempt: Promise<void>;
  /** Stops rebinding and unbinds (which waits for the submits in flight). */
  stop(): Promise<void>;
}

export interface CarrierLinkDeps {
  log: Logger;
  backoff: BackoffSettings;
  /** Requests from the carrier: deliver_sm (receipts, MO). The handler must answer each. */
  onRequest(session: SmppSession, pdu: IncomingRequest): void;
  random?: () => number;
}

/**
 * Keeps one transceiver bind to a carrier: binds, and when the session closes binds again
 * with exponential back-off and jitter. A bind refused for its credentials is retried only
 * slowly (BIND_REFUSED_RETRY_MS) with an error log each time: never a hot loop.
 */
export function startCarrierLink(carrier: CarrierConfig, deps: CarrierLinkDeps): CarrierLink {
  const log = deps.log.child({ carrierId: carrier.id });
  const random = deps.random ?? Math.random;
  let current: SmppSession | undefined;
  let stopping = false;
  let wake: (() => void) | undefined;
  const first = Promise.withResolvers<void>();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  async function bind(): Promise<SmppSession> {
    return bindClient({
      host: carrier.host,
      port: carrier.port,
      systemId: carrier.systemId,
      password: carrier.password,
      systemType: carrier.systemType,
      mode: "transceiver",
      windowSize: carrier.windowSize,
      responseTimeoutMs: carrier.responseTimeoutMs,
      enquireLinkMs: carrier.enquireLinkMs,
      connectTimeoutMs: Math.min(10_000, carrier.responseTimeoutMs),
      onSession: attach,
    });
  }

  function attach(session: SmppSession): void {
    session.on("request", (pdu) => deps.onRequest(session, pdu));
    session.on("warning", (error) => log.warn({ err: error.message }, "smpp warning"));
    session.on("unmatchedResponse", (pdu) => {
      // Most often a submit_sm_resp after its timeout: the outcome we published as unknown.
      log.warn(
        {
          command: pdu.command,
          sequenceNumber: pdu.sequenceNumber,
          status: pdu.commandStatus,
          pdu,
        },
        "late or unmatched response",
      );
    });
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!stopping) {
      let delayMs: number;
      try {
        const session = await bind();
        if (stopping) {
          await session.unbind();
          break;
        }
        failures = 0;
        current = session;
        log.info({ host: carrier.host, port: carrier.port }, "bound");
        first.resolve();
        const { error } = await session.closed;
        current = undefined;
        if (stopping) break;
        log.warn({ err: error?.message }, "session closed; binding again");
        delayMs = backoffMs(1, random(), deps.backoff);
      } catch (error) {
        failures += 1;
        const failure: BindFailure =
          error instanceof SmppBindError
            ? { kind: "refused", commandStatus: error.commandStatus }
            : { kind: "unreachable" };
        const plan = afterBindFailure(failure, failures, random(), deps.backoff);
        delayMs = plan.delayMs;
        const fields = {
          err: errorMessage(error),
          failures,
          retryInMs: delayMs,
          ...(failure.kind === "refused"
            ? { status: commandStatusName(failure.commandStatus) }
            : {}),
        };
        if (plan.alert) log.error(fields, "bind refused: check system_id and password");
        else log.warn(fields, "bind failed");
        first.resolve();
      }
      if (!stopping) await sleep(delayMs);
    }
  }

  const loop = run().catch((error: unknown) => log.error({ err: error }, "carrier link failed"));

  return {
    carrier,
    session: () => (current?.state === "bound" ? current : undefined),
    firstAttempt: first.promise,
    async stop() {
      stopping = true;
      wake?.();
      await current?.unbind();
      await loop;
    },
  };
}
