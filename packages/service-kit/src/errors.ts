/**
 * How a consumer's handler says what should happen to a message it could not process.
 * Anything else thrown is treated as retryable: redelivered later, never dropped.
 */
export class PermanentError extends Error {
  override name = "PermanentError";
}

export class RetryableError extends Error {
  override name = "RetryableError";
  readonly delayMs: number | undefined;
  constructor(message: string, options?: { cause?: unknown; delayMs?: number }) {
    super(message, { cause: options?.cause });
    this.delayMs = options?.delayMs;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class DeadlineExceededError extends RetryableError {
  override name = "DeadlineExceededError";
}

/**
 * Rejects with DeadlineExceededError if `work` has not settled within `ms`. The work itself
 * goes on (a promise cannot be cancelled): use it where a hung call — a query on a
 * connection that died under it — must not hold a slot or a loop for ever.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DeadlineExceededError(`${what} still running after ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
