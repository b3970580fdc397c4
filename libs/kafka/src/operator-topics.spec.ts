import { agentsWithDeadLetters, eventTopics, logicalName } from './operator-topics';

const CLUSTER = [
  '__consumer_offsets',
  'p.leads.created',
  'p.orders.placed',
  'p.webhooks.github',
  'p.lead-agent.dlq',
  'p.lead-agent.retry',
  'p.lead-agent.processed',
  'p.fulfillment-agent.dlq',
  'p.not-ours',
  'other.leads.created',
];

describe('operator topics', () => {
  it.each([
    ['p.', 'p.leads.created', 'leads.created'],
    ['p.', 'other.leads.created', undefined],
    ['', 'leads.created', 'leads.created'],
  ])('under prefix %j, %s is %j', (prefix, physical, logical) => {
    expect(logicalName(prefix, physical)).toBe(logical);
  });

  it('finds the agents with a dead-letter topic under the prefix only', () => {
    expect(agentsWithDeadLetters('p.', CLUSTER)).toEqual(['fulfillment-agent', 'lead-agent']);
    expect(agentsWithDeadLetters('other.', CLUSTER)).toEqual([]);
  });

  it.each([
    [true, ['fulfillment-agent.dlq', 'lead-agent.dlq', 'leads.created', 'orders.placed', 'webhooks.github']],
    [false, ['leads.created', 'orders.placed', 'webhooks.github']],
  ])('event topics (dead letters: %s) leave out agent internals and unknown topics', (deadLetters, expected) => {
    expect(eventTopics('p.', CLUSTER, { deadLetters })).toEqual(expected);
  });
});
