export * from './cloudevent';
