export * from './access-api';
export * from './api';
export * from './audit';
export * from './audit-api';
export * from './errors';
export * from './permissions';
export * from './security-api';
export * from './threats-api';
