import { CE_SPECVERSION, JSON_CONTENT_TYPE } from '@app/common';
import { contractFor, contractSchema, ENTITY_PARTITIONS, exampleData, Topics, topicSpecs, type JsonSchema, type TopicSpec } from '@app/contracts';

/**
 * The AsyncAPI 3.0 document of the topics in the registry (libs/contracts): one channel per topic with its
 * Kafka settings, one message per topic with the CloudEvents binary-mode headers, the record key and the
 * payload schema derived from the topic's contract class (or the provider's JSON, passed through).
 * Everything is read from the registries at generation time: nothing here lists a topic or a field.
 */

const KAFKA_BINDING = '0.5.0';

/** The channel id of a topic: its key in `Topics`, camel-cased (leads.created → leadsCreated). */
export function channelId(topic: string): string {
  const key = Object.entries(Topics).find(([, name]) => name === topic)?.[0];
  if (key === undefined) throw new Error(`topic ${topic} has no key in Topics`);
  return key[0].toLowerCase() + key.slice(1);
}

/** The CloudEvents 1.0 Kafka binding, binary mode: attributes as ce_ headers (see libs/common/src/envelope). */
export function cloudEventHeaders(): JsonSchema {
  const text = (description: string, extra: JsonSchema = {}): JsonSchema => ({ type: 'string', description, ...extra });
  return {
    type: 'object',
    description: 'CloudEvents 1.0, Kafka protocol binding, binary content mode: each attribute is a ce_-prefixed header; the record value is the data.',
    properties: {
      ce_specversion: text('CloudEvents version', { const: CE_SPECVERSION }),
      ce_id: text('Event id: the provider delivery id for webhooks, a value derived from the cause and a purpose for agent follow-ups; duplicates share it'),
      ce_source: text('Where the event comes from: /webhooks/<provider> or /agents/<agent>'),
      ce_type: text('Event type (crm.lead.created, lead.qualified, ...)'),
      ce_time: text('When the event happened', { format: 'date-time' }),
      ce_subject: text('The entity the event is about, when it has one (an email, an order id)'),
      'content-type': text('Content type of the record value', { const: JSON_CONTENT_TYPE }),
      ce_receivedat: text('On webhook records: when the ingress received the request', { format: 'date-time' }),
      ce_deliveryid: text("On webhook records: the provider's delivery id, when it sends one"),
      ce_traceparent: text("W3C traceparent continuing the caller's trace"),
      ce_causationid: text('On agent follow-ups: the id of the event that caused it'),
    },
    required: ['ce_specversion', 'ce_id', 'ce_source', 'ce_type', 'ce_time', 'content-type'],
  };
}

function exampleHeaders(spec: TopicSpec): Record<string, string> {
  return {
    ce_specversion: CE_SPECVERSION,
    ce_id: 'evt-0001',
    ce_source: '/webhooks/example',
    ce_type: `${spec.name}.example`,
    ce_time: '2026-03-02T09:15:00.000Z',
    'content-type': JSON_CONTENT_TYPE,
  };
}

function channel(spec: TopicSpec): JsonSchema {
  const id = channelId(spec.name);
  return {
    address: spec.name,
    title: spec.name,
    description: `${spec.description}. The topic's name on the cluster is KAFKA_TOPIC_PREFIX + ${spec.name}.`,
    messages: { [id]: { $ref: `#/components/messages/${id}` } },
    bindings: {
      kafka: {
        topic: spec.name,
        partitions: spec.partitions,
        topicConfiguration: {
          'cleanup.policy': [spec.cleanupPolicy],
          ...(spec.retentionMs !== undefined ? { 'retention.ms': spec.retentionMs } : {}),
        },
        bindingVersion: KAFKA_BINDING,
      },
    },
  };
}

function message(spec: TopicSpec): JsonSchema {
  const contract = contractFor(spec.name);
  return {
    name: channelId(spec.name),
    title: `A record on ${spec.name}`,
    summary: spec.description,
    contentType: JSON_CONTENT_TYPE,
    headers: { $ref: '#/components/schemas/CloudEventHeaders' },
    payload: contract
      ? { $ref: `#/components/schemas/${contract.name}` }
      : { type: 'object', description: "The provider's JSON body, unchanged (no contract: agents get it as unknown)." },
    bindings: {
      kafka: {
        key: { type: 'string', description: `The record key (${spec.description}); records of one key keep their order` },
        bindingVersion: KAFKA_BINDING,
      },
    },
    examples: [{ name: 'example', summary: contract ? `Valid ${contract.name} data` : 'Any JSON object', headers: exampleHeaders(spec), payload: exampleData(spec.name) }],
  };
}

export function asyncApiDocument(version: string): JsonSchema {
  const specs = topicSpecs();
  const schemas: Record<string, JsonSchema> = { CloudEventHeaders: cloudEventHeaders() };
  for (const spec of specs) {
    const contract = contractFor(spec.name);
    if (contract) schemas[contract.name] = contractSchema(contract);
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'hookline events',
      version,
      description: [
        'The Kafka topics of hookline and the events on them, generated from the topic registry and the event contracts in libs/contracts (npm run docs:api).',
        'Every record is a CloudEvent in binary mode: the attributes are ce_ headers, the value is the data as JSON, validated against the topic\'s contract class at each boundary (ingress output, agent input, agent follow-ups).',
        `Entity topics have ${ENTITY_PARTITIONS} partitions so that one entity lands on the same partition number everywhere. Each agent also owns <agent>.dlq, <agent>.retry, <agent>.processed and <agent>.state.`,
        'Readers should read with isolation level read_committed: agents write in transactions.',
      ].join('\n\n'),
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
    },
    defaultContentType: JSON_CONTENT_TYPE,
    servers: {
      local: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'The development broker (npm run kafka:start, npm run stack); elsewhere KAFKA_BROKERS' },
    },
    channels: Object.fromEntries(specs.map((s) => [channelId(s.name), channel(s)])),
    operations: Object.fromEntries(
      specs.map((s) => {
        const id = channelId(s.name);
        return [
          `receive${id[0].toUpperCase()}${id.slice(1)}`,
          {
            action: 'receive',
            channel: { $ref: `#/channels/${id}` },
            summary: `An agent reads ${s.name} (@EventPattern(Topics.${id[0].toUpperCase()}${id.slice(1)}))`,
            messages: [{ $ref: `#/channels/${id}/messages/${id}` }],
          },
        ];
      }),
    ),
    components: {
      schemas,
      messages: Object.fromEntries(specs.map((s) => [channelId(s.name), message(s)])),
    },
  };
}
