import 'reflect-metadata';
/**
 * @app/contracts: the one registry of topics and the event contracts carried on them. A new agent
 * depends on this and on @app/agent only.
 */
export * from './topics';
export * from './validate';
export * from './compiled';
export * from './lead';
export * from './order';
export * from './shipment';
export * from './follow-ups';
export * from './registry';
export * from './json-schema';
