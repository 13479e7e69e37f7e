import type { Logger } from "@smsgw/service-kit";
import {
  type IncomingRequest,
  type Outgoing,
  SmppConnectionClosedError,
  SmppGenericNackError,
  SmppResponseTimeoutError,
  type SmppSession,
  SmppSessionStateError,
  type SubmitSmResp,
} from "@smsgw/smpp";
import type { CarrierConfig } from "../config.ts";
import type { LinkBacklog } from "../domain/backlog.ts";
import type { BackoffSettings } from "../domain/backoff.ts";
import { createRecentCounter } from "../domain/recent-counter.ts";
import {
  isRebind,
  isThrottle,
  isTransientRefusal,
  TRANSIENT_RETRIES,
  throttlePauseMs,
  transientRetryDelayMs,
} from "../domain/throttle.ts";
import { createTokenBucket } from "../domain/token-bucket.ts";
import {
  afterSubmitAnswer,
  isUnresponsive,
  NONE_UNANSWERED,
  type SubmitAnswer,
  type UnansweredSubmits,
} from "../domain/unanswered-submits.ts";
import { carrierMetrics } from "../metrics.ts";
import { type BindLoop, startBindLoop } from "./bind-loop.ts";

export interface CarrierLinkStatus {
  bindsUp: number;
  bindsWanted: number;
  throttled: boolean;
  recentSubmits: number;
  recentSubmitErrors: number;
  /** A bind was dropped for unanswered submits lately and none has been answered since. */
  unresponsive: boolean;
}

export interface CarrierLink {
  readonly carrier: CarrierConfig;
  /** A bound session that can submit (transceiver or transmitter), or undefined. */
  session(): SmppSession | undefined;
  /** How long no session could submit (ms); 0 while one can. */
  unboundForMs(nowMs?: number): number;
  /**
   * Sends a submit_sm through the carrier's binds, within its TPS cap, and answers its
   * response. Throttled (ESME_RTHROTTLED / ESME_RMSGQFUL, also as generic_nack): the carrier
   * did not take it, so it is kept and sent again once the carrier's pause is over.
   * ESME_RINVBNDSTS: that bind is dropped (it rebinds) and the part goes on another. A bind
   * with `rebindAfterTimeouts` submits in a row unanswered is dropped too: those it carries stay
   * outcome unknown, those queued behind it go on another bind. Rejects like
   * `session.request`; SmppSessionStateError when no bind can take it (never sent).
   */
  submit(pdu: Outgoing<"submit_sm">): Promise<SubmitSmResp>;
  /** What the link holds and how fast it sends: how much more it may be given (domain/backlog). */
  backlog(nowMs?: number): LinkBacklog;
  status(nowMs?: number): CarrierLinkStatus;
  /** Resolves once the first attempt of every bind held now is over, bound or not. */
  firstAttempt(): Promise<void>;
  /** The bind slots this replica holds (leases, ADR 0007). */
  slots(): number[];
  /** Opens the bind(s) of a slot this replica now leases (a transceiver, or a pair). */
  addSlot(index: number): void;
  /** Closes a slot's bind(s), draining their windows: resolves when they are unbound. */
  removeSlot(index: number): Promise<void>;
  /** submit_sm in flight on this replica's binds now. */
  inFlight(): number;
  /** Whether a slot's submitting bind is up now (published in its lease). */
  slotBound(index: number): boolean;
  /** Stops rebinding and unbinds every session (each drains its window first). */
  stop(): Promise<void>;
  /**
   * For a link replaced or removed while running: the parts already handed to it are sent
   * (within `graceMs`), then it stops. Stopped at once, a long message whose first parts went
   * out would have its last refused unsent: a fragment at the handset, refunded.
   */
  retire(graceMs?: number): Promise<void>;
}

export interface CarrierLinkDeps {
  log: Logger;
  backoff: BackoffSettings;
  /** Requests from the carrier: deliver_sm (receipts, MO). The handler must answer each. */
  onRequest(session: SmppSession, pdu: IncomingRequest): void;
  /** A bind came up or went down. */
  onChange?(carrierId: string): void;
  random?: () => number;
  /** Throttled this long in all, a part gives up (unsent: its message comes again later). */
  maxThrottleWaitMs?: number;
}

/** Every slot of a carrier: a link that opens all its binds (one replica without leases, tests). */
export const allSlots = (carrier: Pick<CarrierConfig, "binds">): number[] =>
  Array.from({ length: carrier.binds }, (_, i) => i);

/** How long a submit waits for a bind to come back before it is handed back unsent. */
const REBIND_WAIT_MS = 2_000;
/** How long a replaced link goes on sending what it was handed before it stops. */
const RETIRE_GRACE_MS = 30_000;
/** How often a submit held back from a suspect session looks again. */
const PROBATION_POLL_MS = 20;
/** How long health says `unresponsive` after a bind dropped for unanswered submits. */
const UNRESPONSIVE_WINDOW_MS = 60_000;

/**
 * A carrier's binds on this replica: one per bind slot it leases (a transceiver, or a
 * transmitter + receiver pair; `slots` opens them at once without leases), one shared TPS
 * bucket (this replica's share of `maxTps`: held slots / binds) and one throttle pause.
 */
export function startCarrierLink(
  carrier: CarrierConfig,
  deps: CarrierLinkDeps,
  initialSlots: readonly number[] = [],
): CarrierLink {
  const log = deps.log.child({ carrierId: carrier.id });
  const random = deps.random ?? Math.random;
  const maxThrottleWaitMs = deps.maxThrottleWaitMs ?? 60_000;
  let bucket = createTokenBucket(0);
  /** The cap's rate of this replica's share (0: no cap). */
  let cappedRate = 0;
  /** Parts in `submit` now: waiting for the rate, a window slot or the carrier's answer. */
  let pendingParts = 0;
  const submits = createRecentCounter();
  const errors = createRecentCounter();
  let pausedUntil = 0;
  /** When the current pause began: refusals of submits sent before it are the same episode. */
  let pauseStartedAt = 0;
  let consecutiveThrottles = 0;
  let unboundSince: number | undefined = Date.now();
  let stopping = false;
  const waiters = new Set<() => void>();
  /** Per session: its submits timed out in a row (a wedged SMSC still answers enquire_link). */
  const unanswered = new WeakMap<SmppSession, UnansweredSubmits>();
  let lastUnansweredDropAt: number | undefined;
  let lastSubmitAnswerAt: number | undefined;

  /**
   * One submit on `session` ended answered or timed out. Once `rebindAfterTimeouts` have timed
   * out in a row, the bind is dropped: unbind refuses the submits queued behind its window at
   * once (never sent: they go on another bind), waits for those it carries (a late answer still
   * gives their ids; the rest stay outcome unknown), then closes; its loop binds again with
   * the back-off, counting the short session as a failure.
   */
  function submitEnded(session: SmppSession, answer: SubmitAnswer): void {
    const now = Date.now();
    if (answer === "answered") lastSubmitAnswerAt = now;
    const before = unanswered.get(session) ?? NONE_UNANSWERED;
    const { state, drop } = afterSubmitAnswer(before, answer, carrier.rebindAfterTimeouts);
    unanswered.set(session, state);
    if (!drop || session.state !== "bound") return;
    lastUnansweredDropAt = now;
    carrierMetrics.unansweredDrop(carrier.id);
    log.warn(
      { timeoutsInARow: state.timeoutsInARow, inFlight: session.inFlight },
      "submits unanswered on a live bind; dropping it and binding again",
    );
    void session.unbind().catch(() => undefined);
    deps.onChange?.(carrier.id);
  }

  function attach(session: SmppSession): void {
    session.on("request", (pdu) => deps.onRequest(session, pdu));
    session.on("warning", (error) => log.warn({ err: error.message }, "smpp warning"));
    session.on("unmatchedResponse", (pdu) => {
      // Late, but the SMSC's application answers: not the wedge the timeouts counted.
      if (pdu.command === "submit_sm_resp") submitEnded(session, "answered");
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

  const modes =
    carrier.bindMode === "pair"
      ? (["transmitter", "receiver"] as const)
      : (["transceiver"] as const);
  /** The bind loops of each slot held. */
  const slotLoops = new Map<number, BindLoop[]>();
  const allLoops = () => [...slotLoops.values()].flat();
  const onChange = () => {
    const up = submitSessions().length > 0;
    if (up) unboundSince = undefined;
    else unboundSince ??= Date.now();
    deps.onChange?.(carrier.id);
  };
  /** This replica's part of the carrier's cap: maxTps × held slots / binds. */
  const resizeBucket = () => {
    const share = Math.min(1, slotLoops.size / carrier.binds);
    cappedRate = carrier.maxTps > 0 && share > 0 ? carrier.maxTps * share : 0;
    bucket = createTokenBucket(cappedRate);
  };
  function addSlot(index: number): void {
    if (stopping || slotLoops.has(index)) return;
    slotLoops.set(
      index,
      modes.map((mode) =>
        startBindLoop(carrier, mode, { log, backoff: deps.backoff, attach, onChange, random }),
      ),
    );
    resizeBucket();
  }
  async function removeSlot(index: number): Promise<void> {
    const loops = slotLoops.get(index);
    if (!loops) return;
    slotLoops.delete(index);
    resizeBucket();
    await Promise.all(loops.map((l) => l.stop()));
    onChange();
  }
  for (const index of initialSlots) addSlot(index);

  function submitSessions(): SmppSession[] {
    const sessions: SmppSession[] = [];
    for (const loop of allLoops()) {
      const session = loop.session();
      if (session && loop.mode !== "receiver") sessions.push(session);
    }
    return sessions;
  }

  /**
   * A session whose last submit timed out: its SMSC may have stopped answering. So is a session
   * with no submit ended yet while the carrier's last bind was dropped for unanswered submits
   * and none has been answered since: a wedged SMSC usually stays wedged across a rebind, and
   * without this each new bind took a window's worth of submits into outcome unknown.
   */
  const suspect = (session: SmppSession) => {
    const state = unanswered.get(session);
    if (state) return state.timeoutsInARow > 0;
    return isUnresponsive(
      lastUnansweredDropAt,
      lastSubmitAnswerAt,
      Date.now(),
      UNRESPONSIVE_WINDOW_MS,
    );
  };

  /** The bound session with the fewest requests in flight, one not suspect first. */
  function pick(): SmppSession | undefined {
    let best: SmppSession | undefined;
    for (const session of submitSessions()) {
      if (
        !best ||
        (suspect(best) && !suspect(session)) ||
        (suspect(best) === suspect(session) && session.inFlight < best.inFlight)
      ) {
        best = session;
      }
    }
    return best;
  }

  /**
   * Right before a write on a suspect session (its last submit timed out): wait while it still
   * has requests in flight, until one is answered (no longer suspect) or it is dropped (the
   * submit is then refused unsent and goes on another bind). So the window freed by the first
   * timeouts is not filled with submits that would end outcome unknown too; with nothing in
   * flight, one submit goes as the probe. Bounded: what is in flight ends within a timeout.
   */
  async function probation(session: SmppSession): Promise<void> {
    if (carrier.rebindAfterTimeouts === 0) return;
    while (!stopping && session.state === "bound" && suspect(session) && session.inFlight > 0) {
      await sleep(PROBATION_POLL_MS);
    }
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
    });
  }

  /** A bind that just dropped is often back within a second: wait that long before giving up. */
  async function waitForBind(ms: number): Promise<SmppSession | undefined> {
    const deadline = Date.now() + ms;
    while (!stopping && Date.now() < deadline) {
      await sleep(50);
      const session = pick();
      if (session) return session;
    }
    return undefined;
  }

  /** Waits out the carrier's throttle pause and its TPS bucket. */
  async function gate(): Promise<void> {
    for (;;) {
      if (stopping) throw new SmppSessionStateError("submit_sm", "unbinding");
      const now = Date.now();
      if (pausedUntil > now) {
        await sleep(pausedUntil - now);
        continue;
      }
      const wait = bucket.take(now);
      if (wait === 0) return;
      await sleep(wait);
    }
  }

  /**
   * A throttle refusal of a submit sent at `sentAt`. Only one sent after the current pause
   * began lengthens the next pause: the whole window refused at once is one episode, not
   * `windowSize` of them.
   */
  function throttle(status: number, sentAt: number): void {
    if (sentAt < pauseStartedAt) return;
    consecutiveThrottles += 1;
    const pause = throttlePauseMs(consecutiveThrottles, status);
    const now = Date.now();
    const until = now + pause;
    if (until > pausedUntil) {
      pausedUntil = until;
      pauseStartedAt = now;
      carrierMetrics.throttlePause(carrier.id);
      log.warn(
        { status, pauseMs: pause, consecutive: consecutiveThrottles },
        "carrier throttling us; pausing",
      );
      deps.onChange?.(carrier.id);
    }
  }

  /** A request that failed: refused by generic_nack, or sent and never answered (unknown). */
  function countFailed(error: unknown, sentAt: number): void {
    if (error instanceof SmppGenericNackError) {
      const result = isThrottle(error.commandStatus) ? "throttled" : "rejected";
      carrierMetrics.submit(carrier.id, result, error.commandStatus, (Date.now() - sentAt) / 1000);
    } else if (error instanceof SmppSessionStateError) {
      // Never sent.
    } else if (!(error instanceof SmppConnectionClosedError) || error.requestSent) {
      carrierMetrics.submit(carrier.id, "timeout");
    }
  }

  const neverSent = (error: unknown) =>
    error instanceof SmppSessionStateError ||
    (error instanceof SmppConnectionClosedError && !error.requestSent);

  async function submit(pdu: Outgoing<"submit_sm">): Promise<SubmitSmResp> {
    pendingParts += 1;
    try {
      return await submitCounted(pdu);
    } finally {
      pendingParts -= 1;
    }
  }

  async function submitCounted(pdu: Outgoing<"submit_sm">): Promise<SubmitSmResp> {
    // Throttled for too long counts from the first refusal, not from when the part began to
    // wait for a window slot: a part queued behind a long backlog still gets its full wait.
    let throttledSince: number | undefined;
    const throttledTooLong = () => {
      throttledSince ??= Date.now();
      return Date.now() - throttledSince >= maxThrottleWaitMs;
    };
    let rebinds = 0;
    let transientRetries = 0;
    for (;;) {
      if (stopping) throw new SmppSessionStateError("submit_sm", "unbinding");
      const session = pick() ?? (await waitForBind(REBIND_WAIT_MS));
      if (!session) throw new SmppSessionStateError("submit_sm", "not bound");
      let response: SubmitSmResp;
      let sentAt = Date.now();
      try {
        // The pause and the rate are kept once the window has a slot for it, right before it
        // is written: a submit queued behind the window when the carrier said "slow down"
        // waits for the pause too, and its own refusal counts from when it went out.
        response = await session.request(pdu, {
          beforeSend: async () => {
            // The slot may have been freed by a refusal whose own submit has not yet called
            // throttle() (the slot passes on before the response reaches its caller): one
            // turn of the loop later, the pause it begins is in force.
            await new Promise((resolve) => setImmediate(resolve));
            await gate();
            await probation(session);
            sentAt = Date.now();
          },
        });
      } catch (error) {
        countFailed(error, sentAt);
        if (error instanceof SmppGenericNackError) submitEnded(session, "answered");
        else if (error instanceof SmppResponseTimeoutError) submitEnded(session, "timedOut");
        if (error instanceof SmppGenericNackError && isThrottle(error.commandStatus)) {
          throttle(error.commandStatus, sentAt);
          if (!throttledTooLong()) continue;
          throw new SmppSessionStateError("submit_sm", "throttled for too long");
        }
        if (
          error instanceof SmppGenericNackError &&
          isTransientRefusal(error.commandStatus) &&
          transientRetries < TRANSIENT_RETRIES &&
          !stopping
        ) {
          transientRetries += 1;
          await sleep(transientRetryDelayMs(transientRetries));
          continue;
        }
        // Never sent (its session began unbinding or closed first): another bind may take it,
        // with no risk of a second copy at the carrier.
        if (neverSent(error) && !stopping && rebinds < allLoops().length) {
          rebinds += 1;
          continue;
        }
        if (!(error instanceof SmppSessionStateError)) errors.add(Date.now());
        submits.add(Date.now());
        throw error;
      }
      submitEnded(session, "answered");
      const status = response.commandStatus;
      carrierMetrics.submit(
        carrier.id,
        status === 0 ? "ok" : isThrottle(status) ? "throttled" : "rejected",
        status,
        (Date.now() - sentAt) / 1000,
      );
      if (isThrottle(response.commandStatus)) {
        throttle(response.commandStatus, sentAt);
        if (!throttledTooLong()) continue;
        throw new SmppSessionStateError("submit_sm", "throttled for too long");
      }
      if (
        isTransientRefusal(response.commandStatus) &&
        transientRetries < TRANSIENT_RETRIES &&
        !stopping
      ) {
        // Not taken: sent again after a moment, on this carrier, before any failover.
        transientRetries += 1;
        log.info(
          { status: response.commandStatus, attempt: transientRetries },
          "submit refused for the carrier's trouble of the moment; sending again",
        );
        await sleep(transientRetryDelayMs(transientRetries));
        continue;
      }
      if (isRebind(response.commandStatus) && rebinds < allLoops().length) {
        // The SMSC forgot our bind: drop it (its loop binds again) and try another. Unbound,
        // not closed: the submits it already carries get their answers first (closed, each
        // would be an outcome unknown, never resubmitted), and those queued behind it go to
        // another bind (above).
        rebinds += 1;
        log.warn(
          { status: response.commandStatus },
          "submit refused for the bind state; rebinding",
        );
        void session.unbind().catch(() => undefined);
        continue;
      }
      consecutiveThrottles = 0;
      submits.add(Date.now());
      if (response.commandStatus !== 0) errors.add(Date.now());
      return response;
    }
  }

  return {
    carrier,
    session: pick,
    unboundForMs: (nowMs = Date.now()) => (unboundSince === undefined ? 0 : nowMs - unboundSince),
    submit,
    backlog: (nowMs = Date.now()) => ({
      pendingParts,
      // The cap where there is one; else what it sent over the last minute.
      ratePerSec: cappedRate > 0 ? cappedRate : submits.total(nowMs) / 60,
    }),
    status: (nowMs = Date.now()) => ({
      bindsUp: allLoops().filter((l) => l.session() !== undefined).length,
      bindsWanted: allLoops().length,
      throttled: pausedUntil > nowMs,
      recentSubmits: submits.total(nowMs),
      recentSubmitErrors: errors.total(nowMs),
      unresponsive: isUnresponsive(
        lastUnansweredDropAt,
        lastSubmitAnswerAt,
        nowMs,
        UNRESPONSIVE_WINDOW_MS,
      ),
    }),
    firstAttempt: () => Promise.all(allLoops().map((l) => l.firstAttempt)).then(() => undefined),
    slots: () => [...slotLoops.keys()].sort((a, b) => a - b),
    inFlight: () => submitSessions().reduce((sum, session) => sum + session.inFlight, 0),
    addSlot,
    removeSlot,
    slotBound: (index) =>
      slotLoops.get(index)?.some((l) => l.mode !== "receiver" && l.session() !== undefined) ??
      false,
    stop,
    async retire(graceMs = RETIRE_GRACE_MS) {
      const deadline = Date.now() + graceMs;
      while (pendingParts > 0 && !stopping && Date.now() < deadline) await sleep(50);
      await stop();
    },
  };

  async function stop(): Promise<void> {
    stopping = true;
    for (const wake of [...waiters]) wake();
    await Promise.all([...slotLoops.keys()].map(removeSlot));
  }
}
