export * from './validate';
export * from './lead';
export * from './order';
export * from './shipment';
export * from './follow-ups';
export * from './registry';
