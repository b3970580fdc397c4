import { collectDefaultMetrics, Registry } from 'prom-client';

/** A Prometheus registry per process, with the process's default metrics (memory, CPU, event loop). */
export function createRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'hookline_' });
  return registry;
}
