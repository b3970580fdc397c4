'use strict';
/**
 * Child process: one autocannon run (closed loop at `connections`, or autocannon's `overallRate`) of
 * signed 1 KiB webhooks, each with a distinct event id. Latency comes from autocannon's per-response
 * timings (µs resolution, recorded into our histogram) rather than its own histogram, which rounds to
 * whole milliseconds and, under overallRate, adds coordinated-omission fill-ins at a 1 ms interval.
 * Stops after durationSec or maxRequests, whichever comes first.
 */
const autocannon = require('autocannon');
const { Histogram } = require('../lib/histogram');
const { webhookFactory } = require('../lib/payload');

process.on('disconnect', () => process.exit(2));

function main() {
  const cfg = JSON.parse(process.argv[2]);
  const factory = webhookFactory({ tag: cfg.tag, secret: process.env.WEBHOOK_SECRET_CRM });
  let seq = 0;
  let responses = 0;
  const accepted = new Histogram();
  const all = new Histogram();
  const instance = autocannon(
    {
      url: `http://127.0.0.1:${cfg.port}`,
      connections: cfg.connections,
      duration: cfg.durationSec,
      overallRate: cfg.overallRate || undefined,
      ignoreCoordinatedOmission: Boolean(cfg.overallRate),
      timeout: 30,
      requests: [
        {
          method: 'POST',
          path: cfg.path || '/webhooks/crm',
          setupRequest: (req) => {
            const r = factory.request(seq++);
            return { ...req, headers: { ...req.headers, ...r.headers }, body: r.body };
          },
        },
      ],
    },
    (err, result) => {
      if (err) {
        console.error(err);
        process.exit(1);
      }
      const status = {};
      for (const [code, s] of Object.entries(result.statusCodeStats || {})) status[code] = s.count;
      const n202 = status['202'] || 0;
      process.send(
        {
          result: {
            connections: cfg.connections,
            overallRate: cfg.overallRate || null,
            durationSec: result.duration,
            requestsSent: result.requests.sent,
            responses: result.requests.total,
            accepted: n202,
            acceptedPerSec: Math.round((n202 / result.duration) * 10) / 10,
            status,
            non2xx: result.non2xx,
            errors: result.errors,
            timeouts: result.timeouts,
            latencyMs: accepted.summaryMs(),
            latencyAllMs: all.summaryMs(),
            histogram: accepted.toJSON(),
          },
        },
        () => process.exit(0),
      );
    },
  );
  instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
    all.recordMs(responseTimeMs);
    if (statusCode === 202) accepted.recordMs(responseTimeMs);
    if (++responses >= cfg.maxRequests) instance.stop();
  });
}

main();
