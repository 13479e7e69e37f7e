/**
 * The statuses an answer can carry (api.md section 1) and the HTTP code of each on the
 * compatible endpoint. Every error answer is `{ status, message }`.
 */
export const HTTP_STATUS_OF = {
  invalid_phone: 200,
  low_balance: 200,
  destination_blocked: 200,
  invalid_sender: 200,
  /** The recipient told this account STOP (api.md section 5). */
  opted_out: 200,
  invalid_params: 400,
  auth_failed: 401,
  /** v1 and `/`: the API key lacks the scope the request needs, or the address is not allowed. */
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  /** v1 only: erasing a message that is not final yet (api.md section 7, ADR 0021). */
  message_in_flight: 409,
  /** v1 only: canceling a message that is not waiting for its sendAt (ADR 0030). */
  message_not_cancelable: 409,
  /** v1 only: the Idempotency-Key was used with another body. */
  idempotency_key_reused: 422,
  rate_limit: 429,
  server_error: 500,
  /**
   * Charged, and the accepted event published, but JetStream's acknowledgement never came
   * (ADR 0022): the message may be on its way. Retry with the same Idempotency-Key, or look
   * the `messageId` up; never send it again as a new message.
   */
  outcome_unknown: 503,
} as const;
export type ErrorStatus = keyof typeof HTTP_STATUS_OF;

/** The native API answers the compatible endpoint's 200 refusals with 422 (api.md section 2). */
export function v1HttpStatus(status: ErrorStatus): number {
  const code = HTTP_STATUS_OF[status];
  return code === 200 ? 422 : code;
}

export interface ApiError {
  readonly status: ErrorStatus;
  readonly message: string;
  /** Whole seconds, for `rate_limit` only (sent as Retry-After). */
  readonly retryAfterSec?: number;
  /**
   * The message id was charged and refunded before (a retry long after a server error): the
   * send may go again under a new id. Never shown to the client.
   */
  readonly idSpent?: true;
  /** `outcome_unknown` only: the message to look up (it is in the answer's body). */
  readonly messageId?: string;
}

export const apiError = (status: ErrorStatus, message: string): ApiError => ({ status, message });

/** A decision that either yields a value or names the error to answer with. */
export type Checked<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export const passed = <T>(value: T): Checked<T> => ({ ok: true, value });
export const refused = <T = never>(status: ErrorStatus, message: string): Checked<T> => ({
  ok: false,
  error: apiError(status, message),
});

/** One message for every credential failure: no oracle for which half was wrong. */
export const AUTH_FAILED = apiError(
  "auth_failed",
  "hash or token is wrong, or the account is disabled",
);
