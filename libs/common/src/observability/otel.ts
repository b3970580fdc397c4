/**
 * The OpenTelemetry side of tracing.ts, required only when an OTLP endpoint is configured. The official
 * SDK (@opentelemetry/sdk-trace) with a batch span processor and the OTLP/HTTP protobuf exporter, which
 * reads the standard OTEL_EXPORTER_OTLP_* variables (endpoint, headers, timeout, compression) itself.
 */
import { ROOT_CONTEXT, SpanKind as OtelSpanKind, SpanStatusCode, trace, TraceFlags, type Link, type Span as OtelSpan, type SpanContext, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ParentBasedSampler, AlwaysOnSampler, TraceIdRatioBasedSampler, AlwaysOffSampler, TracerProvider, type Sampler } from '@opentelemetry/sdk-trace';
import type { Env } from '../config/env';
import type { Span, SpanAttributes, SpanKind, SpanStart, Tracing } from './span';

const KINDS: Record<SpanKind, OtelSpanKind> = {
  server: OtelSpanKind.SERVER,
  client: OtelSpanKind.CLIENT,
  producer: OtelSpanKind.PRODUCER,
  consumer: OtelSpanKind.CONSUMER,
  internal: OtelSpanKind.INTERNAL,
};

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A remote span context from a W3C traceparent, or undefined when it is not a valid one. */
export function spanContextOf(traceparent: string | undefined): SpanContext | undefined {
  const m = traceparent ? TRACEPARENT.exec(traceparent.trim()) : null;
  if (!m || /^0+$/.test(m[1]) || /^0+$/.test(m[2])) return undefined;
  return { traceId: m[1], spanId: m[2], traceFlags: parseInt(m[3], 16) & TraceFlags.SAMPLED, isRemote: true };
}

function traceparentOf(c: SpanContext): string {
  return `00-${c.traceId}-${c.spanId}-0${c.traceFlags & TraceFlags.SAMPLED ? 1 : 0}`;
}

/** OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, the standard values (default parentbased_always_on). */
function samplerFromEnv(env: Env): Sampler {
  const name = (env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on').trim().toLowerCase();
  const ratio = Number(env.OTEL_TRACES_SAMPLER_ARG ?? '1');
  const arg = Number.isFinite(ratio) && ratio >= 0 && ratio <= 1 ? ratio : 1;
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(arg);
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(arg) });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/** OTEL_BSP_SCHEDULE_DELAY, OTEL_BSP_EXPORT_TIMEOUT, OTEL_BSP_MAX_QUEUE_SIZE, OTEL_BSP_MAX_EXPORT_BATCH_SIZE. */
function batchOptionsFromEnv(env: Env): { scheduledDelayMillis?: number; exportTimeoutMillis?: number; maxQueueSize?: number; maxExportBatchSize?: number } {
  const int = (name: string) => {
    const n = Number((env[name] ?? '').trim() || NaN);
    return Number.isSafeInteger(n) && n > 0 ? n : undefined;
  };
  const out = {
    scheduledDelayMillis: int('OTEL_BSP_SCHEDULE_DELAY'),
    exportTimeoutMillis: int('OTEL_BSP_EXPORT_TIMEOUT'),
    maxQueueSize: int('OTEL_BSP_MAX_QUEUE_SIZE'),
    maxExportBatchSize: int('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

class OtlpSpan implements Span {
  constructor(private readonly span: OtelSpan) {}

  get traceparent(): string {
    return traceparentOf(this.span.spanContext());
  }

  setAttributes(attributes: SpanAttributes): void {
    for (const [k, v] of Object.entries(attributes)) if (v !== undefined) this.span.setAttribute(k, v);
  }

  fail(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: message.slice(0, 500) });
    if (error instanceof Error) this.span.setAttribute('error.type', error.name);
  }

  end(endTime?: number): void {
    this.span.end(endTime);
  }
}

export class OtlpTracing implements Tracing {
  readonly enabled = true;
  private readonly provider: TracerProvider;
  private readonly tracer: Tracer;

  constructor(service: string, env: Env) {
    const serviceName = (env.OTEL_SERVICE_NAME ?? '').trim() || service;
    this.provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': serviceName }),
      sampler: samplerFromEnv(env),
      spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter(), ...batchOptionsFromEnv(env) })],
    });
    this.tracer = this.provider.getTracer('hookline');
  }

  start(name: string, options: SpanStart = {}): Span {
    const parent = spanContextOf(options.parent);
    const ctx = parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
    const links: Link[] = [];
    for (const l of options.links ?? []) {
      const c = spanContextOf(l);
      if (c) links.push({ context: c });
    }
    const attributes: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(options.attributes ?? {})) if (v !== undefined) attributes[k] = v;
    const span = this.tracer.startSpan(name, { kind: KINDS[options.kind ?? 'internal'], attributes, links, startTime: options.startTime }, ctx);
    return new OtlpSpan(span);
  }

  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}
