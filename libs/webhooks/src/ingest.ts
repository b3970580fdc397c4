import type { ClassConstructor } from 'class-transformer';
import { contractFor, physicalTopic, Topics, validateAs, type Validated } from '@app/contracts';
import { AppError, childTraceparent, type CloudEvent, type ErrorCode, NO_TRACING, toKafkaMessage, type Tracing } from '@app/common';
import type { OutboundRecord } from '@app/kafka';
import type { Headers, VerifyFailure } from './signatures';
import { contentId, extract, keptHeaders, matchEvent, safeText } from './extract';
import { NORMALIZERS, NormalizeError, type Normalized } from './normalizers';
import type { Provider } from './provider-config';

export interface IngestCommand {
  provider: string;
  rawBody: Buffer;
  /** Lower-case names; a string[] means the header was sent more than once. */
  headers: Headers;
  clientIp: string;
  /**
   * With tracing on: the traceparent of the request's span; the ingest's spans (verification, produce)
   * are its children, and the record carries the produce span's traceparent.
   */
  parentSpan?: string;
}

export type IngestOutcome =
  | { kind: 'accepted'; id: string; topic: string }
  | { kind: 'quarantined'; id: string; reason: string }
  | { kind: 'handshake'; body: { challenge: string } };

export interface RecordWriter {
  send(record: OutboundRecord): Promise<void>;
}

export class VerificationError extends AppError {
  constructor(
    code: ErrorCode,
    readonly reason: VerifyFailure,
  ) {
    super(code);
  }
}

const FAILURE_CODES: Record<VerifyFailure, ErrorCode> = {
  missing_signature: 'SIGNATURE_MISSING',
  malformed_signature: 'SIGNATURE_INVALID',
  signature_mismatch: 'SIGNATURE_INVALID',
  missing_timestamp: 'TIMESTAMP_INVALID',
  malformed_timestamp: 'TIMESTAMP_INVALID',
  stale_timestamp: 'TIMESTAMP_STALE',
};

const JSON_TYPE = /^application\/(?:[a-z0-9.+-]*\+)?json\s*(?:;|$)/i;
// ignoreBOM keeps a leading BOM in the text, so JSON.parse refuses it (RFC 8259 §8.1 allows that): accepted,
// it would pass through to consumers, whose JSON.parse of the record value would then fail.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The ingress use case: authenticate a provider's request, turn it into a CloudEvents record and have
 * it acknowledged by Kafka. Throws AppError for requests that must be refused; an authentic request
 * that can't be mapped is quarantined, never dropped.
 */
export class WebhookIngest {
  constructor(
    private readonly providers: Map<string, Provider>,
    private readonly writer: RecordWriter,
    private readonly topicPrefix = '',
    private readonly now: () => number = Date.now,
    private readonly tracing: Tracing = NO_TRACING,
  ) {}

  knows(name: string): boolean {
    return this.providers.has(name);
  }

  provider(name: string): Provider {
    const p = this.providers.get(name);
    if (!p) throw new AppError('UNKNOWN_PROVIDER');
    return p;
  }

  checkAddress(p: Provider, ip: string): void {
    if (!p.allowFrom) return;
    const family = ip.includes(':') ? 'ipv6' : 'ipv4';
    const v4mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    const allowed = v4mapped ? p.allowFrom.check(v4mapped[1], 'ipv4') : p.allowFrom.check(ip, family);
    if (!allowed) throw new AppError('ADDRESS_NOT_ALLOWED');
  }

  async handle(cmd: IngestCommand): Promise<IngestOutcome> {
    const p = this.provider(cmd.provider);
    this.checkAddress(p, cmd.clientIp);
    const contentType = cmd.headers['content-type'];
    if (typeof contentType !== 'string' || !JSON_TYPE.test(contentType)) throw new AppError('UNSUPPORTED_MEDIA_TYPE');
    const receivedAt = this.now();
    const verifySpan = this.tracing.enabled ? this.tracing.start('webhook verify', { parent: cmd.parentSpan, attributes: { 'hookline.provider': p.name } }) : undefined;
    const verdict = p.verifier.verify({ rawBody: cmd.rawBody, headers: cmd.headers, nowMs: receivedAt });
    if (verifySpan) {
      verifySpan.setAttributes({ 'hookline.verification': verdict.ok ? 'ok' : verdict.reason });
      if (!verdict.ok) verifySpan.fail(new Error(`signature verification failed: ${verdict.reason}`));
      verifySpan.end();
    }
    if (!verdict.ok) throw new VerificationError(FAILURE_CODES[verdict.reason], verdict.reason);

    let text: string;
    let body: unknown;
    try {
      text = utf8.decode(cmd.rawBody);
      body = JSON.parse(text);
    } catch {
      throw new AppError('MALFORMED_JSON');
    }
    if (p.handshake === 'slack-url-verification' && isObject(body) && body.type === 'url_verification') {
      if (typeof body.challenge !== 'string' || body.challenge.length > 1000) throw new AppError('BAD_REQUEST');
      return { kind: 'handshake', body: { challenge: body.challenge } };
    }

    const deliveryId = extract(p.id, cmd.headers, body);
    const id = deliveryId ?? contentId(p.name, cmd.rawBody);
    const eventType = extract(p.type, cmd.headers, body);
    const receivedAtText = new Date(receivedAt).toISOString();
    const base = {
      id,
      source: `/webhooks/${p.name}`,
      time: receivedAtText,
      extensions: {
        receivedat: receivedAtText,
        ...(deliveryId ? { deliveryid: deliveryId } : {}),
        traceparent: childTraceparent(typeof cmd.headers.traceparent === 'string' ? cmd.headers.traceparent : undefined),
      },
    };
    const quarantine = async (reason: string): Promise<IngestOutcome> => {
      const quarantineType = `${p.name}.${eventType ?? 'unknown'}`;
      const data = { provider: p.name, reason, eventType: eventType ?? null, headers: keptHeaders(cmd.headers, p.signatureHeaders) };
      let message: OutboundRecord['message'];
      try {
        message = toKafkaMessage({ ...base, type: quarantineType, data: { ...data, body } }, id);
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        // JSON nested deeper than JSON.stringify can recurse (1 MiB holds ~500k levels; JSON.parse is not
        // recursive): keep the exact text instead, so the authentic request is still stored, not a 500.
        message = toKafkaMessage({ ...base, type: quarantineType, data: { ...data, body: null, bodyText: text } }, id);
      }
      await this.write(Topics.WebhooksQuarantine, message, cmd.parentSpan);
      return { kind: 'quarantined', id, reason };
    };

    if (!eventType) return quarantine('no event type found in the request');
    const mapping = matchEvent(p.events, eventType);
    if (!mapping) return quarantine(`no mapping for event type "${eventType}"`);
    const type = `${p.name}.${eventType}`;

    if (!mapping.normalize) {
      // Passed through unchanged: the exact bytes the provider signed.
      const event: CloudEvent = { ...base, type, data: null };
      const message = toKafkaMessage(event, id);
      message.value = cmd.rawBody;
      await this.write(mapping.topic, message, cmd.parentSpan);
      return { kind: 'accepted', id, topic: mapping.topic };
    }

    let normalized: Normalized;
    try {
      normalized = NORMALIZERS[mapping.normalize](body);
    } catch (e) {
      return quarantine(e instanceof NormalizeError ? `cannot normalize: ${e.message}` : 'cannot normalize the payload');
    }
    let data: unknown = normalized.data;
    const contract = contractFor(mapping.topic);
    if (contract) {
      const checked = validateHostile(contract, normalized.data);
      if (!checked.ok) return quarantine(`invalid ${contract.name}: ${checked.reason}`);
      data = checked.value;
    }
    // The subject and the causation come from the body and become ce_ headers: control characters stay
    // out. An unusable causation is dropped, not quarantined: it only links the trace, the event stands.
    const causationId = safeText(normalized.causationId);
    const extensions = causationId ? { ...base.extensions, causationid: causationId } : base.extensions;
    const event: CloudEvent = { ...base, extensions, type, subject: safeText(normalized.subject), data };
    await this.write(mapping.topic, toKafkaMessage(event, normalized.key), cmd.parentSpan);
    return { kind: 'accepted', id, topic: mapping.topic };
  }

  private write(topic: string, message: OutboundRecord['message'], parentSpan?: string): Promise<void> {
    const physical = physicalTopic(this.topicPrefix, topic);
    if (!this.tracing.enabled) return this.writer.send({ topic: physical, message });
    return this.tracedWrite(physical, message, parentSpan);
  }

  /** The produce as a PRODUCER span; the record carries that span's traceparent (ce_traceparent). */
  private async tracedWrite(topic: string, message: OutboundRecord['message'], parentSpan?: string): Promise<void> {
    const headers = message.headers ?? {};
    const span = this.tracing.start(`send ${topic}`, {
      parent: parentSpan,
      kind: 'producer',
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.destination.name': topic,
        'cloudevents.event_id': typeof headers.ce_id === 'string' ? headers.ce_id : undefined,
        'cloudevents.event_type': typeof headers.ce_type === 'string' ? headers.ce_type : undefined,
      },
    });
    message.headers = { ...headers, ce_traceparent: span.traceparent };
    try {
      await this.writer.send({ topic, message });
    } catch (e) {
      span.fail(e);
      throw e;
    } finally {
      span.end();
    }
  }
}

/**
 * validateAs over hostile data: class-transformer throws on some of it (nesting deeper than its recursion,
 * an object whose own "constructor" key is not a function). Such data is invalid, not a 500.
 */
function validateHostile(contract: ClassConstructor<object>, data: unknown): Validated<object> {
  try {
    return validateAs(contract, data);
  } catch (e) {
    return { ok: false, reason: `cannot be validated (${e instanceof Error ? e.name : 'error'})` };
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
