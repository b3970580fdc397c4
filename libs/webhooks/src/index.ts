/** @app/webhooks: signature schemes, provider configuration, normalizers and the ingest use case. */
export * from './signatures';
export * from './provider-config';
export * from './normalizers';
export * from './extract';
export * from './ingest';
export * from './raw-headers';
