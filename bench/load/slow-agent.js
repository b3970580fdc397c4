'use strict';
/**
 * A bench agent whose handler waits SLOW_HANDLER_MS (default 100) before publishing one follow-up: a
 * stand-in for an enrichment API, a language model or a carrier. Runs on the run's snapshot of dist/
 * (BENCH_DIST), with the runtime's default settings unless the environment says otherwise.
 */
const path = require('node:path');
const dist = process.env.BENCH_DIST;
if (!dist) throw new Error('BENCH_DIST is required');
const { runAgent } = require(path.join(dist, 'libs', 'agent', 'src'));
const { Topics } = require(path.join(dist, 'libs', 'contracts', 'src'));
const { Controller, Module } = require('@nestjs/common');
const { Ctx, EventPattern, Payload } = require('@nestjs/microservices');

const WAIT_MS = Number(process.env.SLOW_HANDLER_MS ?? 100);

class SlowController {
  async onLead(lead, ctx) {
    await new Promise((r) => setTimeout(r, WAIT_MS));
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
