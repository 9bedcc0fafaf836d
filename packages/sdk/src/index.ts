export type { ErrorCode } from '@custos/shared';
export type { AuthorizeApi } from './access';
export { type AuditApi, queryString } from './audit';
export type {
  AuditVerifyOptions,
  AuditVerifyResult,
  CheckpointCheck,
  CheckpointCheckStatus,
} from './audit-verify';
export { CustosApiError, CustosClient, type CustosClientOptions, type RequestOptions } from './client';
export type { PrivacyApi } from './privacy';
export {
  createPrivacyConnector,
  memorySeenStore,
  type PrivacyConnector,
  type PrivacyConnectorOptions,
  type PrivacyHandlers,
  type SeenStore,
  signPrivacyWebhook,
  verifyPrivacyWebhook,
  WebhookVerificationError,
} from './privacy-connector';
export {
  canonicalJson,
  createPackagesApi,
  type PackageCheck,
  publicPrivacyPackages,
  type SignatureCheck,
  verifyPrivacyCertificate,
  verifyPrivacyPackage,
  verifySignedDigest,
} from './privacy-packages';
export { type PublicPrivacyApi, publicPrivacy } from './privacy-public';
export { isMfaChallenge } from './security';
export { listQuery } from './threats';
export * from './types';
