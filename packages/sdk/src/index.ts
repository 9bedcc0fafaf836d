export { CustosApiError, CustosClient, type CustosClientOptions } from './client';
