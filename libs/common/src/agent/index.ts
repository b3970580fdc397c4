export * from './types';
export * from './ids';
export * from './stores';
export * from './processor';
export * from './metrics';
export * from './server';
export * from './copartitioned-assigner';
