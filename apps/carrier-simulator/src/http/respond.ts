import type { FastifyReply } from 'fastify';
import type { Outcome } from '../carrier.service';

/** Sets the outcome's status (and Idempotent-Replayed on a replay) and returns the body to send. */
export function respond(reply: FastifyReply, outcome: Outcome): unknown {
  void reply.status(outcome.status);
  if (outcome.replayed) void reply.header('idempotent-replayed', 'true');
  return outcome.body;
}
