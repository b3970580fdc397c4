import { isBrokerUnavailable } from '@app/agent';

const err = (name: string, message: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), { name, ...extra });

describe('isBrokerUnavailable: an outage the agent rides out, or a state it cannot leave', () => {
  it.each([
    ['connection refused, after kafkajs gave up', err('KafkaJSNonRetriableError', 'Connection error: connect ECONNREFUSED 127.0.0.1:9092'), true],
    ['retries exceeded around a connection error', err('KafkaJSNumberOfRetriesExceeded', 'x', { cause: err('KafkaJSConnectionError', 'Connection error: read ECONNRESET') }), true],
    ['a closed socket', err('KafkaJSConnectionError', 'Connection error: write after end'), true],
    ['the group coordinator still loading', err('KafkaJSProtocolError', "The coordinator is loading and hence can't process requests", { type: 'COORDINATOR_LOAD_IN_PROGRESS' }), true],
    ['no group coordinator', err('KafkaJSGroupCoordinatorNotFound', 'Failed to find group coordinator'), true],
    ['a codec kafkajs cannot read', err('KafkaJSNotImplemented', 'Snappy compression not implemented'), false],
    ['an authorization failure', err('KafkaJSProtocolError', 'Not authorized to access group', { type: 'GROUP_AUTHORIZATION_FAILED' }), false],
    ['anything else', new Error('boom'), false],
  ])('%s', (_what, e, expected) => {
    expect(isBrokerUnavailable(e)).toBe(expected);
  });
});
