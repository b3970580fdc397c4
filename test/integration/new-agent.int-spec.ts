import * as path from 'node:path';
import { Topics } from '@app/contracts';
import { planAgent, writePlan } from '../../tools/hookline/new-agent';
import { removeScratch, scratchRepo } from '../support/scratch-repo';

/**
 * `hookline new agent` into a scratch copy of the repository layout, and the broker test it generated run
 * here against the real broker. Three inputs (a topic the ingress writes, an agent follow-up, a provider's
 * pass-through topic) keep it short; an agent for every registry topic is type-checked, linted and unit
 * tested in test/unit/hookline-cli/new-agent.spec.ts.
 */
describe('a generated agent, its own broker test', () => {
  const NAME = 'gen-check-agent';
  const scratch = scratchRepo();
  writePlan(scratch, planAgent(scratch, { name: NAME, topics: [Topics.LeadsCreated, Topics.OrdersStatusChanged, Topics.WebhooksGithub], dryRun: false }));
  afterAll(() => removeScratch(scratch));

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(path.join(scratch, 'test', 'integration', `${NAME}.int-spec.ts`));
});
