/** @app/kafka: the Kafka connection from the environment, the client, producers and topic administration. */
export * from './connection';
export * from './client';
export * from './codecs';
export * from './retry';
export * from './replication';
export * from './ensure-topics';
export * from './provision';
export * from './batching-producer';
export * from './producer-pool';
export * from './read-to-end';
export * from './event-records';
export * from './event-trace';
export * from './operator-topics';
export * from './consumer-lag';
export * from './event-reader';
