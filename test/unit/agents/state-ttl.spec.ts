import type { Kafka } from 'kafkajs';
import { ChunkOverlay, StateStore } from '@app/agent';
import { Task } from '../../../libs/agent/src/task';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

describe('keyed state expiry (STATE_TTL_DAYS)', () => {
  it.each([
    // writes as [key, minute written]; now in minutes; ttl in minutes; expected expired keys, oldest first
    { name: 'nothing old enough', writes: [['a', 0], ['b', 5]], now: 9, ttl: 10, expected: [] },
    { name: 'the old ones, oldest first', writes: [['a', 0], ['b', 5], ['c', 20]], now: 21, ttl: 10, expected: ['a', 'b'] },
    { name: 'a rewrite makes a key young again', writes: [['a', 0], ['b', 5], ['a', 18]], now: 21, ttl: 10, expected: ['b'] },
    { name: 'a deleted key is gone, not expired', writes: [['a', 0], ['a', -1]], now: 100, ttl: 10, expected: [] },
    { name: 'exactly ttl old is kept', writes: [['a', 10]], now: 20, ttl: 10, expected: [] },
  ] as { name: string; writes: [string, number][]; now: number; ttl: number; expected: string[] }[])('$name', ({ writes, now, ttl, expected }) => {
    const store = new StateStore();
    for (const [k, minute] of writes) store.set(k, minute < 0 ? null : { v: minute }, Math.max(0, minute) * MIN);
    expect(store.expired(now * MIN, ttl * MIN, 100)).toEqual(expected);
  });

  it('returns at most the limit, oldest first', () => {
    const store = new StateStore();
    for (let i = 0; i < 50; i++) store.set(`k${i}`, i, i * MIN);
    expect(store.expired(1000 * MIN, MIN, 3)).toEqual(['k0', 'k1', 'k2']);
  });

  const task = (ttlMs: number) => new Task(0, {} as Kafka, 'tx', { processed: 'p', state: 's', group: 'g' }, 72 * 3_600_000, ttlMs);

  it('puts tombstones for expired keys into the chunk, and the commit forgets them', () => {
    const t = task(30 * DAY);
    t.state.set('old', { owner: 'x' }, 0);
    t.state.set('fresh', { owner: 'y' }, 40 * DAY);
    const overlay = new ChunkOverlay(t.dedup, t.state);
    expect(t.expireState(overlay, 45 * DAY)).toBe(1);
    expect([...overlay.state]).toEqual([['old', null]]);
    expect(t.changelogRecords(overlay, 45 * DAY).map((r) => [r.message.key, r.message.value])).toEqual([['s:old', null]]);
    overlay.commit(45 * DAY);
    expect(t.state.get('old')).toBeUndefined();
    expect(t.state.get('fresh')).toEqual({ owner: 'y' });
  });

  it('lets a handler of the same chunk write an expiring key again', () => {
    const t = task(DAY);
    t.state.set('k', 1, 0);
    const overlay = new ChunkOverlay(t.dedup, t.state);
    t.expireState(overlay, 2 * DAY);
    expect(overlay.get('k')).toBeNull();
    overlay.state.set('k', 2); // what the handler's put does
    overlay.commit(2 * DAY);
    expect(t.state.get('k')).toBe(2);
    expect(t.state.expired(2 * DAY + MIN, DAY, 10)).toEqual([]);
  });

  it('checks at most once a minute, and never without a TTL', () => {
    const t = task(DAY);
    t.state.set('a', 1, 0);
    expect(t.expireState(new ChunkOverlay(t.dedup, t.state), 2 * DAY)).toBe(1);
    // The first check's chunk did not commit; the next check comes a minute later.
    expect(t.expireState(new ChunkOverlay(t.dedup, t.state), 2 * DAY + 1000)).toBe(0);
    expect(t.expireState(new ChunkOverlay(t.dedup, t.state), 2 * DAY + MIN)).toBe(1);
    const forever = task(0);
    forever.state.set('a', 1, 0);
    expect(forever.expireState(new ChunkOverlay(forever.dedup, forever.state), 1000 * DAY)).toBe(0);
  });
});
