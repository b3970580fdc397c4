import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The ingress's own metrics, registered on the process registry (see createRegistry). */
export class IngressMetrics {
  readonly requests: Counter<'provider' | 'outcome'>;
  readonly verificationFailures: Counter<'provider' | 'reason'>;
  readonly produceLatency: Histogram;
  readonly batchSize: Histogram;
  readonly inFlight: Gauge;
  private inFlightSource: () => number = () => 0;

  constructor(readonly registry: Registry) {
    this.requests = new Counter({
      name: 'hookline_ingress_requests_total',
      help: 'Webhook requests by provider and outcome (accepted, quarantined, handshake, or an error code)',
      labelNames: ['provider', 'outcome'],
      registers: [registry],
    });
    this.verificationFailures = new Counter({
      name: 'hookline_ingress_verification_failures_total',
      help: 'Signature verification failures by provider and reason',
      labelNames: ['provider', 'reason'],
      registers: [registry],
    });
    this.produceLatency = new Histogram({
      name: 'hookline_ingress_produce_seconds',
      help: 'Time for one produce request (a batch) to be acknowledged with acks=all',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    this.batchSize = new Histogram({
      name: 'hookline_ingress_batch_records',
      help: 'Records per produce request',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
      registers: [registry],
    });
    this.inFlight = new Gauge({
      name: 'hookline_ingress_in_flight_records',
      help: 'Records waiting for or in a produce request',
      registers: [registry],
      collect: () => this.inFlight.set(this.inFlightSource()),
    });
  }

  /** The in-flight gauge reads this when scraped. */
  trackInFlight(source: () => number): void {
    this.inFlightSource = source;
  }
}
