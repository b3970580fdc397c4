'use strict';
/**
 * An open-loop sender: requests leave at a fixed rate, spread evenly (checked every millisecond), whether
 * or not earlier ones were answered, over a keep-alive pool of up to `connections` sockets. Latency is
 * measured from the moment a request is handed to the socket pool to its response headers, so waiting for
 * a free socket (the server being slow) counts; the sender's own lateness against the schedule is reported
 * separately, as a check that the generator kept up.
 */
const http = require('node:http');
const { performance } = require('node:perf_hooks');
const { Histogram } = require('./histogram');

async function runPaced({ port, path = '/webhooks/crm', rate, durationSec, connections, factory, seqStart = 0, maxOutstanding, onAccepted, drainMs = 15_000 }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const total = Math.round(rate * durationSec);
  const limit = maxOutstanding ?? Math.max(1000, rate * 5);
  const latency = new Histogram(); // 202s only, from dispatch
  const lateness = new Histogram(); // dispatch - schedule
  const status = {};
  let errors = 0;
  let dropped = 0;
  let outstanding = 0;
  let sent = 0;
  let accepted = 0;
  let lastAcceptedAt = 0;
  const t0 = performance.now();

  const fire = (seq, intended) => {
    const { id, body, headers } = factory.request(seq);
    const dispatched = performance.now();
    lateness.recordMs(dispatched - intended);
    outstanding++;
    let finished = false;
    const finish = () => {
      if (finished) return false;
      finished = true;
      outstanding--;
      return true;
    };
    const req = http.request({ agent, host: '127.0.0.1', port, method: 'POST', path, headers: { ...headers, 'content-length': body.length } }, (res) => {
      const t = performance.now();
      res.resume();
      if (!finish()) return;
      status[res.statusCode] = (status[res.statusCode] || 0) + 1;
      if (res.statusCode === 202) {
        accepted++;
        lastAcceptedAt = t;
        latency.recordMs(t - dispatched);
        if (onAccepted) onAccepted(id, t);
      }
    });
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      if (finish()) errors++;
    });
    req.end(body);
  };

  await new Promise((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - t0) * rate) / 1000) + 1);
      while (sent < due) {
        const intended = t0 + (sent * 1000) / rate;
        if (outstanding >= limit) dropped++;
        else fire(seqStart + sent, intended);
        sent++;
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  const sendEnd = performance.now();
  const drainDeadline = sendEnd + drainMs;
  while (outstanding > 0 && performance.now() < drainDeadline) await new Promise((r) => setTimeout(r, 5));
  agent.destroy();
  const windowSec = Math.max(lastAcceptedAt, sendEnd) - t0;
  return {
    targetPerSec: rate,
    durationSec,
    scheduled: total,
    accepted,
    status,
    errors,
    droppedByGenerator: dropped,
    unanswered: outstanding,
    achievedAcceptedPerSec: Math.round((accepted / windowSec) * 1000 * 10) / 10,
    latencyMs: latency.summaryMs(),
    generatorLatenessMs: lateness.summaryMs(),
    histogram: latency.toJSON(),
  };
}

module.exports = { runPaced };
