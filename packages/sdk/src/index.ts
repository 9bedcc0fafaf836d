export type { AuthorizeApi } from './access';
export { type AuditApi, queryString } from './audit';
export { CustosApiError, CustosClient, type CustosClientOptions, type RequestOptions } from './client';
export { isMfaChallenge } from './security';
export { listQuery } from './threats';
export * from './types';
