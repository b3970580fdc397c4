import { plainToInstance } from 'class-transformer';
import { Lead } from '@app/contracts';
import { assignRep, type Rep } from '../../../apps/lead-agent/src/qualification/assignment';
import { OfflineEnricher } from '../../../apps/lead-agent/src/qualification/enrichment';
import { scoreLead } from '../../../apps/lead-agent/src/qualification/scoring';

const lead = (fields: Partial<Lead>) => plainToInstance(Lead, { crmId: 'c1', email: 'x@acme.io', ...fields });

describe('lead scoring', () => {
  const enricher = new OfflineEnricher();

  it.each([
    ['a senior lead at a large company', { email: 'cto@acme.io', company: 'Acme', companySize: 1500, title: 'CTO' }, true],
    ['a free-mail lead with nothing else', { email: 'someone@gmail.com' }, false],
    ['a role address at a small company', { email: 'info@tiny.io', company: 'Tiny', companySize: 3 }, false],
    ['a disposable address, whatever else', { email: 'ceo@mailinator.com', company: 'Big', companySize: 5000, title: 'CEO' }, false],
  ])('%s → qualified=%s', async (_what, fields, qualified) => {
    const l = lead(fields);
    const s = scoreLead(l, await enricher.enrich(l.email), false, 60);
    expect(s.qualified).toBe(qualified);
    expect(s.score).toBeGreaterThanOrEqual(0);
    expect(s.score).toBeLessThanOrEqual(100);
    expect(s.reasons.length).toBeGreaterThan(0);
  });

  it('gives a returning lead ten more points and says why', async () => {
    const l = lead({ company: 'Acme' });
    const e = await enricher.enrich(l.email);
    const first = scoreLead(l, e, false, 60);
    const again = scoreLead(l, e, true, 60);
    expect(again.score - first.score).toBe(10);
    expect(again.reasons).toContain('returning lead (+10)');
  });
});

describe('rep assignment', () => {
  const roster: Rep[] = [
    { name: 'A', email: 'a@x', territories: ['DE'] },
    { name: 'B', email: 'b@x', territories: ['DE', 'AT'] },
    { name: 'C', email: 'c@x', territories: ['US'] },
  ];
  it('keeps a lead in its territory, round-robin among that territory’s reps', () => {
    expect([0, 1, 2].map((n) => assignRep(roster, 'DE', n).name)).toEqual(['A', 'B', 'A']);
    expect(assignRep(roster, 'US', 7).name).toBe('C');
  });
  it('falls back to round-robin over everyone for an unknown country', () => {
    expect([0, 1, 2, 3].map((n) => assignRep(roster, 'JP', n).name)).toEqual(['A', 'B', 'C', 'A']);
    expect(assignRep(roster, undefined, 1).name).toBe('B');
  });
});
