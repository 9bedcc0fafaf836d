export * from './api';
export * from './audit';
export * from './errors';
export * from './permissions';
