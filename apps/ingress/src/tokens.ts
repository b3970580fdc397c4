export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
export const PRODUCER = Symbol('PRODUCER');
export const TRACING = Symbol('TRACING');
