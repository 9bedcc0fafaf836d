export {
  DEFAULT_IDLE_TIMEOUT_MINUTES,
  DEFAULT_STEP_UP_MINUTES,
  defaultPolicy,
  mfaEnrollmentState,
  mfaRequiredFor,
  type PolicyOnSession,
} from './policy';
export { securityPolicyPorts } from './ports';
export { securityPolicyRoutes } from './routes';
export { createSecurityPolicyService, type SecurityPolicyService } from './service';
