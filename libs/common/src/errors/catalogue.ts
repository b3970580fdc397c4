/**
 * The one catalogue of error codes clients can see. Each has its HTTP status and whether retrying the
 * same request can help; clients get `{"error": {"code", "message"}}` and nothing else (no stack, no
 * internal text). Codes are stable: add new ones, never rename.
 */
export const ERRORS = {
  UNKNOWN_PROVIDER: { status: 404, retryable: false, message: 'No provider is configured under this name.' },
  NOT_FOUND: { status: 404, retryable: false, message: 'No such route.' },
  METHOD_NOT_ALLOWED: { status: 405, retryable: false, message: 'Method not allowed on this route.' },
  SIGNATURE_MISSING: { status: 401, retryable: false, message: 'The request carries no signature.' },
  SIGNATURE_INVALID: { status: 401, retryable: false, message: 'The signature does not match the request.' },
  TIMESTAMP_INVALID: { status: 401, retryable: false, message: 'The signature timestamp is missing or malformed.' },
  TIMESTAMP_STALE: { status: 401, retryable: false, message: 'The signature timestamp is outside the allowed tolerance.' },
  ADDRESS_NOT_ALLOWED: { status: 403, retryable: false, message: 'Requests from this address are not allowed for this provider.' },
  PAYLOAD_TOO_LARGE: { status: 413, retryable: false, message: 'The request body is larger than the configured limit.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retryable: false, message: 'The content type must be application/json.' },
  MALFORMED_JSON: { status: 400, retryable: false, message: 'The request body is not valid JSON.' },
  BAD_REQUEST: { status: 400, retryable: false, message: 'The request is malformed.' },
  HEADERS_TOO_LARGE: { status: 431, retryable: false, message: 'The request headers are larger than the server accepts.' },
  REQUEST_TIMEOUT: { status: 408, retryable: true, message: 'The request was not received in time.' },
  KAFKA_UNAVAILABLE: { status: 503, retryable: true, message: 'The event could not be stored in time; retry later.' },
  OVERLOADED: { status: 503, retryable: true, message: 'Too many requests in flight; retry later.' },
  // The web console's API (apps/console).
  UNKNOWN_TOPIC: { status: 404, retryable: false, message: 'No event topic with this name on the cluster.' },
  UNKNOWN_AGENT: { status: 404, retryable: false, message: 'No agent with this name is configured or has a dead-letter topic.' },
  INVALID_EVENT_ID: { status: 400, retryable: false, message: 'An event id must be 1 to 256 printable characters.' },
  INVALID_QUERY: { status: 400, retryable: false, message: 'A search parameter is malformed.' },
  EVENT_NOT_FOUND: { status: 404, retryable: false, message: 'No event with this id was found.' },
  KAFKA_UNREADABLE: { status: 503, retryable: true, message: 'Kafka could not be read in time; retry later.' },
  INTERNAL: { status: 500, retryable: true, message: 'Internal error.' },
} as const satisfies Record<string, { status: number; retryable: boolean; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** Seconds a client is asked to wait before retrying a 503. */
export const RETRY_AFTER_SECONDS = 5;

export class AppError extends Error {
  readonly status: number;
  readonly retryable: boolean;

  constructor(
    readonly code: ErrorCode,
    message?: string,
  ) {
    super(message ?? ERRORS[code].message);
    this.name = 'AppError';
    this.status = ERRORS[code].status;
    this.retryable = ERRORS[code].retryable;
  }

  toBody(): { error: { code: ErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}
