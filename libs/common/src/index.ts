export * from './config/env';
export * from './logging/logger';
export * from './kafka/connection';
export * from './kafka/client';
export * from './kafka/topics';
export * from './kafka/ensure-topics';
export * from './kafka/provision';
