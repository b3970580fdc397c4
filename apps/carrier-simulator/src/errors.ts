/**
 * The simulator's own error codes (it plays an external carrier, so it does not share the ingress
 * catalogue). Clients get `{"error": {"code", "message"}}` and nothing else.
 */
export const CARRIER_ERRORS = {
  IDEMPOTENCY_KEY_REQUIRED: { status: 400, message: 'The Idempotency-Key header is required.' },
  IDEMPOTENCY_KEY_INVALID: { status: 400, message: 'The Idempotency-Key header must be 1-255 printable ASCII characters.' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, message: 'This Idempotency-Key was already used with a different request body.' },
  INVALID_REQUEST: { status: 400, message: 'The request body is invalid.' },
  MALFORMED_JSON: { status: 400, message: 'The request body is not valid JSON.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The content type must be application/json.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  SHIPMENT_NOT_FOUND: { status: 404, message: 'No shipment has this id.' },
  NOT_FOUND: { status: 404, message: 'No such route.' },
  INTERNAL: { status: 500, message: 'Internal error.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type CarrierErrorCode = keyof typeof CARRIER_ERRORS;

export class CarrierError extends Error {
  readonly status: number;

  constructor(
    readonly code: CarrierErrorCode,
    message?: string,
  ) {
    super(message ?? CARRIER_ERRORS[code].message);
    this.name = 'CarrierError';
    this.status = CARRIER_ERRORS[code].status;
  }

  toBody(): { error: { code: CarrierErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}
