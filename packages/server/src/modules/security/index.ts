export { defaultPolicy, mfaEnrollmentState, mfaRequiredFor, type PolicyOnSession } from './policy';
export { securityPolicyRoutes } from './routes';
export { createSecurityPolicyService, type SecurityPolicyService } from './service';
