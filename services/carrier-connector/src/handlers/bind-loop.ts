import { errorMessage, type Logger } from "@smsgw/service-kit";
import {
  type BindMode,
  bindClient,
  commandStatusName,
  SmppBindError,
  type SmppSession,
} from "@smsgw/smpp";
import type { CarrierConfig } from "../config.ts";
import {
  afterBindFailure,
  afterSessionEnded,
  type BackoffSettings,
  type BindFailure,
} from "../domain/backoff.ts";

export interface BindLoopDeps {
  log: Logger;
  backoff: BackoffSettings;
  /** Called with each new session before its bind is sent (attach listeners there). */
  attach(session: SmppSession): void;
  /** A session became bound or went away. */
  onChange(): void;
  random: () => number;
}

export interface BindLoop {
  readonly mode: BindMode;
  session(): SmppSession | undefined;
  readonly firstAttempt: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Keeps one bind open: binds, and when the session closes binds again after an exponential
 * back-off with jitter (a session that ended soon after its bind counts as a failure). A bind refused for its credentials (commandStatusAdvice "stop") is
 * retried only every `refusedRetryMs` with an error log each time: an alert, never a hot loop.
 */
export function startBindLoop(
  carrier: CarrierConfig,
  mode: BindMode,
  deps: BindLoopDeps,
): BindLoop {
  const log = deps.log;
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

  async function run(): Promise<void> {
    let failures = 0;
    while (!stopping) {
      let delayMs: number;
      try {
        const session = await bindClient({
          host: carrier.host,
          port: carrier.port,
          systemId: carrier.systemId,
          password: carrier.password,
          systemType: carrier.systemType,
          mode,
          windowSize: carrier.windowSize,
          responseTimeoutMs: carrier.responseTimeoutMs,
          enquireLinkMs: carrier.enquireLinkMs,
          connectTimeoutMs: Math.min(10_000, carrier.responseTimeoutMs),
          onSession: deps.attach,
        });
        if (stopping) {
          await session.unbind();
          break;
        }
        // The failures in a row start over only once the session has lasted (below).
        const boundAt = Date.now();
        current = session;
        log.info({ host: carrier.host, port: carrier.port, mode }, "bound");
        first.resolve();
        deps.onChange();
        const { error } = await session.closed;
        current = undefined;
        deps.onChange();
        if (stopping) break;
        const ended = afterSessionEnded(
          Date.now() - boundAt,
          failures,
          deps.random(),
          deps.backoff,
        );
        failures = ended.failures;
        delayMs = ended.delayMs;
        log.warn(
          { err: error?.message, mode, failures, retryInMs: delayMs },
          "session closed; binding again",
        );
      } catch (error) {
        failures += 1;
        const failure: BindFailure =
          error instanceof SmppBindError
            ? { kind: "refused", commandStatus: error.commandStatus }
            : { kind: "unreachable" };
        const plan = afterBindFailure(failure, failures, deps.random(), deps.backoff);
        delayMs = plan.delayMs;
        const fields = {
          err: errorMessage(error),
          failures,
          mode,
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

  const loop = run().catch((error: unknown) => log.error({ err: error }, "bind loop failed"));

  return {
    mode,
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
