/** The tracing interfaces (tracing.ts), apart so that the OpenTelemetry side (otel.ts) imports no more than these. */
export type SpanKind = 'server' | 'client' | 'producer' | 'consumer' | 'internal';
export type SpanAttributes = Record<string, string | number | boolean | undefined>;

export interface SpanStart {
  /** A W3C traceparent: the span continues that trace as its child. None starts a new trace. */
  parent?: string;
  kind?: SpanKind;
  attributes?: SpanAttributes;
  /** Traceparents of other spans this one relates to (not parents). */
  links?: string[];
  /** Epoch ms; defaults to now. */
  startTime?: number;
}

export interface Span {
  /** This span's W3C traceparent: the parent for spans it causes, in this process or another. */
  readonly traceparent: string;
  setAttributes(attributes: SpanAttributes): void;
  /** Marks the span failed, with the error's message (no stack). */
  fail(error: unknown): void;
  end(endTime?: number): void;
}

export interface Tracing {
  readonly enabled: boolean;
  start(name: string, options?: SpanStart): Span;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}
