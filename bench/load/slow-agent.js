'use strict';
/**
 * A bench agent whose handler waits SLOW_HANDLER_MS (default 100) before publishing one follow-up: a
 * stand-in for an enrichment API, a language model or a carrier. With POISON_PERCENT, that share of the
 * events fails every attempt (scenario poison). Runs on the run's snapshot of dist/
 * (BENCH_DIST), with the runtime's default settings unless the environment says otherwise.
 */
const path = require('node:path');
const dist = process.env.BENCH_DIST;
if (!dist) throw new Error('BENCH_DIST is required');
const { runAgent } = require(path.join(dist, 'libs', 'agent', 'src'));
const { Topics } = require(path.join(dist, 'libs', 'contracts', 'src'));
const { Controller, Module } = require('@nestjs/common');
const { Ctx, EventPattern, Payload } = require('@nestjs/microservices');

const { createHash } = require('node:crypto');

const WAIT_MS = Number(process.env.SLOW_HANDLER_MS ?? 100);
/** Share of event ids (0-100) whose every attempt fails: poison records, retried, then dead-lettered. */
const POISON_PERCENT = Number(process.env.POISON_PERCENT ?? 0);
const poisoned = (id) => POISON_PERCENT > 0 && createHash('sha256').update(id).digest().readUInt16BE(0) % 100 < POISON_PERCENT;

class SlowController {
  async onLead(lead, ctx) {
    if (WAIT_MS > 0) await new Promise((r) => setTimeout(r, WAIT_MS));
    if (poisoned(ctx.event.id)) throw new Error('poison: this record fails every attempt');
    ctx.publish(Topics.LeadsDisqualified, 'lead.disqualified', { email: lead.email, crmId: lead.crmId, score: 0, reasons: ['slow'] });
  }
}
const onLead = Object.getOwnPropertyDescriptor(SlowController.prototype, 'onLead');
Reflect.decorate([EventPattern(Topics.LeadsCreated)], SlowController.prototype, 'onLead', onLead);
Payload()(SlowController.prototype, 'onLead', 0);
Ctx()(SlowController.prototype, 'onLead', 1);
Controller()(SlowController);
class SlowModule {}
Module({ controllers: [SlowController] })(SlowModule);

runAgent(process.env.BENCH_AGENT_NAME || 'slow-agent', SlowModule, 0);
