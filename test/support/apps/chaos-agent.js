'use strict';
/**
 * A test agent run as its own process by the chaos test: it reads leads, fails some attempts on purpose,
 * logs every attempt it starts, and publishes one follow-up per lead that names the lead's predecessor of
 * the same key (from keyed state), so the test can check per-key order, exactly-once and attempt counts.
 *
 *   CHAOS_FAIL_PERCENT  share of event ids whose attempts 1 and 2 fail (default 5)
 *   CHAOS_ATTEMPT_LOG   file every attempt is appended to as "<id> <attempt>"
 */
const { appendFileSync } = require('node:fs');
const { createHash } = require('node:crypto');
const path = require('node:path');

const dist = path.resolve(__dirname, '..', '..', '..', 'dist', 'libs');
const { runAgent } = require(path.join(dist, 'agent', 'src'));
const { Topics } = require(path.join(dist, 'contracts', 'src'));
const { Controller, Module } = require('@nestjs/common');
const { Ctx, EventPattern, Payload } = require('@nestjs/microservices');

const FAIL_PERCENT = Number(process.env.CHAOS_FAIL_PERCENT ?? 5);
const LOG = process.env.CHAOS_ATTEMPT_LOG;

/** Whether attempts 1 and 2 of this event fail: a fixed property of the id, the same in every process. */
function failing(id) {
  return createHash('sha256').update(id).digest().readUInt16BE(0) % 100 < FAIL_PERCENT;
}

class ChaosController {
  async onLead(lead, ctx) {
    if (LOG) appendFileSync(LOG, `${ctx.event.id} ${ctx.attempt} ${process.pid}\n`);
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 3)));
    if (failing(ctx.event.id) && ctx.attempt < 3) throw new Error(`transient failure of attempt ${ctx.attempt}`);
    const previous = ctx.state.get() ?? '';
    ctx.state.put(ctx.event.id);
    ctx.publish(Topics.LeadsDisqualified, 'lead.disqualified', { email: lead.email, crmId: ctx.event.id, score: ctx.attempt, reasons: [`prev:${previous}`] });
  }
}

const onLead = Object.getOwnPropertyDescriptor(ChaosController.prototype, 'onLead');
Reflect.decorate([EventPattern(Topics.LeadsCreated)], ChaosController.prototype, 'onLead', onLead);
Payload()(ChaosController.prototype, 'onLead', 0);
Ctx()(ChaosController.prototype, 'onLead', 1);
Controller()(ChaosController);

class ChaosModule {}
Module({ controllers: [ChaosController] })(ChaosModule);

runAgent('chaos-agent', ChaosModule, 0);
