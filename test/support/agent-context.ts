import { effectKey, followUpId, JsonLogger, type AgentContext, type PublishOptions } from '@app/agent';

export interface Published {
  topic: string;
  type: string;
  data: object;
  options?: PublishOptions;
  id: string;
}

export interface FakeAgentContext extends AgentContext {
  /** What the handler published, in order. */
  readonly published: Published[];
  /** The effects the handler ran: name → idempotency key it was given. */
  readonly effects: Map<string, string>;
}

export interface FakeContextOptions {
  topic: string;
  key: string;
  /** Keyed state shared between contexts (one handler call per context), key → value. */
  state?: Map<string, unknown>;
  eventId?: string;
  attempt?: number;
}

let counter = 0;

/**
 * An AgentContext for unit tests of an agent's handlers: keyed state in a Map, follow-ups recorded with the
 * ids the runtime would give them, effects run at once with the runtime's idempotency key, a logger that only prints errors. No Kafka, no transaction.
 */
export function fakeAgentContext({ topic, key, state = new Map(), eventId = `evt-${++counter}`, attempt = 1 }: FakeContextOptions): FakeAgentContext {
  const published: Published[] = [];
  const effects = new Map<string, string>();
  return {
    event: { id: eventId, source: '/test', type: `${topic}.test`, time: new Date().toISOString(), data: undefined, extensions: {} },
    key,
    topic,
    partition: 0,
    offset: String(counter),
    attempt,
    state: {
      get: <T>(k = key) => state.get(k) as T | undefined,
      put: <T>(value: T, k = key) => void state.set(k, value),
      delete: (k = key) => void state.delete(k),
    },
    logger: new JsonLogger('test-agent', 'error'),
    publish(toTopic, type, data, options) {
      const id = followUpId(eventId, options?.purpose ?? type);
      published.push({ topic: toTopic, type, data, options, id });
      return id;
    },
    async effect<T>(name: string, fn: (idempotencyKey: string) => Promise<T>): Promise<T> {
      const idempotencyKey = effectKey(eventId, name);
      effects.set(name, idempotencyKey);
      return fn(idempotencyKey);
    },
    published,
    effects,
  };
}
