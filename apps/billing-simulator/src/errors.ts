/**
 * The billing simulator's own error codes (it plays an external billing API such as Stripe's, so it does
 * not share the ingress catalogue). Clients get `{"error": {"code", "message"}}` and nothing else.
 */
export const BILLING_ERRORS = {
  IDEMPOTENCY_KEY_REQUIRED: { status: 400, message: 'The Idempotency-Key header is required.' },
  IDEMPOTENCY_KEY_INVALID: { status: 400, message: 'The Idempotency-Key header must be 1-255 printable ASCII characters.' },
  IDEMPOTENCY_KEY_REUSED: { status: 409, message: 'This Idempotency-Key was already used with different parameters.' },
  INVALID_REQUEST: { status: 400, message: 'The request body is invalid.' },
  MALFORMED_JSON: { status: 400, message: 'The request body is not valid JSON.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The content type must be application/json.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  INVOICE_NOT_FOUND: { status: 404, message: 'No invoice has this id.' },
  NOT_FOUND: { status: 404, message: 'No such route.' },
  INTERNAL: { status: 500, message: 'Internal error.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type BillingErrorCode = keyof typeof BILLING_ERRORS;

export class BillingError extends Error {
  readonly status: number;

  constructor(
    readonly code: BillingErrorCode,
    message?: string,
  ) {
    super(message ?? BILLING_ERRORS[code].message);
    this.name = 'BillingError';
    this.status = BILLING_ERRORS[code].status;
  }

  toBody(): { error: { code: BillingErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}
