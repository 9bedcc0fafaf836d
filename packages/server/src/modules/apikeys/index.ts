export { apiKeyRoutes } from './routes';
export { type ApiKeysService, createApiKeysService, isApiKeyToken } from './service';
