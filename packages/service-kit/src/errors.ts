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
