import autocannon from "autocannon";

export interface LoadOutcome {
  sent: number;
  /** messageId -> when its request was sent (ms since epoch). */
  accepted: Map<string, number>;
  errors: Record<string, number>;
  api: { p50: number; p90: number; p99: number; max: number };
  /** Every answer's latency in ms (the paced step only). */
  latenciesMs?: number[];
  /** The latencies of the answers that accepted a message (the paced step only). */
  acceptedLatenciesMs?: number[];
  /**
   * The load generator's own event-loop delay during the step, p99 and max in ms (the paced
   * step only): how late it could have been in sending a request or reading its answer, so
   * how much of a latency measured is the generator's own.
   */
  generatorLoopDelayMs?: { p99: number; max: number };
  /** Per second of the step (by when requests were due), the share answered within 200 ms. */
  fastShareBySecond?: number[];
}

/**
 * Files one answer of the compatible endpoint: a `success` under its messageId (with when
 * its request was sent), anything else counted by HTTP status and API status. True when it
 * accepted a message.
 */
export function recordAnswer(
  into: Pick<LoadOutcome, "accepted" | "errors">,
  httpStatus: number,
  body: string,
  sentAt: number,
): boolean {
  const { accepted, errors } = into;
  try {
    const answer = JSON.parse(body) as { status?: string; messageId?: string };
    if (httpStatus === 200 && answer.status === "success" && answer.messageId) {
      accepted.set(answer.messageId, sentAt);
      return true;
    }
    const key = `${httpStatus} ${answer.status ?? "?"}`;
    errors[key] = (errors[key] ?? 0) + 1;
  } catch {
    errors[`${httpStatus} not-json`] = (errors[`${httpStatus} not-json`] ?? 0) + 1;
  }
  return false;
}

/**
 * One step of offered load against the compatible endpoint: GET /?hash=…&token=…, at a
 * fixed overall rate (or as fast as it goes), through autocannon.
 */
export async function runLoadStep(options: {
  baseUrl: string;
  query: (n: number) => string;
  rate: number | null;
  connections: number;
  durationS: number;
  onProgress?: (sent: number, accepted: number) => void;
}): Promise<LoadOutcome> {
  const accepted = new Map<string, number>();
  const errors: Record<string, number> = {};
  let sent = 0;
  let counter = 0;
  const instance = autocannon({
    url: options.baseUrl,
    connections: options.connections,
    duration: options.durationS,
    ...(options.rate ? { overallRate: options.rate } : {}),
    requests: [
      {
        method: "GET",
        setupRequest: (request, context) => {
          (context as { sentAt?: number }).sentAt = Date.now();
          sent++;
          return { ...request, path: `/?${options.query(counter++)}` };
        },
        onResponse: (status, body, context) =>
          recordAnswer(
            { accepted, errors },
            status,
            body,
            Number((context as { sentAt?: number }).sentAt),
          ),
      },
    ],
  });
  const progress = setInterval(() => options.onProgress?.(sent, accepted.size), 1_000);
  const result = await instance;
  clearInterval(progress);
  if (result.errors > 0) errors.connection = (errors.connection ?? 0) + result.errors;
  if (result.timeouts > 0) errors.timeout = (errors.timeout ?? 0) + result.timeouts;
  const { p50, p90, p99, max } = result.latency;
  return { sent, accepted, errors, api: { p50, p90, p99, max } };
}
