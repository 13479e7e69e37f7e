import autocannon from "autocannon";

export interface LoadOutcome {
  sent: number;
  /** messageId -> when its request was sent (ms since epoch). */
  accepted: Map<string, number>;
  errors: Record<string, number>;
  api: { p50: number; p90: number; p99: number; max: number };
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
        onResponse: (status, body, context) => {
          try {
            const answer = JSON.parse(body) as { status?: string; messageId?: string };
            if (status === 200 && answer.status === "success" && answer.messageId) {
              accepted.set(answer.messageId, Number((context as { sentAt?: number }).sentAt));
              return;
            }
            const key = `${status} ${answer.status ?? "?"}`;
            errors[key] = (errors[key] ?? 0) + 1;
          } catch {
            errors[`${status} not-json`] = (errors[`${status} not-json`] ?? 0) + 1;
          }
        },
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
