export * from './provider-config';
export * from './normalizers';
export * from './extract';
export * from './ingest';
