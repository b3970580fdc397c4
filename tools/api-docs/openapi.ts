import { ERRORS, RETRY_AFTER_SECONDS, type ErrorCode } from '@app/common';
import type { JsonSchema } from '@app/contracts';
import { schemeTraits, signRequest, type ProviderDefinition, type Source } from '@app/webhooks';

/**
 * The OpenAPI 3.1 document of the ingress: one POST route per provider of the providers file with the
 * headers its signature scheme sends, the health and metrics routes, and every code of the error
 * catalogue (libs/common) with its status and message. Read from the registries at generation time.
 */

/** Secrets used only to compute example signatures in the document. */
const EXAMPLE_SECRET = 'example-secret';
const EXAMPLE_STANDARD_WEBHOOKS_SECRET = 'whsec_ZXhhbXBsZS1zZWNyZXQtZXhhbXBsZS1zZWNyZXQ=';
const EXAMPLE_TIME_MS = Date.UTC(2026, 2, 2, 9, 15);
const EXAMPLE_BODY = '{"id":"evt-0001","type":"example"}';

const errorRef = { $ref: '#/components/schemas/Error' };

/** Catalogue codes grouped by HTTP status, in catalogue order. */
export function codesByStatus(): Map<number, ErrorCode[]> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const [code, e] of Object.entries(ERRORS) as Array<[ErrorCode, (typeof ERRORS)[ErrorCode]]>) byStatus.set(e.status, [...(byStatus.get(e.status) ?? []), code]);
  return new Map([...byStatus].sort(([a], [b]) => a - b));
}

function errorResponse(status: number, codes: ErrorCode[]): JsonSchema {
  return {
    description: codes.map((c) => `${c}: ${ERRORS[c].message}`).join(' '),
    ...(status === 503 ? { headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', const: RETRY_AFTER_SECONDS } } } } : {}),
    content: {
      'application/json': {
        schema: errorRef,
        examples: Object.fromEntries(
          codes.map((c) => [c, { summary: `${c}${ERRORS[c].retryable ? ' (retrying can help)' : ''}`, value: { error: { code: c, message: ERRORS[c].message } } }]),
        ),
      },
    },
  };
}

function describeSource(source: Source | undefined): string {
  if (!source) return 'not taken from the request';
  return 'header' in source ? `header ${source.header.join(' or ')}` : `body field ${source.body.join(' or ')}`;
}

/** The headers a provider's requests carry: what its scheme signs with, then the id and type headers. */
function headerParameters(def: ProviderDefinition): JsonSchema[] {
  const secret = def.scheme.type === 'standard-webhooks' ? EXAMPLE_STANDARD_WEBHOOKS_SECRET : EXAMPLE_SECRET;
  const signed = signRequest(def.scheme, secret, Buffer.from(EXAMPLE_BODY), EXAMPLE_TIME_MS, { id: 'msg_0001' });
  const signatureHeader = schemeTraits(def.scheme)?.signatureHeader;
  const params: JsonSchema[] = Object.entries(signed).map(([name, example]) => ({
    name,
    in: 'header',
    required: true,
    description: name === signatureHeader ? `The ${def.scheme.type} signature over the exact raw body (missing: SIGNATURE_MISSING; wrong: SIGNATURE_INVALID)` : `Signed with the body (${def.scheme.type} scheme)`,
    schema: { type: 'string' },
    example,
  }));
  const seen = new Set(Object.keys(signed));
  for (const [what, source] of [
    ['delivery id', def.id],
    ['event type', def.type],
  ] as const) {
    if (!source || !('header' in source)) continue;
    for (const name of source.header) {
      if (seen.has(name)) continue;
      seen.add(name);
      params.push({ name, in: 'header', required: false, description: `The ${what} (${describeSource(source)})`, schema: { type: 'string' } });
    }
  }
  params.push({ name: 'traceparent', in: 'header', required: false, description: 'W3C trace context; the record continues this trace', schema: { type: 'string' } });
  return params;
}

function webhookRoute(def: ProviderDefinition): JsonSchema {
  const mappings = def.events.map((e) => `${e.pattern} → ${e.topic}${e.normalize ? ` (normalized by ${e.normalize})` : ''}`).join('; ');
  const responses: Record<string, JsonSchema> = {
    202: {
      description: 'Stored: the record was acknowledged by Kafka (acks=all). An authentic event without a mapping is stored on webhooks.quarantine.',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Accepted' } } },
    },
  };
  if (def.handshake === 'slack-url-verification') {
    responses[200] = {
      description: 'Slack URL verification: the challenge, echoed',
      content: { 'application/json': { schema: { type: 'object', properties: { challenge: { type: 'string' } }, required: ['challenge'] } } },
    };
  }
  for (const status of codesByStatus().keys()) responses[status] = { $ref: `#/components/responses/Error${status}` };
  return {
    post: {
      operationId: `receive${def.name.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase())}Webhook`,
      summary: `A webhook from ${def.name}`,
      description: [
        `Verified with the ${def.scheme.type} scheme${def.unauthenticated ? ' (unauthenticated)' : ''} before the body is parsed. Delivery id: ${describeSource(def.id)}; event type: ${describeSource(def.type)}.`,
        `Events: ${mappings}.`,
      ].join(' '),
      tags: ['webhooks'],
      parameters: headerParameters(def),
      requestBody: {
        required: true,
        description: "The provider's JSON, as sent (at most BODY_LIMIT_BYTES, default 1 MiB)",
        content: { 'application/json': { schema: { type: 'object' }, example: JSON.parse(EXAMPLE_BODY) as unknown } },
      },
      responses,
    },
  };
}

export function openApiDocument(version: string, providers: Map<string, ProviderDefinition>): JsonSchema {
  const codes = Object.keys(ERRORS) as ErrorCode[];
  const health = (description: string, schema: JsonSchema) => ({ description, content: { 'application/json': { schema } } });
  return {
    openapi: '3.1.0',
    info: {
      title: 'hookline ingress',
      version,
      description: [
        'Webhooks in, Kafka out: POST /webhooks/<provider> for each provider of config/providers.yaml (PROVIDERS_FILE), generated with the error catalogue of libs/common (npm run docs:api).',
        'Errors are {"error": {"code", "message"}} with a stable code and no internal text. A provider outside the file answers 404 UNKNOWN_PROVIDER.',
      ].join('\n\n'),
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: 'http://127.0.0.1:3000', description: 'npm run stack (PORT)' }],
    tags: [
      { name: 'webhooks', description: 'One route per provider' },
      { name: 'operations', description: 'Health and metrics' },
    ],
    paths: {
      ...Object.fromEntries([...providers.values()].map((def) => [`/webhooks/${def.name}`, webhookRoute(def)])),
      '/health/live': {
        get: { operationId: 'live', tags: ['operations'], summary: 'The process is up', responses: { 200: health('Up', { type: 'object', properties: { status: { const: 'ok' } }, required: ['status'] }) } },
      },
      '/health/ready': {
        get: {
          operationId: 'ready',
          tags: ['operations'],
          summary: 'Ready while the Kafka producer is connected',
          responses: {
            200: health('Ready', { $ref: '#/components/schemas/Readiness' }),
            503: health('Not ready: Kafka is not connected', { $ref: '#/components/schemas/Readiness' }),
          },
        },
      },
      '/metrics': {
        get: {
          operationId: 'metrics',
          tags: ['operations'],
          summary: 'Prometheus metrics (hookline_ingress_*, process metrics)',
          responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } },
        },
      },
    },
    components: {
      schemas: {
        Accepted: {
          type: 'object',
          properties: { id: { type: 'string', description: 'The CloudEvent id (ce_id) of the record' }, status: { enum: ['accepted', 'quarantined'] } },
          required: ['id', 'status'],
        },
        Readiness: {
          type: 'object',
          properties: { status: { enum: ['ready', 'not_ready'] }, kafka: { enum: ['connected', 'disconnected'] } },
          required: ['status', 'kafka'],
        },
        ErrorCode: {
          description: 'The error catalogue (libs/common/src/errors/catalogue.ts): codes are stable, new ones are added, none is renamed.',
          oneOf: codes.map((c) => ({ const: c, description: `HTTP ${ERRORS[c].status}${ERRORS[c].retryable ? ', retryable' : ''}: ${ERRORS[c].message}` })),
        },
        Error: {
          type: 'object',
          properties: {
            error: {
              type: 'object',
              properties: { code: { $ref: '#/components/schemas/ErrorCode' }, message: { type: 'string' } },
              required: ['code', 'message'],
            },
          },
          required: ['error'],
        },
      },
      responses: Object.fromEntries([...codesByStatus()].map(([status, list]) => [`Error${status}`, errorResponse(status, list)])),
    },
  };
}
