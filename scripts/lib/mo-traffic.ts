/**
 * MO traffic for the drill and `bench --inbound` (issue 18): the simulator's carrier sim-a
 * sends inbound messages to the numbers the load account holds, at a fixed rate, through its
 * control API (`POST /carriers/sim-a/mo`), which answers with the `deliver_sm_resp` status.
 * An MO the carrier got no OK for (no bind, a dead connector, a refusal) is sent again a
 * second later, as a carrier redelivers, under a new text: each attempt's text is unique, so
 * what the gateway stored and POSTed is matched to the attempt it came from. (A carrier
 * repeating the same parts, which the inbound service drops while their group waits, is
 * covered by its own tests, not here.)
 */

export interface MoAttempt {
  /** The MO's number in the run, and which attempt of it this is (1, 2, …). */
  n: number;
  attempt: number;
  text: string;
  parts: number;
  /** When it was handed to the carrier (epoch ms), and when the carrier had its OK. */
  sentAt: number;
  /** "acked": the carrier got deliver_sm_resp OK for every part: the gateway owes it. */
  outcome: "acked" | "not_acked";
}

export interface MoTraffic {
  /** Stops sending new MO, lets the ones being retried finish (bounded), answers every attempt. */
  stop(): Promise<MoAttempt[]>;
}

/** The sender of a run's MO number `n`: one of its own per MO, runs apart by `senderBase`. */
export function moSender(senderBase: number, n: number): string {
  return `+3725${String(1_000_000 + senderBase + n).padStart(7, "0")}`;
}

/** Senders a run may use: a drill's or a bench step's MO stay far below it. */
export const SENDERS_PER_RUN = 100_000;

/** Every fifth MO comes in two parts (UDH 8-bit), so joining is exercised too. */
const CONCAT_EVERY = 5;
const RETRY_MS = 1_000;
/** How long stop() lets MO not acked yet be retried (a fault's recovery, a rebind). */
const DRAIN_MS = 30_000;

export function startMoTraffic(options: {
  rate: number;
  numbers: readonly string[];
  /** The run's tag in every text (texts are unique per run and attempt). */
  tag: string;
  /**
   * Where this run's senders start (`moSender`): runs of one drill or bench must not share a
   * sender, or a part left waiting by one run (a dropped bind, 60 s until its group is given
   * up) meets the next run's message under the same sender, number and reference and is
   * joined to it (the inbound service drops the next run's part as a carrier's repeat).
   */
  senderBase?: number;
  /** The simulator's control API. */
  simulatorUrl?: string;
  carrier?: string;
}): MoTraffic {
  const url = `${options.simulatorUrl ?? "http://127.0.0.1:8086"}/carriers/${options.carrier ?? "sim-a"}/mo`;
  const attempts: MoAttempt[] = [];
  const running = new Set<Promise<void>>();
  let stopping = false;
  let giveUpAt = Number.POSITIVE_INFINITY;

  const send = async (n: number) => {
    const concat = n % CONCAT_EVERY === 0;
    const to = options.numbers[n % options.numbers.length] ?? "";
    const from = moSender(options.senderBase ?? 0, n);
    for (let attempt = 1; ; attempt++) {
      const head = `mo ${options.tag} ${n}.${attempt}`;
      // Two parts of 153 GSM-7 characters at most: past 160, a handset splits it.
      const text = concat ? `${head} ${"x".repeat(200 - head.length)}` : head;
      const sentAt = Date.now();
      const ok = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          from,
          to,
          text,
          // Each attempt its own reference: a part repeated under the same reference while
          // its group waits is dropped as the carrier's repeat (ADR 0019), which would join
          // an earlier attempt's first part to this one's second and lose this text.
          ...(concat ? { concat: "udh8", ref: attempt % 256 } : {}),
        }),
      })
        .then(
          async (res) =>
            res.ok && ((await res.json()) as { commandStatus: number }).commandStatus === 0,
        )
        .catch(() => false);
      attempts.push({
        n,
        attempt,
        text,
        parts: concat ? 2 : 1,
        sentAt,
        outcome: ok ? "acked" : "not_acked",
      });
      if (ok || Date.now() > giveUpAt) return;
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  };

  let n = 0;
  const startedAt = performance.now();
  const intervalMs = 1000 / options.rate;
  const tick = setInterval(() => {
    if (stopping) return;
    const due = Math.floor((performance.now() - startedAt) / intervalMs) + 1;
    while (n < due) {
      const work = send(n++).finally(() => running.delete(work));
      running.add(work);
    }
  }, 5);

  return {
    async stop() {
      stopping = true;
      clearInterval(tick);
      giveUpAt = Date.now() + DRAIN_MS;
      await Promise.all(running);
      return attempts;
    },
  };
}
